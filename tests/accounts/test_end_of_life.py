"""After a verified death and after retirement no contributions post, per row or by import."""

import io
from datetime import date

import pytest

from accounts import contribution_rules as rules
from accounts import services
from accounts.exceptions import ContributionAfterDeath, ContributionWhileRetired
from accounts.importing import import_payroll
from accounts.models import Cardholder, Contribution, RetiredContributionRule
from tests.factories import CardholderFactory, EmployerFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
HEADER = "employer_credit_code,national_id,month,wage_base\n"


def deceased(on):
    return CardholderFactory(
        name="Late", life_status=Cardholder.LifeStatus.DECEASED, date_of_death=on
    )


def test_the_month_of_death_is_the_last_month_owed():
    died = date(2026, 3, 20)
    refuse = {
        "date_of_death": died,
        "employment_status": "employed",
        "retired_may_continue": False,
    }
    assert rules.contribution_refusal(date(2026, 3, 1), **refuse) is None
    assert rules.contribution_refusal(date(2026, 4, 1), **refuse) == "contribution_after_death"


def test_service_refuses_months_after_death_with_a_code():
    person = deceased(date(2026, 3, 20))

    rows = services.contribution_post(
        cardholder=person, scheme="pension", month=date(2026, 3, 1), wage="10000.00"
    )
    assert len(rows) == 2
    with pytest.raises(ContributionAfterDeath) as refused:
        services.contribution_post(
            cardholder=person, scheme="pension", month=date(2026, 4, 1), wage="10000.00"
        )
    assert (refused.value.code, refused.value.field) == ("contribution_after_death", "month")
    assert not Contribution.objects.filter(cardholder=person, month=date(2026, 4, 1)).exists()


def test_service_refuses_a_retired_persons_contributions():
    person = CardholderFactory(employment_status=Cardholder.EmploymentStatus.RETIRED)

    with pytest.raises(ContributionWhileRetired) as refused:
        services.contribution_post(
            cardholder=person, scheme="pension", month=date(2026, 4, 1), wage="10000.00"
        )
    assert refused.value.code == "contribution_while_retired"
    assert not Contribution.objects.filter(cardholder=person).exists()


def test_a_region_may_let_the_retired_continue_as_flexibly_employed():
    person = CardholderFactory(
        employment_status=Cardholder.EmploymentStatus.RETIRED, region="310000"
    )
    RetiredContributionRule.objects.create(
        region=person.region, may_continue_flexible=True, source="regional rule"
    )

    rows = services.contribution_post(
        cardholder=person, scheme="pension", month=date(2026, 4, 1), wage="10000.00"
    )
    assert [row.payer for row in rows] == ["flexible"]


def test_import_rejects_rows_after_death_and_for_the_retired_with_line_and_reason():
    employer = EmployerFactory()
    late = deceased(date(2026, 3, 20))
    retired = CardholderFactory(employment_status=Cardholder.EmploymentStatus.RETIRED)
    text = (
        f"{employer.credit_code},{late.national_id},2026-03,10000.00\n"
        f"{employer.credit_code},{late.national_id},2026-04,10000.00\n"
        f"{employer.credit_code},{retired.national_id},2026-04,10000.00\n"
    )

    summary = import_payroll(io.StringIO(HEADER + text), today=TODAY)

    assert (summary.rows_posted, summary.rows_rejected) == (1, 2)
    assert [(r.line, r.code) for r in summary.rejects] == [
        (3, "contribution_after_death"),
        (4, "contribution_while_retired"),
    ]
    assert summary.rejects[0].message == "the cardholder died before this month"
    assert not Contribution.objects.filter(cardholder=late, month=date(2026, 4, 1)).exists()
    assert not Contribution.objects.filter(cardholder=retired).exists()


def test_import_follows_a_regions_rule_for_the_retired():
    employer = EmployerFactory()
    retired = CardholderFactory(
        employment_status=Cardholder.EmploymentStatus.RETIRED, region="310000"
    )
    RetiredContributionRule.objects.create(
        region=retired.region, may_continue_flexible=True, source="regional rule"
    )
    text = f"{employer.credit_code},{retired.national_id},2026-04,10000.00\n"

    summary = import_payroll(io.StringIO(HEADER + text), today=TODAY)

    assert (summary.rows_posted, summary.rows_rejected) == (1, 0)
    payers = set(Contribution.objects.filter(cardholder=retired).values_list("payer", flat=True))
    assert payers == {"flexible"}


def test_the_national_rule_for_the_retired_is_data_with_its_source():
    rule = RetiredContributionRule.objects.get(region="000000")
    assert rule.may_continue_flexible is False
    assert "SIL Art. 16" in rule.source
