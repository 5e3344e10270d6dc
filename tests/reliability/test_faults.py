"""Faults survived, with real processes: a worker killed mid-review, Redis stopped,
a crash between commit and publish, PostgreSQL restarted, a task that always fails.

The Redis that is stopped and the PostgreSQL that is restarted are servers of the test's
own (tests/reliability/private_services.py); the shared ones are checked to have kept
running through every test here."""

import email
import random
import re
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from celery.exceptions import Retry
from django.db import OperationalError, close_old_connections, connection
from django.db.models import F
from django.test import Client

from accounts.models import InstitutionAPIKey, LedgerTransaction, Scheme, Settlement
from casework import notes as case_notes
from casework import services as case_services
from sscard.celery import app
from tests.factories import CardholderFactory, InstitutionFactory, death_claim, fund
from tests.reliability.conftest import assert_ledger_clean, ledger_audit, wait_for
from withdrawals import services, storage, tasks
from withdrawals.models import (
    ApplicationEvent,
    EventNotification,
    Finding,
    Status,
    SupportingDocument,
    WithdrawalApplication,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    # Only private servers are stopped: the shared ones must keep running throughout.
    pytest.mark.usefixtures("shared_services_untouched"),
]


def statuses(applications):
    pks = [a.pk for a in applications]
    return Counter(
        WithdrawalApplication.objects.filter(pk__in=pks).values_list("status", flat=True)
    )


def all_awaiting(applications):
    return statuses(applications) == Counter({Status.AWAITING_DECISION: len(applications)})


def submitted_events(applications):
    return ApplicationEvent.objects.filter(
        case__in=applications, new_status=Status.SUBMITTED, old_status=Status.DRAFT
    )


def all_notified(applications):
    events = submitted_events(applications)
    return EventNotification.objects.filter(event__in=events).count() == events.count()


def sent_subjects(mail_dir):
    """The subject of every email the worker wrote (filemail: one file per connection,
    messages separated by a line of 79 dashes)."""
    subjects = []
    for path in Path(mail_dir).glob("*.log"):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                header = email.message_from_string(chunk.strip() + "\n")["Subject"]
                subjects.append(str(make_header(decode_header(header))))
    return subjects


def assert_reviewed_once(applications):
    """Every document has its one finding; every claim went through review exactly once."""
    assert not SupportingDocument.objects.filter(
        case__in=applications, finding=Finding.PENDING
    ).exists()
    for application in applications:
        events = Counter(
            application.events.exclude(old_status=F("new_status")).values_list(
                "old_status", "new_status"
            )
        )
        assert events[(Status.SUBMITTED, Status.IN_REVIEW)] == 1, events
        assert events[(Status.IN_REVIEW, Status.AWAITING_DECISION)] == 1, events
        # "... finished: 3 checked, 0 with problems" (in the worker's language)
        finished = application.events.get(
            old_status=Status.IN_REVIEW, new_status=Status.AWAITING_DECISION
        ).note
        assert re.findall(r"\d+", finished)[:2] == ["3", "0"], finished


def assert_emailed_once(applications, mail_dir):
    subjects = sent_subjects(mail_dir)
    per_reference = Counter(
        a.reference for a in applications for s in subjects if s.startswith(f"[{a.reference}]")
    )
    assert per_reference == Counter({a.reference: 1 for a in applications}), per_reference
    assert EventNotification.objects.filter(
        event__in=submitted_events(applications)
    ).count() == len(applications)


