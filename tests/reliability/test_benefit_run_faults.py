"""The monthly benefit run survives a worker killed mid-run: a run queued again pays
the rest, no benefit-month is paid twice and the unemployment fund's medical
contribution (SIL Art. 48) follows each payment once."""

import importlib
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Count
from django.utils import timezone

from accounts import ledger
from accounts.models import LedgerTransaction
from benefits import tasks
from benefits.models import BenefitPayment, UnemploymentClaim, UnemploymentRegistration
from tests.factories import CardholderFactory, UserFactory
from tests.reliability.conftest import assert_ledger_clean, ledger_audit, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BENEFITS = 60
MONTHLY = Decimal("1800.00")


def _benefits_in_payment(month):
    """Sixty people drawing 18 months of benefit from `month`, as approval leaves them."""
    from django.apps import apps

    # A transactional test's flush removed the seeded medical figure; put it back.
    importlib.import_module("benefits.migrations.0005_seed_demo_unemployed_medical").seed(
        apps, None
    )
    ledger.fund_account_open("unemployment", "000000")
    ended = month - timedelta(days=1)
    for n in range(BENEFITS):
        user = UserFactory(username=f"drawing-{n}", password=None)
        holder = CardholderFactory(user=user)
        registration = UnemploymentRegistration.objects.create(
            cardholder=holder,
            job_ended_on=ended,
            how_ended="employer_terminated",
            seeking_work=True,
            registered_on=ended,
        )
        UnemploymentClaim.objects.create(
            reference=f"BU-FAULT-{n:04d}",
            cardholder=holder,
            applicant=user,
            status="in_payment",
            registration=registration,
            contribution_months=84,
            months_entitled=18,
            monthly_amount=MONTHLY,
            amount_region="000000",
            amount_year=month.year,
            starts_on=month,
            decided_at=timezone.now(),
        )


def _paid():
    return BenefitPayment.objects.count()


@pytest.mark.celery_worker
def test_sigkill_the_worker_mid_run_then_queue_it_again(fault_worker):
    month = timezone.localdate().replace(day=1)
    _benefits_in_payment(month)
    fault_worker.start()
    tasks.benefits_queue_month(f"{month:%Y-%m}", range_size=1)  # 60 one-benefit ranges
    # Killed as soon as the first months are paid, while most ranges still wait.
    wait_for(lambda: _paid() > 0, timeout=60, interval=0.01)
    fault_worker.kill()
    after_kill = _paid()

    fault_worker.start()
    tasks.benefits_queue_month(f"{month:%Y-%m}", range_size=1)
    assert wait_for(lambda: _paid() == BENEFITS, timeout=120), fault_worker.log_tail()
    time.sleep(1)

    per_month = BenefitPayment.objects.values("claim_id", "month").annotate(n=Count("id"))
    assert {row["n"] for row in per_month} == {1}
    assert LedgerTransaction.objects.filter(kind="benefit").count() == BENEFITS
    fund = ledger.fund_account("unemployment", "000000")
    fund.refresh_from_db()
    # The fund paid each benefit and, beside it, the person's medical contribution.
    paid = [p.amount + p.medical_pooled + p.medical_personal for p in BenefitPayment.objects.all()]
    assert {p.amount for p in BenefitPayment.objects.all()} == {MONTHLY}
    assert fund.balance == -sum(paid)
    assert_ledger_clean()
    assert "Ledger OK" in ledger_audit()
    print(f"benefit months paid before the kill: {after_kill} of {BENEFITS}")
