"""Death at work (WIR Art. 39): a reviewer records the death and the dependants,
someone else decides; the funeral and one-time subsidies are paid once, the dependants'
pensions month by month by the monthly run, and whoever filed is told the decision, its
basis and how to contest it.

Gang (region 990100, 2025 average wage 10,000.00, own wage 8,000.00) was hurt on
1 November 2026 and died of the injury on 20 November 2026."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from accounts.models import LedgerEntry, LedgerTransaction
from benefits import payment_run
from casework.exceptions import AlreadyDecided, Forbidden, SamePerson
from core.errors import DomainError
from tests.workinjury.conftest import TODAY, injury_staff, recognised, wages
from workinjury import death_services as services
from workinjury import services as injury_services
from workinjury.exceptions import WorkDeathRefused
from workinjury.models import (
    NationalDisposableIncome,
    WorkDeathBenefit,
    WorkDeathDependant,
    WorkDeathPensionPayment,
)

pytestmark = pytest.mark.django_db

D = Decimal
DIED = date(2026, 11, 20)
FAMILY = [
    {"name": "Li Mei", "relation": "spouse"},
    {"name": "Wu Xiaoming", "relation": "child"},
    {"name": "Wu Laoye", "relation": "parent", "lone": True},
]


@pytest.fixture
def income(db):
    row, _created = NationalDisposableIncome.objects.update_or_create(
        year=2025, defaults={"amount": D("54000.00"), "source": "test figure"}
    )
    return row


@pytest.fixture
def claim(gang, rita, dora, income, django_capture_on_commit_callbacks):
    wages(gang.cardholder, [D("8000.00")] * 12)
    return recognised(gang, rita, dora, django_capture_on_commit_callbacks)


def record(claim, rita, family=FAMILY, died_on=DIED):
    return services.work_death_record(
        claim, actor=rita, died_on=died_on, dependants=family, today=TODAY
    )


def fund_moves(benefit):
    keys = [f"work-death-funeral:{benefit.pk}", f"work-death-subsidy:{benefit.pk}"]
    return sorted(
        LedgerEntry.objects.filter(transaction__idempotency_key__in=keys, amount__gt=0).values_list(
            "amount", flat=True
        )
    )


def test_recorded_by_one_decided_by_another_paid_once_with_the_cap(
    claim, gang, rita, dora, django_capture_on_commit_callbacks
):
    type(gang).objects.filter(pk=gang.pk).update(preferred_language="en")
    benefit = record(claim, rita)
    assert benefit.status == "recorded"
    assert [d.name for d in benefit.dependants.all()] == ["Li Mei", "Wu Xiaoming", "Wu Laoye"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        benefit = services.work_death_approve(benefit, actor=dora, today=TODAY)
    benefit.refresh_from_db()
    # 6 × 10,000.00 and 20 × 54,000.00
    assert benefit.funeral_subsidy == D("60000.00")
    assert benefit.one_time_subsidy == D("1080000.00")
    assert fund_moves(benefit) == [D("60000.00"), D("1080000.00")]
    # Spouse 40 % (3,200), child 30 % (2,400), lone elder 40 % (3,200) = 8,800 > 8,000:
    # each × 8,000 / 8,800 → 2,909.09, 2,181.81, 2,909.09 (7,999.99), the fen to the spouse.
    amounts = list(
        WorkDeathDependant.objects.filter(benefit=benefit)
        .order_by("position")
        .values_list("share", "monthly_amount")
    )
    assert amounts == [
        (D("0.40"), D("2909.10")),
        (D("0.30"), D("2181.81")),
        (D("0.40"), D("2909.09")),
    ]
    assert (benefit.own_wage, benefit.pensions_total, benefit.pensions_capped) == (
        D("8000.00"),
        D("8000.00"),
        True,
    )
    assert benefit.pension_from == date(2026, 12, 1)
    assert (benefit.regional_year, benefit.income_year) == (2025, 2025)
    # Whoever filed is told, with the basis and how to contest.
    (notice,) = mail.outbox
    assert notice.to == [gang.email]
    with_contest = notice.body
    assert "60000.00" in with_contest and "1080000.00" in with_contest
    assert "2909.10" in with_contest
    assert "Art. 39" in with_contest and "Art. 83" in with_contest
    # A second decision changes nothing and pays nothing.
    with pytest.raises(AlreadyDecided):
        services.work_death_approve(benefit, actor=dora, today=TODAY)
    assert LedgerTransaction.objects.filter(idempotency_key__startswith="work-death-").count() == 2


def test_the_recorder_cannot_decide_and_a_reviewer_alone_cannot(claim, rita, dora):
    both = injury_staff(
        "bea", "view_injuryrecognition", "review_injuryrecognition", "decide_injuryrecognition"
    )
    benefit = record(claim, both)
    with pytest.raises(SamePerson):
        services.work_death_approve(benefit, actor=both, today=TODAY)
    with pytest.raises(Forbidden):
        services.work_death_approve(benefit, actor=rita, today=TODAY)
    with pytest.raises(Forbidden):
        record(claim, dora)
    assert WorkDeathBenefit.objects.get(pk=benefit.pk).status == "recorded"


def test_a_missing_national_income_refuses_naming_it_and_pays_nothing(claim, rita, dora, income):
    income.delete()
    benefit = record(claim, rita)
    with pytest.raises(DomainError) as err:
        services.work_death_approve(benefit, actor=dora, today=TODAY)
    assert err.value.code == "missing_regional_figure"
    assert err.value.params["figure"] == "national_urban_disposable_income"
    assert err.value.params["year"] == 2025
    assert "disposable income" in str(err.value.message)
    assert WorkDeathBenefit.objects.get(pk=benefit.pk).status == "recorded"
    assert not LedgerTransaction.objects.filter(idempotency_key__startswith="work-death-").exists()


def test_a_missing_regional_wage_of_the_year_before_the_death_refuses(claim, rita, dora):
    benefit = record(claim, rita, died_on=date(2026, 11, 20))
    WorkDeathBenefit.objects.filter(pk=benefit.pk).update(died_on=date(2027, 1, 5))
    with pytest.raises(DomainError) as err:
        services.work_death_approve(benefit, actor=dora, today=TODAY)
    assert err.value.code == "missing_regional_figure"
    assert err.value.params == {"figure": "regional_average_wage", "region": "990100", "year": 2026}


def test_only_after_a_recognised_injury_and_with_known_relations(
    gang, rita, dora, income, django_capture_on_commit_callbacks
):
    wages(gang.cardholder, [D("8000.00")] * 12)
    draft = injury_services.recognition_start(
        applicant=gang, today=TODAY, accident_date=date(2026, 11, 1), description="Fall."
    )
    with pytest.raises(WorkDeathRefused) as err:
        record(draft, rita)
    assert err.value.code == "work_death_not_recognised"
    assert "Art. 39" in err.value.legal_basis
    injury_services.recognition_withdraw(draft, actor=gang)
    claim = recognised(gang, rita, dora, django_capture_on_commit_callbacks)
    with pytest.raises(WorkDeathRefused) as err:
        record(claim, rita, died_on=date(2026, 10, 1))
    assert (err.value.code, err.value.field) == ("work_death_before_accident", "died_on")
    with pytest.raises(WorkDeathRefused) as err:
        record(claim, rita, family=[{"name": "X", "relation": "neighbour"}])
    assert err.value.code == "work_death_relation_unknown"
    record(claim, rita)
    with pytest.raises(WorkDeathRefused) as err:
        record(claim, rita)
    assert err.value.code == "work_death_already_recorded"


def test_refused_naming_the_rule_with_the_reason_and_how_to_contest(
    claim, gang, rita, dora, django_capture_on_commit_callbacks
):
    type(gang).objects.filter(pk=gang.pk).update(preferred_language="en")
    benefit = record(claim, rita)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.work_death_refuse(
            benefit,
            actor=dora,
            code="work_death_not_from_injury",
            reason="The autopsy shows a heart attack unrelated to the hand injury.",
        )
    benefit.refresh_from_db()
    assert (benefit.status, benefit.refusal_code) == ("refused", "work_death_not_from_injury")
    (notice,) = mail.outbox
    assert "heart attack" in notice.body and "Art. 83" in notice.body
    assert not LedgerTransaction.objects.filter(idempotency_key__startswith="work-death-").exists()


def test_the_monthly_run_pays_each_dependant_once_a_month(claim, rita, dora):
    benefit = services.work_death_approve(record(claim, rita), actor=dora, today=TODAY)
    assert services.pay_dependants_pensions(date(2026, 11, 1)).paid == 0
    result = payment_run.pay_others(payment_run.run_plan(date(2026, 12, 1), today=TODAY))
    assert result.paid == 3
    again = services.pay_dependants_pensions(date(2026, 12, 1))
    assert (again.paid, again.already_paid) == (0, 3)
    paid = WorkDeathPensionPayment.objects.filter(dependant__benefit=benefit)
    assert sorted(paid.values_list("amount", flat=True)) == [
        D("2181.81"),
        D("2909.09"),
        D("2909.10"),
    ]
    # The child's right ends (staff set the day): the month after is not paid to them.
    child = benefit.dependants.get(relation="child")
    WorkDeathDependant.objects.filter(pk=child.pk).update(until=date(2026, 12, 31))
    assert services.pay_dependants_pensions(date(2027, 1, 1)).paid == 2
    # The database itself refuses a second payment of a month.
    payment = paid.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkDeathPensionPayment.objects.create(
            dependant=payment.dependant,
            month=payment.month,
            amount=payment.amount,
            transaction=LedgerTransaction.objects.create(
                kind="benefit", idempotency_key="test-second", description="x"
            ),
        )


def test_one_death_benefit_per_injury_in_the_database(claim, rita):
    benefit = record(claim, rita)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkDeathBenefit.objects.create(
            recognition=benefit.recognition, died_on=DIED, recorded_by=rita
        )


def test_the_api_and_the_page_show_the_decision_with_each_pension(claim, gang, rita, dora, client):
    from rest_framework.test import APIClient

    services.work_death_approve(record(claim, rita), actor=dora, today=TODAY)
    api = APIClient()
    api.force_authenticate(gang)
    death = api.get("/api/v1/benefits/work-injury/").json()["death"]
    assert (death["status"], death["funeral_subsidy"], death["one_time_subsidy"]) == (
        "approved",
        "60000.00",
        "1080000.00",
    )
    assert [(d["relation"], d["monthly_amount"]) for d in death["dependants"]] == [
        ("spouse", "2909.10"),
        ("child", "2181.81"),
        ("parent", "2909.09"),
    ]
    assert death["pensions_capped"] and death["pension_from"] == "2026-12"
    client.force_login(gang)
    html = client.get("/work-injury/").content.decode()
    assert 'data-testid="work-death"' in html and "¥1,080,000.00" in html and "¥2,909.10" in html


def test_a_refusal_shows_its_reason_basis_and_how_to_contest(claim, gang, rita, dora):
    from rest_framework.test import APIClient

    services.work_death_refuse(
        record(claim, rita), actor=dora, code="work_death_not_from_injury", reason="Unrelated."
    )
    api = APIClient()
    api.force_authenticate(gang)
    refusal = api.get("/api/v1/benefits/work-injury/").json()["death"]["refusal"]
    assert refusal["code"] == "work_death_not_from_injury" and refusal["reason"] == "Unrelated."
    assert "Art. 39" in refusal["legal_basis"] and refusal["how_to_contest"]
