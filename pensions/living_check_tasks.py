"""Celery tasks of the living check: thin, safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from pensions import living_check_services


@shared_task(
    name="pensions.living_check_notices",
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=5,
)
def living_check_notices():
    """The daily beat job: every reminder and lapse notice owed today, once each."""
    return living_check_services.living_check_notices_send()
