"""Helpers of the reliability tests: claims ready for a decision, many threads at once,
and a Celery worker process of their own that can be killed and started again."""

import contextlib
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.audit import run_audit
from tests.conftest import _test_database_url, need, redis_answers, redis_url
from tests.factories import death_claim, staff_with
from tests.worker import WorkerProcess, worker_env
from withdrawals import services, tasks
from withdrawals.models import Status

# The fault tests send their tasks here, so no other worker of the test run takes them.
FAULT_QUEUE = "reliability"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def ledger_audit():
    """Run `manage.py ledger_audit` (raises CommandError naming any violation)."""
    out = io.StringIO()
    call_command("ledger_audit", stdout=out, stderr=out)
    return out.getvalue()


def assert_ledger_clean():
    result = run_audit()
    assert result.ok, [str(v) for v in result.violations]


def ready_for_approval(application=None, **funding):
    """A death claim (new, or the draft given) submitted, reviewed and verified:
    waiting for an approver."""
    application = application or death_claim(**funding)
    services.application_submit(application, actor=application.applicant)
    tasks.review_application.apply(args=[application.pk])
    services.cardholder_verify_death(
        application,
        actor=staff_with("verify_life_event", "review_application"),
        date_of_death=date(2026, 1, 3),
        certificate_number="DC-77",
    )
    application.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION
    return application


def token_client(user):
    token, _created = Token.objects.get_or_create(user=user)
    if user.is_staff:  # a staff token carries its second factor
        from accounts.staff_otp import staff_token_issue
        from tests.conftest import staff_device

        token = staff_token_issue(user, staff_device(user))
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def run_at_once(function, calls, *, threads):
    """Run `function(n)` for n in range(calls) on `threads` threads released together.

    Each call closes its thread's database connection when it ends. Returns the
    results in call order; an exception is returned as its repr (the test shows it).
    """
    barrier = threading.Barrier(threads)
    released = threading.local()

    def call(n):
        try:
            if not getattr(released, "done", False):
                released.done = True
                barrier.wait(timeout=60)
            return function(n)
        except Exception as exc:  # the test asserts on it
            return f"error: {exc!r}"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(call, range(calls)))


# --- a worker of our own ------------------------------------------------------------------


def _route_tasks_to(app, queue):
    """Send every task to `queue` (None: back to the default queue)."""
    app.conf.task_routes = {"*": {"queue": queue}} if queue else None
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)


@pytest.fixture
def fault_worker(django_db_setup, document_root, tmp_path, settings):
    """A worker of this test alone (not started yet): the test starts, kills and
    restarts it. Tasks published by the test go to its queue. Stopped at the end."""
    url = redis_url()
    if not url or not redis_answers(url):
        need("Redis (set CELERY_BROKER_URL=redis://...)")
    from tests.conftest import is_postgres

    if not is_postgres():
        need("PostgreSQL (set DATABASE_URL=postgres://...)")
    from sscard.celery import app

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = worker_env(
        database_url=_test_database_url(),
        broker_url=url,
        mail_dir=mail_dir,
        document_root=document_root,
    )
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _route_tasks_to(app, FAULT_QUEUE)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(FAULT_QUEUE)
    worker = WorkerProcess(env, tmp_path, queue=FAULT_QUEUE, name="reliability")
    worker.mail_dir = mail_dir
    try:
        yield worker
    finally:
        worker.stop()
        _route_tasks_to(app, None)
        # Redis may be what the test broke (it restarts it); leftovers are harmless then.
        with contextlib.suppress(Exception), app.connection_for_write() as conn:
            conn.default_channel.queue_purge(FAULT_QUEUE)


def wait_for(predicate, timeout=60, interval=0.2, between=None):
    """Poll `predicate` until it is true; `between()` runs between polls (a sweeper)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if between is not None:
            between()
        time.sleep(interval)
    return predicate()