# --- the worker killed mid-review ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.celery_worker
def test_sigkill_the_worker_20_times_during_reviews(fault_worker, settings):
    settings.REVIEW_STALL_AFTER = timedelta(seconds=3)
    rng = random.Random(20)
    applications = []
    held_at_kill = 0  # review tasks received by the worker and not finished when it died
    started = time.monotonic()
    for _cycle in range(20):
        batch = [death_claim(pension="100.00", medical=None) for _ in range(4)]
        for application in batch:
            services.application_submit(application, actor=application.applicant)
        applications += batch
        fault_worker.start()
        time.sleep(rng.uniform(0.05, 0.6))
        fault_worker.kill()
        log = fault_worker.log_path.read_text()
        held_at_kill += len(
            set(re.findall(r"review_case\[([0-9a-f-]+)\] received", log))
            - set(re.findall(r"review_case\[([0-9a-f-]+)\] succeeded", log))
        )
    in_review_after_kills = statuses(applications)[Status.IN_REVIEW]

    # The machine is back: one worker, and the sweeper (beat) every few seconds.
    fault_worker.start()
    recovered_at = time.monotonic()
    done = wait_for(
        lambda: all_awaiting(applications) and all_notified(applications),
        timeout=120,
        interval=1.5,
        between=tasks.sweep_stalled_reviews,
    )
    recovery = time.monotonic() - recovered_at
    assert done, (statuses(applications), fault_worker.log_tail())
    assert_reviewed_once(applications)
    fault_worker.stop()  # flush the mail files
    assert_emailed_once(applications, fault_worker.mail_dir)
    assert held_at_kill > 0  # the kills did land in the middle of work
    print(
        f"20 SIGKILLs, {len(applications)} claims, {held_at_kill} review tasks held by a "
        f"killed worker, {in_review_after_kills} claims left half-reviewed; all awaiting a "
        f"decision {recovery:.1f}s after the restart ({time.monotonic() - started:.0f}s total)"
    )


# --- Redis stopped ---------------------------------------------------------------------------
# A Redis of the test's own (private_redis) carries the broker and the shared cache; the
# test stops that one.


@pytest.mark.slow
@pytest.mark.celery_worker
def test_redis_stopped_while_applicants_submit(redis_fault_worker, private_redis, settings):
    fault_worker = redis_fault_worker
    settings.REVIEW_STALL_AFTER = timedelta(seconds=2)
    applications = [death_claim(pension="300.00") for _ in range(8)]
    browsers = []
    for application in applications:
        browser = Client(raise_request_exception=False)
        browser.force_login(application.applicant)
        browsers.append(browser)
    fault_worker.start()
    slowest = 0.0
    try:
        private_redis.stop()
        for application, browser in zip(applications, browsers, strict=True):
            for method, url, expected in [
                ("get", f"/withdrawals/{application.pk}/review/", 200),
                ("post", f"/withdrawals/{application.pk}/review/", 302),
                ("get", f"/withdrawals/{application.pk}/", 200),
                ("get", "/withdrawals/", 200),
            ]:
                began = time.monotonic()
                response = getattr(browser, method)(url)
                slowest = max(slowest, time.monotonic() - began)
                assert response.status_code == expected, (url, response.status_code)
            page = browser.get(f"/withdrawals/{application.pk}/").content.decode()
            assert application.reference in page and "Submitted" in page
        # Saved in PostgreSQL even though no message could be queued.
        assert statuses(applications) == Counter({Status.SUBMITTED: len(applications)})
    finally:
        if not private_redis.up():
            private_redis.start()
    returned = time.monotonic()
    done = wait_for(
        lambda: all_awaiting(applications) and all_notified(applications),
        timeout=90,
        interval=1,
        between=tasks.sweep_stalled_reviews,
    )
    assert done, (statuses(applications), fault_worker.log_tail())
    recovery = time.monotonic() - returned
    assert_reviewed_once(applications)
    fault_worker.stop()
    assert_emailed_once(applications, fault_worker.mail_dir)
    assert slowest < 5
    print(
        f"Redis down: {len(applications)} submissions saved, slowest page {slowest:.2f}s; "
        f"all reviewed and emailed {recovery:.1f}s after Redis returned"
    )


