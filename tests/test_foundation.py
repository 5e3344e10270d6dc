"""The project's frame: configuration, health, migrations, the Celery round trip."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from tests.worker import ROOT

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x7#Kq2!vR9@mZ4$wL8^pN3&tY6*bH1(cJ5)dF0_gS-eA+uQ=oI",
    "DJANGO_ALLOWED_HOSTS": "sscard.example.org",
    "SSCARD_PII_SALT_KEYS": "Qm9yZWFsaXMtc2FsdC0yMDI2LTExLTI1",
    "SSCARD_ID_HASH_KEY": "u8Zr1cW3pL6tN0yQ4vB7xE2hK5mA9sD",
    "SSCARD_DOCUMENT_SIGNING_KEYS": "Xh3f2JqgC9m1bq3WwK1n2mJ5d0zL8c7sT4vR6yP0aQE",
}
# Production settings minus one variable: start-up names the missing one.
PRODUCTION_MINUS = [
    ({k: v for k, v in PRODUCTION_ENV.items() if k != missing}, missing)
    for missing in (
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "SSCARD_PII_SALT_KEYS",
        "SSCARD_ID_HASH_KEY",
        "SSCARD_DOCUMENT_SIGNING_KEYS",
    )
]


def manage(*args, env_overrides=None, drop=()):
    # The browser tests' async-unsafe switch must not leak into a deployment check.
    drop = (*drop, "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(env_overrides or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_deploy_check_passes_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides=PRODUCTION_ENV,
        drop=("CELERY_BROKER_URL",),
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        *PRODUCTION_MINUS,
        ({"DATABASE_URL": "oracle://db/sscard"}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": "ftp://broker"}, "CELERY_BROKER_URL"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DATABASE_CONN_MAX_AGE": "forever"}, "DATABASE_CONN_MAX_AGE"),
    ],
)
def test_bad_configuration_is_one_clear_line(overrides, named):
    drop = tuple(PRODUCTION_ENV)
    result = manage("check", env_overrides=overrides, drop=drop)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.django_db
def test_healthz_names_the_broker_when_it_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_task_queued_through_redis_is_run_by_the_worker(celery_worker):
    from sscard.celery import ping

    result = ping.delay()
    assert result.get(timeout=30) == "pong"
    assert b"sscard.ping" in celery_worker.log_path.read_bytes()
