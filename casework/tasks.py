"""Celery tasks of the case pipeline: fetch by id, call the services, own the retry policy.

Every task is safe to run twice. PostgreSQL is the truth: the sweeper re-queues a
review whose message was lost, so Redis trouble delays a review but never loses it.
"""

import logging
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils import timezone

from casework import inspection, notes, notifications, selectors, services, storage
from sscard.celery import enqueue_on_commit

logger = logging.getLogger(__name__)

# Worth another try later: the database or the disk was briefly unavailable.
TRANSIENT = (OperationalError, InterfaceError, OSError)
MAX_RETRIES = 5
# An applicant email still unsent this long after its event is not queued again.
NOTIFY_LOOKBACK = timedelta(days=2)


class HumanOnGiveUp(Task):
    """After the last retry, put a note on the case for a human instead of looping."""

    abstract = True

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        case_id = args[0] if args else kwargs.get("case_id", kwargs.get("application_id"))
        if case_id is None or not isinstance(exc, TRANSIENT):
            return
        try:
            services.case_record_note(
                case_id,
                note=notes.note(
                    notes.TASK_GAVE_UP,
                    task=self.name,
                    retries=self.max_retries,
                    error=type(exc).__name__,
                ),
            )
        except DatabaseError:
            logger.exception("could not record the give-up note for %s", case_id)


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


def review(case_id):
    """The automated document review of one case (idempotent)."""
    case = services.case_start_review(case_id)
    if case is None:
        return
    for document in selectors.pending_documents(case_id):
        result = inspection.inspect_file(
            storage.path_of(document.stored_name), max_bytes=settings.DOCUMENT_MAX_BYTES
        )
        services.document_record_finding(document.pk, result)
    services.case_finish_review(case_id)


@shared_task(name="casework.review_case", **RETRY)
def review_case(self, case_id):
    review(case_id)


def sweep():
    """Queue again every review waiting longer than REVIEW_STALL_AFTER, and every
    applicant email whose message was lost. Returns the number of reviews queued."""
    cutoff = timezone.now() - settings.REVIEW_STALL_AFTER
    requeue_unsent_notifications(cutoff)
    count = 0
    for case_id in selectors.stalled_reviews(cutoff, services.REVIEW_MAX_ROUNDS):
        if services.case_requeue_review(case_id):
            count += 1
    if count:
        logger.info("re-queued %d stalled document reviews", count)
    return count


@shared_task(name="casework.sweep_stalled_reviews", acks_late=True, ignore_result=True)
def sweep_stalled_reviews():
    """The sweeper (beat): see `sweep`."""
    return sweep()


def requeue_unsent_notifications(cutoff):
    """Queue again the email of every status change older than `cutoff` (and younger than
    NOTIFY_LOOKBACK) that has none yet: its message was lost with Redis or with a killed
    worker. Sending stays at most once per event (Notification is unique)."""
    unsent = selectors.unsent_notifications(cutoff, timezone.now() - NOTIFY_LOOKBACK)
    for case_id, event_id in unsent:
        enqueue_on_commit(send_notification, case_id, event_id)
    if unsent:
        logger.info("re-queued %d unsent applicant emails", len(unsent))
    return len(unsent)


@shared_task(name="casework.send_notification", **RETRY)
def send_notification(self, case_id, event_id):
    """Email the applicant about one event, once."""
    notifications.event_notify(event_id)
