"""The contribution rules on their own: no database, rates given as plain rows."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from accounts import contribution_rules as rules
from accounts.models import ContributionRate, Scheme


@dataclass(frozen=True)
class Rate:
    scheme: str
    payer: str
    destination: str
    rate: Decimal
    region: str = rules.NATIONAL
    wage_base_floor: Decimal = Decimal("4000.00")
    wage_base_ceiling: Decimal = Decimal("35000.00")
    effective_from: date = date(2015, 1, 1)
    effective_to: date | None = None


NATIONAL_PENSION = [
    Rate("pension", "employer", "pooled", Decimal("0.2000"), effective_to=date(2019, 4, 30)),
    Rate("pension", "employer", "pooled", Decimal("0.1600"), effective_from=date(2019, 5, 1)),
    Rate("pension", "employee", "personal", Decimal("0.0800")),
    Rate("pension", "flexible", "pooled", Decimal("0.1200")),
    Rate("pension", "flexible", "personal", Decimal("0.0800")),
]


def test_the_constants_are_the_models_choices():
    assert tuple(Scheme.values) == rules.SCHEMES
    assert {rules.EMPLOYER, rules.EMPLOYEE, rules.FLEXIBLE} == set(ContributionRate.Payer.values)
    assert {rules.POOLED, rules.PERSONAL} == set(ContributionRate.Destination.values)


def test_employer_and_employee_pay_unless_flexibly_employed():
    assert rules.payers(False) == ("employer", "employee")
    assert rules.payers(True) == ("flexible",)


@pytest.mark.parametrize(
    ("wage", "base"),
    [
        (Decimal("1000.00"), Decimal("4000.00")),
        (Decimal("0.00"), Decimal("4000.00")),
        (Decimal("12345.67"), Decimal("12345.67")),
        (Decimal("90000.00"), Decimal("35000.00")),
    ],
)
def test_the_wage_base_is_clamped_to_both_bounds(wage, base):
    [_employer, employee] = rules.parts(
        NATIONAL_PENSION, "110100", "pension", date(2026, 3, 1), flexible=False
    )
    assert employee.split(wage).wage_base == base


def test_amounts_are_rounded_half_up_to_the_fen():
    [_employer, employee] = rules.parts(
        NATIONAL_PENSION, "110100", "pension", date(2026, 3, 1), flexible=False
    )
    # 8 % of 12,345.67 = 987.6536 → 987.65; of 12,345.69 = 987.6552 → 987.66
    assert employee.split(Decimal("12345.67")).to_personal == Decimal("987.65")
    assert employee.split(Decimal("12345.69")).to_personal == Decimal("987.66")


def test_the_rate_in_force_depends_on_the_month():
    def employer_part(month):
        return rules.parts(NATIONAL_PENSION, "110100", "pension", month, flexible=False)[0]

    assert employer_part(date(2019, 4, 1)).split(Decimal("10000")).to_pooled == Decimal("2000.00")
    assert employer_part(date(2019, 5, 1)).split(Decimal("10000")).to_pooled == Decimal("1600.00")
    assert (
        rules.parts(NATIONAL_PENSION, "110100", "pension", date(2014, 12, 1), flexible=False) == ()
    )


def test_employer_to_the_pool_employee_to_the_personal_account():
    employer, employee = (
        part.split(Decimal("10000.00"))
        for part in rules.parts(
            NATIONAL_PENSION, "110100", "pension", date(2026, 3, 1), flexible=False
        )
    )
    assert (employer.payer, employer.to_pooled, employer.to_personal) == (
        "employer",
        Decimal("1600.00"),
        Decimal("0.00"),
    )
    assert (employee.payer, employee.to_pooled, employee.to_personal) == (
        "employee",
        Decimal("0.00"),
        Decimal("800.00"),
    )


def test_the_flexibly_employed_pay_both_parts_in_one():
    [part] = rules.parts(NATIONAL_PENSION, "110100", "pension", date(2026, 3, 1), flexible=True)
    split = part.split(Decimal("10000.00"))
    assert (split.payer, split.to_pooled, split.to_personal, split.total) == (
        "flexible",
        Decimal("1200.00"),
        Decimal("800.00"),
        Decimal("2000.00"),
    )


def test_a_region_with_its_own_rates_uses_only_those_from_their_start():
    regional = [
        Rate(
            "pension",
            "employer",
            "pooled",
            Decimal("0.1400"),
            region="440300",
            wage_base_ceiling=Decimal("27501.00"),
            effective_from=date(2025, 1, 1),
        ),
        Rate(
            "pension",
            "employee",
            "personal",
            Decimal("0.0800"),
            region="440300",
            effective_from=date(2025, 1, 1),
        ),
    ]
    rates = NATIONAL_PENSION + regional
    here = rules.parts(rates, "440300", "pension", date(2026, 3, 1), flexible=False)
    assert here[0].split(Decimal("30000.00")).to_pooled == Decimal("3850.14")
    before = rules.parts(rates, "440300", "pension", date(2024, 6, 1), flexible=False)
    assert before[0].split(Decimal("10000.00")).to_pooled == Decimal("1600.00")
    elsewhere = rules.parts(rates, "110100", "pension", date(2026, 3, 1), flexible=False)
    assert elsewhere[0].split(Decimal("30000.00")).to_pooled == Decimal("4800.00")


def test_a_plan_covers_every_scheme_with_a_rate_and_the_keys_name_the_part():
    rates = [
        *NATIONAL_PENSION,
        Rate("medical", "employer", "pooled", Decimal("0.0800")),
        Rate("medical", "employee", "personal", Decimal("0.0200")),
    ]
    plan = rules.plan(rates, "110100", date(2026, 3, 1), flexible=False)
    assert [(part.scheme, part.payer) for part in plan] == [
        ("pension", "employer"),
        ("pension", "employee"),
        ("medical", "employer"),
        ("medical", "employee"),
    ]
    reference = rules.reference(date(2026, 3, 1))
    assert rules.idempotency_key(7, "medical", reference, "employee") == (
        "contribution:7:medical:2026-03:employee"
    )
    assert rules.description("medical", reference, "employee") == (
        "medical contribution 2026-03 paid by employee"
    )
