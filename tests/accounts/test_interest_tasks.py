"""The interest run as Celery tasks: id ranges that any number of workers share."""

import time
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from accounts import interest_service, ledger, tasks
from accounts.audit import run_audit
from accounts.models import Account, LedgerTransaction
from tests.factories import CardholderFactory

TODAY = date(2026, 12, 2)


def _population(count):
    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED)
    for n in range(count):
        holder = CardholderFactory()
        for scheme in ("pension", "medical"):
            account = holder.accounts.get(scheme=scheme, kind="personal")
            ledger.post(
                kind=LedgerTransaction.Kind.CONTRIBUTION,
                idempotency_key=f"pop-{n}-{scheme}",
                legs=[
                    ledger.Leg(received.pk, Decimal("-1000.00")),
                    ledger.Leg(account.pk, Decimal("1000.00")),
                ],
                posted_at=datetime(2023, 12, 1, tzinfo=UTC),
            )


def _interest_count():
    return LedgerTransaction.objects.filter(kind="interest").count()


def test_the_beat_job_runs_each_january_for_the_year_just_ended():
    entry = django_settings.CELERY_BEAT_SCHEDULE["credit-interest-last-year"]
    assert entry["task"] == "accounts.credit_interest_last_year"
    assert entry["schedule"].month_of_year == {1}
    assert django_settings.CELERY_TIMEZONE == django_settings.TIME_ZONE


@pytest.mark.django_db
def test_queued_ranges_post_each_account_once_eagerly():
    _population(4)
    plan = tasks.interest_queue_year(2024, range_size=3)
    assert len(plan.ranges) >= 2
    assert _interest_count() == 8
    tasks.interest_queue_year(2024, range_size=3)  # a second run
    assert _interest_count() == 8


@pytest.mark.django_db
def test_a_run_cut_short_is_completed_by_the_next_and_nothing_posts_twice():
    _population(6)
    plan = interest_service.interest_run_plan(2024, today=TODAY, range_size=4)
    first, stop = plan.ranges[0]
    done = interest_service.interest_credit_range(plan, first, stop).posted
    assert 0 < done < 12  # the run stopped after its first range

    out = StringIO()
    call_command("credit_interest", "--year", "2024", "--range-size", "4", stdout=out)
    assert f"Posted interest 2024 on {12 - done} account(s)." in out.getvalue()
    assert f"Already posted before: {done}" in out.getvalue()
    assert _interest_count() == 12
    assert run_audit().ok


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_real_worker_runs_the_ranges(celery_worker):
    _population(10)
    out = StringIO()
    call_command("credit_interest", "--year", "2024", "--queue", "--range-size", "5", stdout=out)
    assert "range(s) of accounts for interest 2024" in out.getvalue()
    deadline = time.monotonic() + 60
    while _interest_count() < 20 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _interest_count() == 20, celery_worker.log_path.read_text()[-3000:]
    # Queued again (a retried beat job): the worker posts nothing more.
    tasks.interest_queue_year(2024, range_size=5)
    time.sleep(2)
    assert _interest_count() == 20
    assert run_audit().ok
