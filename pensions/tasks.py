"""Celery tasks of the pensions app: thin, safe to run twice.

The monthly pension run is split into id ranges of claims, one task each, so any
number of workers on any number of machines share it. Every task re-plans (the checks
are cheap) and pays only what is missing, so a re-delivered task, or the rest of a run
after a worker died, never pays a month twice.
"""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from core.errors import DomainError
from pensions import payment_run

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    name="pensions.pay_pension_range",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=5,
)
def pay_pension_range(month, first, stop):
    plan = payment_run.pension_range_plan(month, first, stop)
    result = payment_run.pension_pay_range(plan, first, stop)
    return {"months_paid": result.months_paid, "already_paid": result.already_paid}


def pension_queue_month(month, *, range_size=payment_run.RANGE_SIZE):
    """Check the run (refusing as the command does) and queue one task per id range."""
    plan = payment_run.pension_run_plan(month, range_size=range_size)
    for first, stop in plan.ranges:
        pay_pension_range.delay(f"{plan.month:%Y-%m}", first, stop)
    return plan


def is_first_working_day(day):
    """The first Monday-to-Friday of its month (public holidays are not known here)."""
    return day.weekday() < 5 and all(
        day.replace(day=earlier).weekday() >= 5 for earlier in range(1, day.day)
    )


@shared_task(name="pensions.pay_pensions_this_month")
def pay_pensions_this_month():
    """The beat job, run each morning of the first three days of a month: on the first
    working day it queues this month's run. A refused run (a missing figure) is logged
    for an operator, who runs `pay_pensions` once the figure is entered."""
    today = timezone.localdate()
    if not is_first_working_day(today):
        return
    try:
        pension_queue_month(today)
    except DomainError as exc:
        logger.warning("pensions for %s not paid: %s", f"{today:%Y-%m}", exc.message)


@shared_task(
    name="pensions.bank_account_corrected_notice",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=5,
)
def bank_account_corrected_notice(event_id):
    """Tell the pensioner staff corrected their bank account, once."""
    from pensions import bank_account_notices

    return bank_account_notices.bank_account_corrected_notify(event_id)
