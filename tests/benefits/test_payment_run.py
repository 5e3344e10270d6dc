"""The monthly benefit run: once per benefit-month, from the region's unemployment fund,
with the medical contribution the fund pays (SIL Art. 46-48); bad months refused."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts import ledger
from accounts.models import Account, LedgerEntry, LedgerTransaction
from benefits import payment_run, selectors
from benefits.exceptions import InvalidMonth, MissingFigure, MonthTooFarAhead
from benefits.models import BenefitPayment, RegionalMedicalContribution

pytestmark = pytest.mark.django_db


def pay(month):
    out = io.StringIO()
    call_command("pay_benefits", "--month", month, stdout=out)
    return out.getvalue()


def test_a_month_is_paid_once_from_the_regions_fund_with_the_medical_contribution(in_payment):
    month = in_payment.starts_on
    sue = in_payment.cardholder
    pooled = sue.accounts.get(scheme="medical", kind="pooled")
    before = pooled.balance

    assert f"Paid {month:%Y-%m} to 1 benefit(s)" in pay(month.strftime("%Y-%m"))
    again = pay(month.strftime("%Y-%m"))

    assert "Nothing was paid" in again and "Already paid before: 1" in again
    payment = BenefitPayment.objects.get()
    assert (payment.month, payment.amount) == (month, Decimal("1800.00"))
    assert (payment.medical_pooled, payment.medical_personal) == (
        Decimal("126.00"),
        Decimal("0.00"),
    )
    fund = ledger.fund_account("unemployment", "000000")
    fund.refresh_from_db()
    assert fund.system_code == "fund_unemployment_000000"
    assert fund.balance == Decimal("-1926.00")
    payable = ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE)
    assert payable.balance == Decimal("1800.00")
    pooled.refresh_from_db()
    assert pooled.balance - before == Decimal("126.00")
    medical = LedgerTransaction.objects.get(kind="benefit_medical")
    assert medical.idempotency_key == f"benefit-medical:{in_payment.pk}:{month:%Y-%m}"
    assert sum(e.amount for e in LedgerEntry.objects.filter(transaction=medical)) == 0
    body = selectors.unemployment_status(sue)
    assert (body["months_paid"], body["months_left"]) == (1, 17)
    assert body["next_payment_month"] == selectors.add_months(month, 1).strftime("%Y-%m")


def test_next_month_may_be_paid_but_not_the_one_after(in_payment):
    later = selectors.add_months(in_payment.starts_on, 1)
    pay(later.strftime("%Y-%m"))
    assert BenefitPayment.objects.filter(month=later).count() == 1
    too_far = selectors.add_months(in_payment.starts_on, 2).strftime("%Y-%m")
    with pytest.raises(CommandError) as refused:
        pay(too_far)
    assert "month_too_far_ahead" in str(refused.value) and "Nothing was paid" in str(refused.value)
    with pytest.raises(MonthTooFarAhead):
        payment_run.run_plan(too_far)
    for junk in ("2026-13", "26-01", "", "next"):
        with pytest.raises(InvalidMonth):
            payment_run.run_plan(junk)


def test_a_missing_medical_figure_refuses_the_run_naming_it(in_payment):
    RegionalMedicalContribution.objects.all().delete()
    month = in_payment.starts_on.strftime("%Y-%m")
    with pytest.raises(MissingFigure) as missing:
        payment_run.run_plan(month)
    assert missing.value.params["figure"] == "unemployed_medical_contribution"
    assert "000000" in str(missing.value.message)
    with pytest.raises(CommandError):
        pay(month)
    assert not BenefitPayment.objects.exists()
    assert not LedgerTransaction.objects.filter(kind__in=["benefit", "benefit_medical"]).exists()


def test_a_regions_own_figure_wins_over_the_national_default(in_payment):
    RegionalMedicalContribution.objects.create(
        region="000001",
        year=in_payment.starts_on.year,
        to_pooled="1",
        to_personal="1",
        source="other region",
    )
    plan = payment_run.run_plan(in_payment.starts_on.strftime("%Y-%m"))
    assert plan.medical["000000"].to_pooled == Decimal("126.00")


def test_the_last_month_ends_the_benefit(in_payment):
    type(in_payment).objects.filter(pk=in_payment.pk).update(months_entitled=2)
    first = in_payment.starts_on
    payment_run.pay_month(selectors.add_months(first, -1).strftime("%Y-%m"))  # before: not due
    assert not BenefitPayment.objects.exists()
    payment_run.pay_month(first.strftime("%Y-%m"))
    _plan, result = payment_run.pay_month(selectors.add_months(first, 1).strftime("%Y-%m"))
    assert result.exhausted == 1
    in_payment.refresh_from_db()
    assert in_payment.status == "exhausted"
    assert BenefitPayment.objects.count() == 2


def test_the_tasks_pay_each_range_once(in_payment):
    from benefits import tasks

    month = in_payment.starts_on.strftime("%Y-%m")
    plan = tasks.benefits_queue_month(month, range_size=1)
    assert len(plan.ranges) == 1
    tasks.pay_benefits_range.delay(month, None, *plan.ranges[0])  # a re-delivered task
    assert BenefitPayment.objects.count() == 1
