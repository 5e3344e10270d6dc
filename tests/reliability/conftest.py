"""Helpers of the reliability tests: claims ready for a decision, many threads at once,
a Celery worker process of their own that can be killed and started again, and the
private Redis and PostgreSQL servers the fault tests stop and restart."""

import contextlib
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.audit import run_audit
from tests.conftest import _test_database_url, is_postgres, need, redis_answers, redis_url
from tests.factories import death_claim, staff_with, verify_applicant
from tests.reliability.private_services import PrivatePostgres, PrivateRedis, shared_services_state
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
        certificate_number=f"DC-77-{application.cardholder_id}",
    )
    verify_applicant(application)
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


def _fault_worker(app, env, tmp_path, settings, mail_dir):
    """A worker of this test alone (not started yet) on `env`'s broker: the test starts,
    kills and restarts it. Tasks published by the test go to its queue."""
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _route_tasks_to(app, FAULT_QUEUE)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(FAULT_QUEUE)
    worker = WorkerProcess(env, tmp_path, queue=FAULT_QUEUE, name="reliability")
    worker.mail_dir = mail_dir
    return worker


def _stop_fault_worker(app, worker):
    worker.stop()
    _route_tasks_to(app, None)
    # Redis may be what the test broke; leftovers are harmless then.
    with contextlib.suppress(Exception), app.connection_for_write() as conn:
        conn.default_channel.queue_purge(FAULT_QUEUE)


def _need_worker_services():
    url = redis_url()
    if not url or not redis_answers(url):
        need("Redis (set CELERY_BROKER_URL=redis://...)")
    if not is_postgres():
        need("PostgreSQL (set DATABASE_URL=postgres://...)")
    return url


@pytest.fixture
def fault_worker(django_db_setup, document_root, tmp_path, settings):
    """A worker of this test alone on the configured Redis and test database (not
    started yet): the test starts, kills and restarts it. Stopped at the end."""
    url = _need_worker_services()
    from sscard.celery import app

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = worker_env(
        database_url=_test_database_url(),
        broker_url=url,
        mail_dir=mail_dir,
        document_root=document_root,
    )
    worker = _fault_worker(app, env, tmp_path, settings, mail_dir)
    try:
        yield worker
    finally:
        _stop_fault_worker(app, worker)


# --- private servers, the only ones a fault test may stop ---------------------------------


@contextlib.contextmanager
def broker_of(app, url):
    """This process publishes to (and purges) the broker at `url` instead."""

    def forget_connections():
        app._pool = None
        app.amqp._producer_pool = None

    saved = app.conf.broker_write_url, app.conf.broker_read_url
    forget_connections()
    app.conf.broker_write_url = app.conf.broker_read_url = url
    try:
        yield
    finally:
        forget_connections()
        app.conf.broker_write_url, app.conf.broker_read_url = saved


@pytest.fixture
def private_redis(tmp_path):
    """A `redis-server` of this test alone, on a free port (running)."""
    server = PrivateRedis(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture
def redis_fault_worker(private_redis, django_db_setup, document_root, tmp_path, settings):
    """`fault_worker` with the broker, and the cache if one is shared, on `private_redis`:
    for this process (publishing, sessions, pages) and for the worker alike, so stopping
    `private_redis` takes down what stopping the site's Redis would."""
    _need_worker_services()
    from sscard.celery import app

    cache_url = None
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        cache_url = private_redis.url(2, scheme="rediscache")
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": private_redis.url(2)}
        }
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = worker_env(
        database_url=_test_database_url(),
        broker_url=private_redis.url(1),
        cache_url=cache_url,
        mail_dir=mail_dir,
        document_root=document_root,
    )
    with broker_of(app, private_redis.url(1)):
        worker = _fault_worker(app, env, tmp_path, settings, mail_dir)
        try:
            yield worker
        finally:
            _stop_fault_worker(app, worker)


@contextlib.contextmanager
def database_at(url):
    """Point this process's default database, every thread's connection, at `url`."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    parts = urlsplit(url)
    target = {
        "HOST": parts.hostname,
        "PORT": str(parts.port),
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "",
        "PASSWORD": parts.password or "",
    }
    # New connections (one per thread) are made from these dicts.
    dicts = {id(d): d for d in (connections.settings["default"], connection.settings_dict)}
    saved = {key: connection.settings_dict.get(key) for key in target}
    connection.close()
    for settings_dict in dicts.values():
        settings_dict.update(target)
    ContentType.objects.clear_cache()  # ids differ from one database to another
    try:
        yield
    finally:
        connection.close()
        for settings_dict in dicts.values():
            settings_dict.update(saved)
        ContentType.objects.clear_cache()


@pytest.fixture
def private_postgres(transactional_db):
    """A PostgreSQL cluster of this test alone, on a free port, with a migrated database
    that this process uses for the test (every thread): the cluster the test may restart."""
    if not is_postgres():
        need("PostgreSQL (set DATABASE_URL=postgres://...)")
    from accounts.models import Account, ContributionRate
    from accounts.reference_data import ensure_national_defaults

    cluster = PrivatePostgres()
    try:
        cluster.start()
        url = cluster.create_database("sscard_faults")
        with database_at(url):
            ensure_national_defaults(ContributionRate, Account)
            yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def shared_services_untouched():
    """Fails the test if a shared server (the configured Redis and PostgreSQL) was
    stopped or restarted while it ran."""
    before = shared_services_state()
    yield before
    after = shared_services_state()
    assert after == before, f"a shared server was stopped or restarted: {before} -> {after}"


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
