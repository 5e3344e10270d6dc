"""The emigration lump sum reads the person's standing at settling abroad from the card
and the pension record (Order 13 Art. 6): age from the birth date, years from the months
of pension contributions up to that date."""

import io
from datetime import date
from decimal import Decimal

import pytest

from accounts.importing import import_payroll
from accounts.models import ContributionRate
from tests.factories import CardholderFactory, EmployerFactory, fund
from withdrawals import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rates_before_2015():
    """The national table starts in 2015; these records reach back further, so the
    pension rates of those years are entered as a region would enter its history."""
    for payer, destination, rate in (
        ("employer", "pooled", "0.20"),
        ("employee", "personal", "0.08"),
    ):
        ContributionRate.objects.create(
            scheme="pension",
            payer=payer,
            destination=destination,
            rate=Decimal(rate),
            wage_base_floor=Decimal("1000.00"),
            wage_base_ceiling=Decimal("30000.00"),
            effective_from=date(2000, 1, 1),
            effective_to=date(2014, 12, 31),
            source="earlier national rates (test data)",
        )


def contributed(person, first, months):
    employer = EmployerFactory()
    lines = []
    year, month = first.year, first.month
    for _ in range(months):
        lines.append(f"{employer.credit_code},{person.national_id},{year}-{month:02d},8000.00")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    text = "employer_credit_code,national_id,month,wage_base\n" + "\n".join(lines) + "\n"
    summary = import_payroll(io.StringIO(text), today=date(2026, 12, 2))
    assert summary.rows_rejected == 0, summary.rejects


def emigrant(born, settled):
    person = CardholderFactory(
        gender="M",
        date_of_birth=born,
        life_status="emigrated",
        emigrated_on=settled,
        emigration_country="Canada",
        emigration_certificate_number="EX-1",
        nationality_given_up=True,
    )
    fund(person, "pension", "5000.00")
    return person


def codes(person):
    decision = selectors.precheck(
        applicant=person.user,
        cardholder=person,
        reason="emigration",
        relationship="self",
        schemes=["pension"],
    )
    return {reason.code for reason in decision.reasons}


def test_past_pension_age_with_fifteen_years_at_settling_abroad_is_refused():
    # A man born in 1960 reached 60 in 2020 (before the 2025 step-up applies to him).
    person = emigrant(date(1960, 1, 10), settled=date(2024, 6, 1))
    contributed(person, date(2009, 1, 1), 180)

    assert "pension_conditions_met" in codes(person)


def test_fifteen_years_but_below_the_age_at_settling_abroad_is_allowed():
    person = emigrant(date(1970, 3, 1), settled=date(2024, 6, 1))
    contributed(person, date(2009, 1, 1), 180)

    assert "pension_conditions_met" not in codes(person)


def test_months_after_settling_abroad_do_not_count():
    person = emigrant(date(1960, 1, 10), settled=date(2021, 6, 30))
    # 179 months up to June 2021, the rest after it: short of fifteen years then.
    contributed(person, date(2006, 8, 1), 182)

    assert "pension_conditions_met" not in codes(person)
