"""Shared fixtures: real services when present, a clear skip (or failure in CI) when not."""

import os
import re
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from tests.worker import WorkerProcess, worker_env

REQUIRE_SERVICES = os.environ.get("SSCARD_REQUIRE_SERVICES") == "1"


def need(what):
    """Skip a test that needs `what`, or fail it where services are required (CI)."""
    message = f"needs {what}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}, and SSCARD_REQUIRE_SERVICES=1 says it must be there")
    pytest.skip(message)


def is_postgres():
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def redis_url():
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis") else ""


def redis_answers(url):
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def shared_cache_answers():
    """The default cache is a Redis, which every process of a site shares, and it answers."""
    cache = settings.CACHES["default"]
    if "redis" not in cache["BACKEND"].lower():
        return False
    location = cache["LOCATION"]
    return redis_answers(location[0] if isinstance(location, list) else location)


@pytest.fixture(autouse=True)
def _services_for_markers(request):
    if request.node.get_closest_marker("postgres") and not is_postgres():
        need("PostgreSQL (set DATABASE_URL=postgres://...)")
    if request.node.get_closest_marker("redis") or request.node.get_closest_marker("celery_worker"):
        url = redis_url()
        if not url or not redis_answers(url):
            need("Redis (set CELERY_BROKER_URL=redis://...)")


@pytest.fixture(autouse=True)
def _english_and_clean_cache(settings):
    # Assertions read English text; the Chinese pages have their own tests.
    settings.LANGUAGE_CODE = "en"
    from django.core.cache import cache

    cache.clear()


DB_FIXTURES = ("transactional_db", "live_server", "db")


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush every table, the migrations' starting data included,
    so every database test makes sure the national rates, the national rule for the
    retired and the system accounts exist."""
    requested = [name for name in DB_FIXTURES if name in request.fixturenames]
    if not requested and request.node.get_closest_marker("django_db") is None:
        return
    if requested:
        request.getfixturevalue(requested[0])
    from accounts.models import Account, ContributionRate, InterestRate, RetiredContributionRule
    from accounts.reference_data import (
        ensure_interest_rates,
        ensure_national_defaults,
        ensure_retired_rule,
    )

    ensure_national_defaults(ContributionRate, Account)
    ensure_interest_rates(InterestRate)
    ensure_retired_rule(RetiredContributionRule)


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """Text messages are kept in memory, as Django keeps the tests' e-mails."""
    from core import sms

    settings.SSCARD_SMS_BACKEND = "core.sms.LocmemBackend"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture(autouse=True)
def _eager_celery():
    """Run tasks in process unless a test asks for the real worker."""
    from sscard.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def document_root(tmp_path_factory):
    """One document folder for the session, shared with the worker process."""
    return tmp_path_factory.mktemp("documents")


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, document_root):
    settings.DOCUMENT_ROOT = document_root


def _test_database_url():
    db = settings.DATABASES["default"]
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + db["NAME"]))


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, document_root, tmp_path_factory):
    """A real `celery worker` on Redis, using the test database; stopped at the end."""
    url = redis_url()
    if not url or not redis_answers(url) or not is_postgres():
        yield None
        return
    from sscard.celery import app

    app.conf.task_always_eager = False
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    env = worker_env(
        database_url=_test_database_url(),
        broker_url=url,
        mail_dir=tmp_path_factory.mktemp("mail"),
        document_root=document_root,
    )
    worker = WorkerProcess(env, tmp_path_factory.mktemp("celery"), name="test").start()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(request, celery_worker_process, settings):
    """Use in a `transactional_db` test: tasks go through Redis to the worker process."""
    if celery_worker_process is None:
        need("PostgreSQL, Redis and a Celery worker")
    from sscard.celery import app

    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    yield celery_worker_process


# --- staff second factor -------------------------------------------------------------

STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def staff_device(user):
    """The staff member's confirmed authenticator (created with a known secret)."""
    from accounts.staff_otp import totp_device_for

    return totp_device_for(user, secret=STAFF_TOTP_SECRET, confirmed=True)


def totp_code(user):
    """The 6 digits the staff member's authenticator shows now."""
    from django_otp.oath import totp

    device = staff_device(user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def otp_login(client, user):
    """Log a staff member in as if they typed their password and TOTP code: the test
    client's session carries the verified device, as django_otp.login leaves it."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    if user.is_staff:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = staff_device(user).persistent_id
        session.save()
    return client


# --- the whole run's log ------------------------------------------------------------
# With SSCARD_LOG_FILE set (`make test` sets it), every process of the run — this one,
# the Celery workers and servers the tests start — appends its log records to that
# file through the configured formatter. At the end the file is scanned: one full
# national ID number in it fails the run.


ID_SHAPED = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")


def _run_log():
    return os.environ.get("SSCARD_LOG_FILE", "")


def pytest_sessionstart(session):
    if _run_log() and not hasattr(session.config, "workerinput"):
        os.makedirs(os.path.dirname(os.path.abspath(_run_log())), exist_ok=True)
        open(_run_log(), "w").close()  # truncate: this run only


def full_id_numbers_in(lines):
    """(line number, masked number) for every valid full ID number in `lines`."""
    from django.core.exceptions import ValidationError

    from accounts.validators import mask_national_id, parse_national_id

    found = []
    for number, line in enumerate(lines, 1):
        for match in ID_SHAPED.finditer(line):
            try:
                parse_national_id(match.group(0))
            except ValidationError:
                continue
            found.append((number, mask_national_id(match.group(0))))
    return found


def pytest_sessionfinish(session, exitstatus):
    path = _run_log()
    if not path or hasattr(session.config, "workerinput") or not os.path.exists(path):
        return
    with open(path, encoding="utf-8", errors="replace") as log:
        lines = log.readlines()
    leaks = full_id_numbers_in(lines)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(
            f"run log {path}: {len(lines)} lines scanned, {len(leaks)} full ID numbers"
        )
    if leaks:
        for line, masked in leaks[:20]:
            reporter.write_line(f"  line {line}: a full ID number ({masked})", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
