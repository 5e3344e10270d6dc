"""The withdrawal kind's task names, kept so messages queued under them still run.

The work is `casework.tasks`' (the document review, the sweeper, the emails).
"""

from celery import shared_task

from casework import tasks
from casework.tasks import (  # noqa: F401
    MAX_RETRIES,
    NOTIFY_LOOKBACK,
    RETRY,
    TRANSIENT,
    requeue_unsent_notifications,
)


@shared_task(name="withdrawals.review_application", **RETRY)
def review_application(self, application_id):
    """The automated document review of one application (idempotent)."""
    tasks.review(application_id)


@shared_task(name="withdrawals.sweep_stalled_reviews", acks_late=True, ignore_result=True)
def sweep_stalled_reviews():
    """Queue again the reviews and emails whose messages were lost (see casework)."""
    return tasks.sweep()


@shared_task(name="withdrawals.send_notification", **RETRY)
def send_notification(self, application_id, event_id):
    """Email the applicant about one event, once."""
    tasks.notifications.event_notify(event_id)


@shared_task(name="withdrawals.notify_named_person", **RETRY)
def notify_named_person(self, application_id):
    """Tell the person a death claim names (once per claim)."""
    from withdrawals import claims_about_me

    return claims_about_me.named_person_notify(application_id)
