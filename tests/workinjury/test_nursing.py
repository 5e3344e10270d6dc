"""The nursing allowance (生活护理费, WIR Art. 34): a worker the committee finds unable
to care for themself is paid a month by month share of the regional average wage by
self-care level; the shares are regional data, and a region without one refuses,
naming region and level. Region 990100's 2025 average wage is 10 000.00."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import Account, LedgerTransaction
from benefits import payment_run
from tests.workinjury.conftest import REGION, TODAY, recognised, wages
from workinjury import nursing_rules, selectors, services
from workinjury.allowance_run import pay_nursing_allowances
from workinjury.exceptions import NursingRateMissing
from workinjury.models import (
    InjuryNursingPayment,
    InjuryRecognition,
    LabourCapacityAppraisal,
    NursingAllowanceRate,
)

CONCLUDED = date(2026, 12, 10)
PERCENTS = {"wholly": Decimal("50.00"), "mostly": Decimal("40.00"), "partial": Decimal("30.00")}

# --- the pure rule -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "average", "amount"),
    [
        ("wholly", "10000.00", "5000.00"),  # 50 % × 10 000.00
        ("mostly", "10000.00", "4000.00"),  # 40 % × 10 000.00
        ("partial", "10000.00", "3000.00"),  # 30 % × 10 000.00
        ("partial", "12345.67", "3703.70"),  # 30 % × 12 345.67 = 3 703.701
        ("wholly", "9999.99", "5000.00"),  # 50 % × 9 999.99 = 4 999.995, half up
    ],
)
def test_each_level_is_its_share_of_the_regional_average(level, average, amount):
    result = nursing_rules.nursing_allowance(
        self_care=level, percents=PERCENTS, regional_average=Decimal(average), region=REGION
    )
    assert (result.self_care, result.percent, result.amount) == (
        level,
        PERCENTS[level],
        Decimal(amount),
    )


def test_a_worker_who_can_care_for_themself_gets_none():
    assert (
        nursing_rules.nursing_allowance(
            self_care="none", percents=PERCENTS, regional_average=Decimal("1"), region=REGION
        )
        is None
    )


def test_a_missing_figure_refuses_naming_region_and_level():
    with pytest.raises(nursing_rules.NursingRuleError) as refused:
        nursing_rules.nursing_allowance(
            self_care="mostly",
            percents={"wholly": Decimal("50.00")},
            regional_average=Decimal("10000.00"),
            region=REGION,
        )
    assert refused.value.code == "nursing_allowance_rate_missing"
    assert refused.value.params == {"region": REGION, "self_care": "mostly"}


# --- the conclusion fixes it --------------------------------------------------------------


@pytest.fixture
def claim(db, gang, rita, dora, django_capture_on_commit_callbacks):
    wages(gang.cardholder, [Decimal("8000.00")] * 12)
    return recognised(gang, rita, dora, django_capture_on_commit_callbacks)


def conclude(claim, gang, cora, self_care, grade=5):
    appraisal = services.appraisal_apply(claim, actor=gang, condition_stable=True, today=TODAY)
    return services.appraisal_conclude(
        appraisal, actor=cora, grade=grade, self_care=self_care, today=CONCLUDED
    )


@pytest.mark.django_db
def test_the_conclusion_fixes_the_allowance_and_tells_the_worker_its_basis(
    claim, gang, cora, nursing_rates, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appraisal = conclude(claim, gang, cora, "wholly")
    appraisal.refresh_from_db()
    assert (appraisal.nursing_percent, appraisal.nursing_regional_average) == (
        Decimal("50.00"),
        Decimal("10000.00"),
    )
    assert (appraisal.nursing_regional_year, appraisal.nursing_allowance) == (
        2025,
        Decimal("5000.00"),
    )
    claim.refresh_from_db()
    assert (claim.nursing_allowance, claim.nursing_from) == (Decimal("5000.00"), date(2027, 1, 1))
    # Told with the basis and how to contest it.
    body = mailoutbox[-1].body
    assert "nursing allowance is 50.00 % of the 2025 regional average monthly wage" in body
    assert "5000.00 a month" in body and "Art. 34" in body
    assert "administrative reconsideration" in body and "60 days" in body
    (note,) = [e.note for e in appraisal.events.filter(note_code="nursing_allowance_fixed")]
    assert "wholly unable to care for themself" in note and "Art. 34" in note


@pytest.mark.django_db
def test_a_region_without_the_figure_refuses_the_conclusion_and_pays_nothing(
    claim, gang, cora, nursing_rates
):
    nursing_rates["partial"].delete()
    with pytest.raises(NursingRateMissing) as refused:
        conclude(claim, gang, cora, "partial")
    assert refused.value.code == "nursing_allowance_rate_missing"
    assert refused.value.params == {"region": REGION, "self_care": "partial"}
    assert REGION in refused.value.message and "Partly unable" in refused.value.message
    assert LabourCapacityAppraisal.objects.get().status == "applied"
    assert not LedgerTransaction.objects.filter(kind="benefit").exists()


@pytest.mark.django_db
def test_able_to_care_for_themself_no_nursing_allowance(claim, gang, cora):
    conclude(claim, gang, cora, "none")
    claim.refresh_from_db()
    assert (claim.nursing_allowance, claim.nursing_from) == (Decimal("0.00"), None)
    # No rate is needed, and the API says there is none.
    assert not NursingAllowanceRate.objects.filter(region=REGION).exists()
    assert selectors.recognition_body(claim)["nursing_allowance"] is None


# --- the monthly run pays it ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_monthly_run_pays_each_month_once(claim, gang, cora, nursing_rates):
    conclude(claim, gang, cora, "mostly", grade=6)
    fund = Account.objects.get(system_code=f"fund_work_injury_{REGION}")
    before = Account.objects.get(pk=fund.pk).balance
    _plan, december = payment_run.pay_month("2026-12", today=TODAY)
    assert december.paid == 0 and not InjuryNursingPayment.objects.exists()
    _plan, january = payment_run.pay_month("2027-01", today=date(2027, 1, 5))
    assert january.paid == 1
    _plan, again = payment_run.pay_month("2027-01", today=date(2027, 1, 5))
    assert (again.paid, again.already_paid) == (0, 1)
    assert pay_nursing_allowances(date(2027, 1, 1)).already_paid == 1
    payment = InjuryNursingPayment.objects.get()
    # 40 % × 10 000.00; grade 6 has no disability allowance, so only this moved.
    assert (payment.month, payment.amount) == (date(2027, 1, 1), Decimal("4000.00"))
    assert payment.transaction.idempotency_key == f"injury-nursing:{claim.cardholder_id}:2027-01"
    assert Account.objects.get(pk=fund.pk).balance == before - Decimal("4000.00")
    payment_run.pay_month("2027-02", today=date(2027, 2, 5))
    assert list(InjuryNursingPayment.objects.values_list("month", "amount")) == [
        (date(2027, 1, 1), Decimal("4000.00")),
        (date(2027, 2, 1), Decimal("4000.00")),
    ]


# --- shown on the API and the page -------------------------------------------------------


@pytest.mark.django_db
def test_the_api_and_the_page_show_the_allowance_with_its_working(
    claim, gang, cora, nursing_rates, client
):
    conclude(claim, gang, cora, "partial")
    pay_nursing_allowances(date(2027, 1, 1))
    api = APIClient()
    api.force_authenticate(gang)
    body = api.get("/api/v1/benefits/work-injury/", HTTP_ACCEPT_LANGUAGE="en").json()
    nursing = body["nursing_allowance"]
    assert {key: nursing[key] for key in ("self_care", "percent", "amount", "from")} == {
        "self_care": "partial",
        "percent": "30.00",
        "amount": "3000.00",
        "from": "2027-01",
    }
    assert (nursing["regional_average"], nursing["regional_year"]) == ("10000.00", 2025)
    assert nursing["legal_basis"] == "Regulations on Work-Related Injury Insurance, Art. 34"
    assert (
        "30.00 % of the 2025 regional average monthly wage 10000.00 = 3000.00" in (nursing["line"])
    )
    assert "60 days" in nursing["how_to_contest"]
    assert ("nursing_allowance", "2027-01", "3000.00") in [
        (p["kind"], p["month"], p["amount"]) for p in body["payments"]
    ]
    # Fields only added: the others are still there.
    for key in ("grade", "own_wage", "one_time_subsidy", "monthly_allowance", "working"):
        assert key in body
    client.force_login(gang)
    page = client.get("/work-injury/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="nursing">3000.00' in page
    assert "30.00 % of the 2025 regional average monthly wage" in page
    assert 'data-kind="nursing_allowance"' in page
    assert InjuryRecognition.objects.get().nursing_allowance == Decimal("3000.00")


@pytest.mark.django_db
def test_the_demo_regions_carry_the_national_shares_labelled_as_demo_data():
    rates = NursingAllowanceRate.objects.filter(region="110100")
    assert {row.self_care: row.percent for row in rates} == PERCENTS
    assert all("WIR Art. 34" in row.source and "DEMO" in row.source for row in rates)
