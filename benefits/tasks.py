"""Celery tasks of the benefits app: thin, safe to run twice.

The monthly run is split into id ranges of claims in payment, one task each, so any
number of workers share it. Every task re-plans (cheap) and pays only what is missing.
"""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from benefits import payment_run
from benefits.exceptions import DomainError

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    name="benefits.pay_benefits_range",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=5,
)
def pay_benefits_range(month, region, first, stop):
    plan = payment_run.run_plan(month, region)
    result = payment_run.pay_range(plan, first, stop)
    return {"paid": result.paid, "already_paid": result.already_paid}


@shared_task(
    name="benefits.pay_other_benefits",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=5,
)
def pay_other_benefits(month, region):
    """The month of the other monthly benefits (e.g. the work-injury allowance)."""
    plan = payment_run.run_plan(month, region)
    result = payment_run.pay_others(plan)
    return {"paid": result.paid, "already_paid": result.already_paid}


def benefits_queue_month(month, region=None, *, range_size=payment_run.RANGE_SIZE):
    """Check the run (refusing as the command does) and queue one task per id range,
    and one for the other monthly benefits."""
    plan = payment_run.run_plan(month, region, range_size=range_size)
    for first, stop in plan.ranges:
        pay_benefits_range.delay(f"{plan.month:%Y-%m}", plan.region, first, stop)
    pay_other_benefits.delay(f"{plan.month:%Y-%m}", plan.region)
    return plan


@shared_task(name="benefits.pay_benefits_this_month")
def pay_benefits_this_month():
    """The monthly beat job: queue this month's run. A missing regional figure refuses
    it (logged); an operator runs `pay_benefits` once the figure is entered."""
    month = timezone.localdate().strftime("%Y-%m")
    try:
        benefits_queue_month(month)
    except DomainError as exc:
        logger.warning("benefits %s not paid: %s", month, exc.message)
