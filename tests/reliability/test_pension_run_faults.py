"""The pension run survives a worker killed mid-run: a re-run pays the rest and no
pensioner-month is paid twice; two workers split the ranges."""

import time
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count
from django.utils import timezone

from accounts import ledger
from pensions import tasks
from pensions.models import PensionPayment, RetireeMedicalRate
from tests.factories import CardholderFactory
from tests.pensions.conftest import in_payment
from tests.reliability.conftest import assert_ledger_clean, ledger_audit, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PENSIONERS = 60


def _pensioners():
    ledger.fund_account_open("pension", "000000")
    # The run also credits retirees' medical accounts; this transactional test's flush
    # removed the seeded fund and rate, so they are set up again.
    ledger.fund_account_open("medical", "000000")
    RetireeMedicalRate.objects.get_or_create(
        region="000000",
        from_month=date(2022, 1, 1),
        defaults={"amount": Decimal("60.00"), "source": "Test figure"},
    )
    for n in range(PENSIONERS):
        holder = CardholderFactory()
        # Some personal accounts hold less than a month: the fund pays the rest.
        in_payment(
            holder,
            starts_on=date(2026, 1, 1),
            basic="1500.00",
            personal="800.00",
            balance="500.00" if n % 5 == 0 else "90000.00",
        )


def _paid():
    return PensionPayment.objects.count()


@pytest.mark.celery_worker
def test_sigkill_the_worker_mid_run_then_run_again(fault_worker):
    _pensioners()
    month = timezone.localdate().replace(day=1)
    # Every month from January to this one is due once (the earlier ones as back pay,
    # as for a claim approved late); the living check holds until January next year.
    months = month.month
    fault_worker.start()
    tasks.pension_queue_month(month, range_size=2)  # 30 small ranges
    time.sleep(0.8)
    fault_worker.kill()
    after_kill = _paid()

    fault_worker.start()
    tasks.pension_queue_month(month, range_size=2)
    assert wait_for(lambda: _paid() == PENSIONERS * months, timeout=120), fault_worker.log_tail()
    time.sleep(1)
    per_month = PensionPayment.objects.values("claim_id", "month").annotate(n=Count("id"))
    assert {row["n"] for row in per_month} == {1}
    # The ledger: one pension transaction per payment row, the audit clean.
    from accounts.models import LedgerTransaction

    assert LedgerTransaction.objects.filter(kind="pension").count() == PENSIONERS * months
    exhausted = PensionPayment.objects.filter(month=month, personal_from_fund=Decimal("800.00"))
    assert exhausted.count() == PENSIONERS // 5
    assert_ledger_clean()
    assert "Ledger OK" in ledger_audit()
    print(f"pension months paid before the kill: {after_kill} of {PENSIONERS * months}")
