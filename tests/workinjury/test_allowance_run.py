"""The monthly disability allowance of grades 1-4 (WIR Art. 35) is paid by the monthly
benefit run, once per person-month, from the region's work-injury fund."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Account
from benefits import payment_run
from tests.workinjury.conftest import REGION, TODAY, recognised, wages
from workinjury import services
from workinjury.models import InjuryAllowancePayment, InjuryNursingPayment

pytestmark = pytest.mark.django_db


@pytest.fixture
def grade_2(gang, rita, dora, cora, nursing_rates, django_capture_on_commit_callbacks):
    wages(gang.cardholder, [Decimal("8000.00")] * 12)
    claim = recognised(gang, rita, dora, django_capture_on_commit_callbacks)
    appraisal = services.appraisal_apply(claim, actor=gang, condition_stable=True, today=TODAY)
    services.appraisal_conclude(
        appraisal, actor=cora, grade=2, self_care="mostly", today=date(2026, 12, 10)
    )
    return claim


def test_each_month_is_paid_once_from_the_month_after_the_conclusion(grade_2):
    fund = Account.objects.get(system_code=f"fund_work_injury_{REGION}")
    before = Account.objects.get(pk=fund.pk).balance
    _plan, december = payment_run.pay_month("2026-12", today=TODAY)
    assert december.paid == 0 and not InjuryAllowancePayment.objects.exists()
    _plan, january = payment_run.pay_month("2027-01", today=date(2027, 1, 5))
    # The disability allowance and the nursing allowance, one month each.
    assert january.paid == 2
    _plan, again = payment_run.pay_month("2027-01", today=date(2027, 1, 5))
    assert (again.paid, again.already_paid) == (0, 2)
    payment = InjuryAllowancePayment.objects.get()
    # 85 % × 8 000.00
    assert (payment.month, payment.amount) == (date(2027, 1, 1), Decimal("6800.00"))
    # and, mostly unable to care for himself, the nursing allowance: 40 % × 10 000.00.
    nursing = InjuryNursingPayment.objects.get()
    assert (nursing.month, nursing.amount) == (date(2027, 1, 1), Decimal("4000.00"))
    assert Account.objects.get(pk=fund.pk).balance == before - Decimal("10800.00")
    assert payment.transaction.idempotency_key == (
        f"injury-allowance:{grade_2.cardholder_id}:2027-01"
    )


def test_a_missing_fund_refuses_the_person_and_pays_nothing(grade_2):
    Account.objects.filter(system_code=f"fund_work_injury_{REGION}").update(
        system_code="fund_work_injury_moved"
    )
    _plan, result = payment_run.pay_month("2027-01", today=date(2027, 1, 5))
    # Refused for the disability and for the nursing allowance alike.
    assert result.refused == [(grade_2.pk, "work_injury_fund_missing")] * 2
    assert not InjuryAllowancePayment.objects.exists()
    assert not InjuryNursingPayment.objects.exists()


def test_no_allowance_once_the_death_from_the_injury_is_recorded(grade_2, rita):
    from workinjury import death_services
    from workinjury.allowance_run import pay_allowances, pay_nursing_allowances

    death_services.work_death_record(
        grade_2,
        actor=rita,
        died_on=date(2026, 12, 20),
        dependants=[{"name": "Li Mei", "relation": "spouse"}],
        today=date(2026, 12, 21),
    )
    result = pay_allowances(date(2027, 1, 1))
    assert result.paid == 0 and not InjuryAllowancePayment.objects.exists()
    assert pay_nursing_allowances(date(2027, 1, 1)).paid == 0
