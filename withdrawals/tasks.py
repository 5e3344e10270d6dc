"""Celery tasks: fetch by id, call the services, own the retry policy.

Every task is safe to run twice. PostgreSQL is the truth: the sweeper re-queues a
review whose message was lost, so Redis trouble delays a review but never loses it.
"""

import logging
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from sscard.celery import enqueue_on_commit
from withdrawals import inspection, notifications, services, storage
from withdrawals.models import (
    REVIEW_STATES,
    ApplicationEvent,
    EventNotification,
    Finding,
    SupportingDocument,
    WithdrawalApplication,
)

logger = logging.getLogger(__name__)

# Worth another try later: the database or the disk was briefly unavailable.
TRANSIENT = (OperationalError, InterfaceError, OSError)
MAX_RETRIES = 5
# An applicant email still unsent this long after its event is not queued again.
NOTIFY_LOOKBACK = timedelta(days=2)


class HumanOnGiveUp(Task):
    """After the last retry, put a note on the application for a human instead of looping."""

    abstract = True

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        application_id = args[0] if args else kwargs.get("application_id")
        if application_id is None or not isinstance(exc, TRANSIENT):
            return
        try:
            services.application_record_note(
                application_id,
                note=f"Automatic {self.name} gave up after {self.max_retries} retries "
                f"({type(exc).__name__}); a staff member must look at it.",
            )
        except DatabaseError:
            logger.exception("could not record the give-up note for %s", application_id)


RETRY = {
    "bind": True,
    "base": HumanOnGiveUp,
    "acks_late": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": MAX_RETRIES,
}


@shared_task(name="withdrawals.review_application", **RETRY)
def review_application(self, application_id):
    """The automated document review of one application (idempotent)."""
    application = services.application_start_review(application_id)
    if application is None:
        return
    pending = SupportingDocument.objects.filter(
        application_id=application_id, finding=Finding.PENDING
    ).order_by("id")
    for document in pending:
        result = inspection.inspect_file(
            storage.path_of(document.stored_name), max_bytes=settings.DOCUMENT_MAX_BYTES
        )
        services.document_record_finding(document.pk, result)
    services.application_finish_review(application_id)


@shared_task(name="withdrawals.sweep_stalled_reviews", acks_late=True, ignore_result=True)
def sweep_stalled_reviews():
    """Queue again every review waiting longer than REVIEW_STALL_AFTER (beat), and every
    applicant email whose message was lost. Returns the number of reviews queued."""
    cutoff = timezone.now() - settings.REVIEW_STALL_AFTER
    requeue_unsent_notifications(cutoff)
    stalled = (
        WithdrawalApplication.objects.filter(
            status__in=REVIEW_STATES, review_attempts__lt=services.REVIEW_MAX_ROUNDS
        )
        .filter(Q(review_queued_at__lt=cutoff) | Q(review_queued_at__isnull=True))
        .order_by("review_queued_at")
        .values_list("pk", flat=True)
    )
    count = 0
    for application_id in list(stalled[:500]):
        if services.application_requeue_review(application_id):
            count += 1
    if count:
        logger.info("re-queued %d stalled document reviews", count)
    return count


def requeue_unsent_notifications(cutoff):
    """Queue again the email of every status change older than `cutoff` (and younger than
    NOTIFY_LOOKBACK) that has none yet: its message was lost with Redis or with a killed
    worker. Sending stays at most once per event (EventNotification is unique)."""
    unsent = (
        ApplicationEvent.objects.filter(
            new_status__in=services.NOTIFY_STATES,
            created_at__lt=cutoff,
            created_at__gte=timezone.now() - NOTIFY_LOOKBACK,
        )
        .exclude(old_status=F("new_status"))
        .exclude(Exists(EventNotification.objects.filter(event=OuterRef("pk"))))
        .order_by("id")
        .values_list("application_id", "pk")
    )
    count = 0
    for application_id, event_id in list(unsent[:500]):
        enqueue_on_commit(send_notification, application_id, event_id)
        count += 1
    if count:
        logger.info("re-queued %d unsent applicant emails", count)
    return count


@shared_task(name="withdrawals.send_notification", **RETRY)
def send_notification(self, application_id, event_id):
    """Email the applicant about one event, once."""
    notifications.event_notify(event_id)


@shared_task(name="withdrawals.notify_named_person", **RETRY)
def notify_named_person(self, application_id):
    """Tell the person a death claim names (once per claim)."""
    from withdrawals import claims_about_me

    return claims_about_me.named_person_notify(application_id)
