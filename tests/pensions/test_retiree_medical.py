"""The retiree's personal medical account credited monthly by the region's medical
pool in the pension run (RULES §8): the regional figure as data, a missing one refused
by name, once per pensioner-month, through the bulk ledger writer."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts import ledger
from accounts.models import LedgerTransaction
from pensions import payment_run
from pensions.models import RetireeMedicalCredit, RetireeMedicalRate
from tests.pensions.conftest import REGION
from tests.pensions.test_pension_run import audit_clean, claim, pay, pension_fund  # noqa: F401

D = Decimal


def medical(cardholder):
    return cardholder.accounts.get(scheme="medical", kind="personal")


def test_each_month_paid_credits_the_medical_account_once(claim):  # noqa: F811
    account = medical(claim.cardholder)
    before = account.balance
    fund = ledger.fund_account("medical", REGION)
    # August paid, then October with September as back pay: three months, 60.00 each.
    result = pay("2026-08", today=date(2026, 8, 3))
    assert result.medical_credits == 1
    RetireeMedicalRate.objects.create(
        region=REGION, from_month=date(2026, 10, 1), percent=D("2.5"), source="Test figure"
    )
    result = pay("2026-10", today=date(2026, 10, 1))
    assert (result.months_paid, result.medical_credits) == (2, 2)
    credits = {c.month: c.amount for c in RetireeMedicalCredit.objects.filter(claim=claim)}
    # From October 2.5 % of the 2,507.37 pension: 62.68425 → 62.68.
    assert credits == {
        date(2026, 8, 1): D("60.00"),
        date(2026, 9, 1): D("60.00"),
        date(2026, 10, 1): D("62.68"),
    }
    account.refresh_from_db()
    assert account.balance == before + D("182.68")
    fund.refresh_from_db()
    assert fund.balance == D("-182.68")
    txn = RetireeMedicalCredit.objects.get(claim=claim, month=date(2026, 8, 1)).transaction
    assert txn.kind == "retiree_medical"
    assert txn.idempotency_key == f"retiree-medical:{claim.pk}:2026-08"
    assert {e.account_id: e.amount for e in txn.entries.all()} == {
        fund.pk: D("-60.00"),
        account.pk: D("60.00"),
    }
    # Again: nothing more.
    assert pay("2026-10", today=date(2026, 10, 1)).medical_credits == 0
    assert LedgerTransaction.objects.filter(kind="retiree_medical").count() == 3
    audit_clean()


def test_a_missing_rate_refuses_the_run_by_name(claim):  # noqa: F811
    RetireeMedicalRate.objects.filter(region=REGION).delete()
    with pytest.raises(CommandError) as caught:
        call_command("pay_pensions", "--month", "2026-08")
    assert "[missing_retiree_medical_rate] Nothing was paid." in str(caught.value)
    assert "320100 2026-08" in str(caught.value)
    assert not RetireeMedicalCredit.objects.exists()
    assert not LedgerTransaction.objects.filter(kind="pension").exists()


def test_a_missing_medical_fund_refuses_the_run_by_name(claim):  # noqa: F811
    fund = ledger.fund_account("medical", REGION)
    type(fund).objects.filter(pk=fund.pk).update(system_code="fund_medical_999999")
    with pytest.raises(payment_run.MissingMedicalFund) as caught:
        pay("2026-08", today=date(2026, 8, 3))
    assert caught.value.code == "missing_medical_fund"
    assert "320100" in str(caught.value.message)


def test_a_closed_medical_account_holds_back_the_credit_not_the_pension(claim):  # noqa: F811
    type(medical(claim.cardholder)).objects.filter(pk=medical(claim.cardholder).pk).update(
        status="closed"
    )
    result = pay("2026-08", today=date(2026, 8, 3))
    assert result.months_paid == 1
    assert result.refused == [(claim.pk, "retiree_medical_account_closed")]
    assert not RetireeMedicalCredit.objects.exists()
