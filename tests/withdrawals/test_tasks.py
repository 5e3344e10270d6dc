"""The document review on Celery, the sweeper, and notifications sent once."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from casework import services as casework_services
from tests.factories import death_claim
from withdrawals import notifications, services, tasks
from withdrawals.models import EventNotification, Status, WithdrawalApplication


def submit_without_queueing(application):
    """Submit, but lose the queued review (as if Redis dropped the message)."""
    services.application_submit(application, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


@pytest.mark.django_db
def test_submit_queues_the_review_after_commit(django_capture_on_commit_callbacks):
    application = death_claim()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_submit(application, actor=application.applicant)
    # Review + notification are queued, nothing runs before commit.
    queued = [c for c in callbacks if c.__qualname__.startswith("enqueue_on_commit")]
    assert len(queued) == 2
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.review_queued_at is not None


@pytest.mark.django_db
def test_review_is_idempotent(django_capture_on_commit_callbacks):
    application = death_claim()
    submit_without_queueing(application)
    tasks.review_application.delay(application.pk)
    tasks.review_application.delay(application.pk)
    application.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION
    assert application.events.filter(new_status=Status.AWAITING_DECISION).count() == 1
    assert application.review_attempts == 1


@pytest.mark.django_db
def test_sweeper_requeues_a_lost_review(settings, django_capture_on_commit_callbacks):
    settings.REVIEW_STALL_AFTER = timedelta(minutes=10)
    application = death_claim()
    fresh = death_claim()
    submit_without_queueing(application)
    submit_without_queueing(fresh)
    WithdrawalApplication.objects.filter(pk=application.pk).update(
        review_queued_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_stalled_reviews() == 1
    application.refresh_from_db()
    fresh.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION
    assert fresh.status == Status.SUBMITTED  # not stalled yet


@pytest.mark.django_db
def test_transient_errors_retry_then_hand_over_to_a_human(monkeypatch):
    application = death_claim()
    submit_without_queueing(application)
    calls = []

    def broken(application_id):
        calls.append(application_id)
        raise OperationalError("database went away")

    monkeypatch.setattr(casework_services, "case_start_review", broken)
    # The last allowed attempt fails too: no loop, a note for a human instead.
    last = tasks.review_application.apply(
        args=[application.pk], retries=tasks.MAX_RETRIES, throw=False
    )
    assert last.state == "FAILURE"
    assert len(calls) == 1
    note = application.events.last().note
    assert "gave up" in note and "staff member" in note


@pytest.mark.django_db
def test_notifications_are_sent_once(django_capture_on_commit_callbacks):
    application = death_claim()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application, actor=application.applicant)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "申请已收到" in message.subject and "Application received" in message.subject
    assert "我们已收到" in message.body and "We have received" in message.body
    event = application.events.get(new_status=Status.SUBMITTED)
    # A retried task (or a duplicate message) sends nothing more.
    tasks.send_notification.delay(application.pk, event.pk)
    assert notifications.event_notify(event.pk) is False
    assert len(mail.outbox) == 1
    assert EventNotification.objects.get(event=event).recipient == application.applicant.email


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def status_of(application):
    return WithdrawalApplication.objects.get(pk=application.pk).status


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_real_worker_reviews_a_submitted_claim(celery_worker):
    application = death_claim()
    services.application_submit(application, actor=application.applicant)
    assert wait_for(lambda: status_of(application) == Status.AWAITING_DECISION), (
        celery_worker.log_path.read_text()[-3000:]
    )
    assert set(application.documents.values_list("finding", flat=True)) == {"passed"}


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_sweeper_recovers_a_lost_review_with_the_real_worker(
    celery_worker, settings, monkeypatch
):
    settings.REVIEW_STALL_AFTER = timedelta(seconds=1)
    application = death_claim()
    # The message is lost: nothing is published at submit time.
    monkeypatch.setattr(services, "_queue_review", lambda application: None)
    services.application_submit(application, actor=application.applicant)
    monkeypatch.undo()
    time.sleep(1.5)
    assert status_of(application) == Status.SUBMITTED
    assert tasks.sweep_stalled_reviews() == 1
    assert wait_for(lambda: status_of(application) == Status.AWAITING_DECISION), (
        celery_worker.log_path.read_text()[-3000:]
    )