# --- a crash between the commit and the publish ------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.parametrize("crash", ["process_died_after_commit", "publish_raised"])
def test_a_crash_between_commit_and_publish_is_recovered_by_the_sweeper(
    fault_worker, settings, monkeypatch, crash
):
    settings.REVIEW_STALL_AFTER = timedelta(seconds=1)
    application = death_claim()
    fault_worker.start()
    if crash == "process_died_after_commit":
        # Nothing registered to run after the commit ever runs.
        monkeypatch.setattr(case_services, "enqueue_on_commit", lambda task, *args: None)
    else:

        def broker_refuses(*args, **kwargs):
            from kombu.exceptions import OperationalError as BrokerError

            raise BrokerError("connection refused")

        monkeypatch.setattr(app, "send_task", broker_refuses)
    services.application_submit(application, actor=application.applicant)
    monkeypatch.undo()

    # With the sweeper switched off, a live worker never hears of it: this is the state
    # the test would end in without the sweeper.
    time.sleep(3)
    assert statuses([application]) == Counter({Status.SUBMITTED: 1})
    assert not EventNotification.objects.exists()

    assert tasks.sweep_stalled_reviews() == 1
    assert wait_for(lambda: all_awaiting([application]) and all_notified([application]))
    assert_reviewed_once([application])
    fault_worker.stop()
    assert_emailed_once([application], fault_worker.mail_dir)


# --- a task that always crashes ---------------------------------------------------------------


def test_a_task_that_always_crashes_is_retried_a_bounded_number_of_times(monkeypatch):
    application = death_claim()
    with monkeypatch.context() as patch:
        patch.setattr(case_services, "enqueue_on_commit", lambda task, *args: None)
        services.application_submit(application, actor=application.applicant)
    calls = []

    def broken(application_id):
        calls.append(application_id)
        raise OperationalError("the disk went away")

    monkeypatch.setattr(case_services, "case_start_review", broken)
    # Each run before the last asks Celery for another try; the last one does not.
    for attempt in range(tasks.MAX_RETRIES):
        with pytest.raises(Retry):
            tasks.review_application.apply(args=[application.pk], retries=attempt)
    last = tasks.review_application.apply(
        args=[application.pk], retries=tasks.MAX_RETRIES, throw=False
    )

    assert last.state == "FAILURE"
    assert len(calls) == tasks.MAX_RETRIES + 1  # the first run and 5 retries, no more
    notes = [event.note for event in application.events.all()]
    assert sum("gave up" in n and "staff member" in n for n in notes) == 1, notes


def test_the_sweeper_stops_requeuing_a_review_that_never_finishes(settings, monkeypatch):
    """The sweeper does not turn a review that always crashes into an endless loop: after
    REVIEW_MAX_ROUNDS rounds it leaves the claim to a human, with one note saying so."""
    settings.REVIEW_STALL_AFTER = timedelta(0)
    application = death_claim()
    queued = []
    monkeypatch.setattr(case_services, "queue_review", lambda a: queued.append(a.pk))
    services.application_submit(application, actor=application.applicant)
    queued.clear()
    for _sweep in range(case_services.REVIEW_MAX_ROUNDS * 3):
        tasks.sweep_stalled_reviews()
    assert len(queued) == case_services.REVIEW_MAX_ROUNDS - 1
    notes = [event.note for event in application.events.all()]
    assert sum("staff member must look" in n for n in notes) == 1, notes
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED  # visible in the queue, not lost


@pytest.mark.slow
@pytest.mark.celery_worker
def test_a_review_that_always_crashes_on_the_real_worker_ends_with_a_note(fault_worker):
    application = death_claim()
    storage.path_of(application.documents.first().stored_name).unlink()  # storage fault
    fault_worker.start()
    began = time.monotonic()
    services.application_submit(application, actor=application.applicant)
    gave_up = wait_for(
        lambda: application.events.filter(note_code=case_notes.TASK_GAVE_UP).exists(), timeout=120
    )
    assert gave_up, fault_worker.log_tail()
    took = time.monotonic() - began
    time.sleep(2)  # nothing runs after the give-up
    log = fault_worker.log_path.read_text()
    runs = len(re.findall(r"review_case\[[0-9a-f-]+\] received", log))
    assert runs == tasks.MAX_RETRIES + 1, log[-3000:]
    assert application.events.filter(note_code=case_notes.TASK_GAVE_UP).count() == 1
    print(f"always-failing review: {runs} runs, gave up after {took:.1f}s")


