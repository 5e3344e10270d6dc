"""Celery tasks of the accounts app: thin, safe to run twice.

The yearly interest run is split into id ranges of personal accounts, one task each,
so any number of workers on any number of machines share it. Every task re-plans (the
rate check is cheap) and posts only what is missing, so a re-delivered task, or the
rest of a run after a worker died, never posts twice.
"""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from accounts import interest_service
from accounts.exceptions import NoInterestRate

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    name="accounts.credit_interest_range",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=5,
)
def credit_interest_range(year, region, first, stop):
    plan = interest_service.interest_run_plan(year, region)
    result = interest_service.interest_credit_range(plan, first, stop)
    return {"posted": result.posted, "already_posted": result.already_posted}


def interest_queue_year(year, region=None, *, range_size=interest_service.RANGE_SIZE):
    """Check the run (refusing as the command does) and queue one task per id range."""
    plan = interest_service.interest_run_plan(year, region, range_size=range_size)
    for first, stop in plan.ranges:
        credit_interest_range.delay(plan.year, plan.region, first, stop)
    return plan


@shared_task(name="accounts.credit_interest_last_year")
def credit_interest_last_year():
    """The January beat job: queue the year just ended. Its rate is often published
    later in the year; until then the run is refused and an operator runs
    `credit_interest` once the rate is entered."""
    year = timezone.localdate().year - 1
    try:
        interest_queue_year(year)
    except NoInterestRate as exc:
        logger.warning("interest %s not credited: %s", year, exc.message)
