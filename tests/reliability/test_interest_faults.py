"""The interest run survives a worker killed mid-run: a re-run completes the rest and
nothing is posted twice."""

import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db.models import Count

from accounts import ledger, tasks
from accounts.models import Account, LedgerEntry, LedgerTransaction
from tests.factories import CardholderFactory
from tests.reliability.conftest import assert_ledger_clean, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOLDERS = 40  # 80 personal accounts


def _population():
    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED)
    for n in range(HOLDERS):
        holder = CardholderFactory()
        for scheme in ("pension", "medical"):
            account = holder.accounts.get(scheme=scheme, kind="personal")
            ledger.post(
                kind=LedgerTransaction.Kind.CONTRIBUTION,
                idempotency_key=f"fault-{n}-{scheme}",
                legs=[
                    ledger.Leg(received.pk, Decimal("-500.00")),
                    ledger.Leg(account.pk, Decimal("500.00")),
                ],
                posted_at=datetime(2024, 3, 1, tzinfo=UTC),
            )


def _credited():
    return LedgerTransaction.objects.filter(kind="interest").count()


@pytest.mark.celery_worker
def test_sigkill_the_worker_mid_run_then_run_again(fault_worker):
    _population()
    fault_worker.start()
    tasks.interest_queue_year(2024, range_size=3)  # about 95 small ranges
    time.sleep(0.8)
    fault_worker.kill()
    after_kill = _credited()

    # The operator runs it again; a fresh worker takes the ranges (with what the dead
    # worker held or had not started) and posts only what is missing.
    fault_worker.start()
    tasks.interest_queue_year(2024, range_size=3)
    assert wait_for(lambda: _credited() == 2 * HOLDERS, timeout=90), fault_worker.log_tail()
    time.sleep(1)
    per_account = (
        LedgerEntry.objects.filter(kind="interest", account__kind="personal")
        .values("account_id")
        .annotate(n=Count("id"))
    )
    assert {row["n"] for row in per_account} == {1}
    assert len(per_account) == 2 * HOLDERS
    assert_ledger_clean()
    print(f"interest posted before the kill: {after_kill} of {2 * HOLDERS}")