# --- PostgreSQL restarted under load ---------------------------------------------------------
# The restart is of a cluster of the test's own (private_postgres), which this process
# uses for the test.


def test_a_database_error_answers_503_not_500(monkeypatch):
    """Requests that meet an unreachable database fail cleanly and say to retry."""
    from accounts import services as account_services

    def unreachable(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(account_services, "settlement_create", unreachable)
    institution = InstitutionFactory()
    _key, secret = InstitutionAPIKey.objects.create_key(name="till", institution=institution)
    client = Client(raise_request_exception=False)
    response = client.post(
        "/api/v1/settlements/",
        {"card_number": "X", "amount": "1.00"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {secret}",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response["Retry-After"]

    def session_lost(self):
        raise OperationalError("terminating connection due to administrator command")

    # Fails inside the session middleware, before any view runs (the database read that
    # both the db and the cached_db session stores make).
    monkeypatch.setattr(
        "django.contrib.sessions.backends.db.SessionStore._get_session_from_db", session_lost
    )
    client.cookies["sessionid"] = "x" * 32
    page = client.get("/withdrawals/")
    assert page.status_code == 503
    assert b"try again" in page.content


@pytest.mark.slow
def test_postgres_restarted_under_load(private_postgres):
    holder = CardholderFactory()
    fund(holder, Scheme.MEDICAL, "100000.00")
    institution = InstitutionFactory()
    _key, secret = InstitutionAPIKey.objects.create_key(name="till", institution=institution)
    threads, purchases = 8, 25
    seen = defaultdict(list)
    durations = []
    lock = threading.Lock()

    def till(t):
        client = Client(raise_request_exception=False)
        for i in range(purchases):
            key = f"pg-{t}-{i}"
            for _attempt in range(200):
                began = time.monotonic()
                try:
                    response = client.post(
                        "/api/v1/settlements/",
                        {"card_number": holder.card_number, "amount": "1.25", "description": key},
                        content_type="application/json",
                        HTTP_AUTHORIZATION=f"Api-Key {secret}",
                        HTTP_IDEMPOTENCY_KEY=key,
                    )
                    status = response.status_code
                except Exception as exc:  # shown by the assertion below
                    status = type(exc).__name__
                finally:
                    # What the WSGI handler does after every request: drop a dead connection.
                    close_old_connections()
                with lock:
                    durations.append(time.monotonic() - began)
                    seen[key].append(status)
                if status == 201:
                    break
                time.sleep(0.1)
        connection.close()

    connection.close()
    workers = [threading.Thread(target=till, args=(t,)) for t in range(threads)]
    try:
        for worker in workers:
            worker.start()
        time.sleep(1.0)
        began = time.monotonic()
        private_postgres.restart()
        restart = time.monotonic() - began
        for worker in workers:
            worker.join(timeout=180)
    finally:
        if not private_postgres.running():
            private_postgres.start()
        wait_for(private_postgres.up, timeout=60)
    assert not any(worker.is_alive() for worker in workers)

    statuses_seen = Counter(s for attempts in seen.values() for s in attempts)
    assert set(statuses_seen) <= {201, 503}, statuses_seen
    assert statuses_seen[503] > 0  # the restart was felt
    assert all(attempts[-1] == 201 for attempts in seen.values())
    assert len(seen) == threads * purchases
    assert max(durations) < 10  # failed fast, no hang
    settlements = Settlement.objects.filter(cardholder=holder)
    assert settlements.count() == threads * purchases  # retries made no duplicates
    assert LedgerTransaction.objects.filter(kind="settlement").count() == threads * purchases
    account = holder.accounts.get(scheme=Scheme.MEDICAL, kind="personal")
    assert account.balance == Decimal("100000.00") - threads * purchases * Decimal("1.25")
    assert "Ledger OK" in ledger_audit()
    assert_ledger_clean()
    print(
        f"PostgreSQL restart took {restart:.1f}s under {threads} tills: "
        f"{statuses_seen[201]} x 201, {statuses_seen[503]} x 503, slowest answer "
        f"{max(durations):.2f}s, {settlements.count()} settlements, no duplicates"
    )
