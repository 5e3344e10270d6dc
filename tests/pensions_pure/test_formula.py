"""The pension formula against hand-computed cases, and the divisor table."""

from decimal import Decimal

import pytest

from pensions import formula as f

WAGES = {
    2020: Decimal("8000"),
    2021: Decimal("8500"),
    2022: Decimal("9000"),
    2023: Decimal("10000"),
}


def test_a_hand_computed_pension():
    pension = f.compute(
        retirement_year=2024,
        age_years=60,
        contribution_months=360,  # 30 years
        # wage bases: index 1.0 in 2020, 0.8 in 2021 (6,800 / 8,500), 1.2 in 2022
        yearly_wage_bases={2020: Decimal("8000"), 2021: Decimal("6800"), 2022: Decimal("10800")},
        average_wages=WAGES,
        personal_balance=Decimal("139000.00"),
    )
    # mean index 1.0; indexed wage = 10,000 × 1.0; basic = (10,000 + 10,000) / 2 × 30 × 1 %
    assert pension.average_index == Decimal("1.0000")
    assert pension.indexed_wage == Decimal("10000.00")
    assert pension.basic_monthly == Decimal("3000.00")
    assert (pension.divisor, pension.personal_monthly) == (139, Decimal("1000.00"))
    assert pension.monthly == Decimal("4000.00")


def test_fractional_years_and_rounding_once():
    pension = f.compute(
        retirement_year=2024,
        age_years=55,
        contribution_months=185,  # 15 years 5 months
        yearly_wage_bases={2023: Decimal("6000")},  # index 0.6
        average_wages=WAGES,
        personal_balance=Decimal("50000.00"),
    )
    # (10,000 + 6,000) / 2 × 185/12 × 1 % = 1,233.333… -> 1,233.33; 50,000 / 170 = 294.117…
    assert pension.basic_monthly == Decimal("1233.33")
    assert pension.personal_monthly == Decimal("294.12")


@pytest.mark.parametrize(
    ("age", "months"), [(40, 233), (50, 195), (55, 170), (60, 139), (63, 117), (70, 56)]
)
def test_the_divisor_table(age, months):
    assert f.divisor(age) == months


def test_missing_figures_refuse_naming_them():
    with pytest.raises(f.PensionFigureMissing) as missing:
        f.compute(
            retirement_year=2026,
            age_years=60,
            contribution_months=180,
            yearly_wage_bases={2020: Decimal("8000")},
            average_wages=WAGES,
            personal_balance=Decimal("1"),
        )
    assert (missing.value.code, missing.value.params) == (f.NO_AVERAGE_WAGE, {"year": 2025})
    with pytest.raises(f.PensionFigureMissing) as outside:
        f.divisor(71)
    assert outside.value.code == f.AGE_OUTSIDE_DIVISOR_TABLE
    with pytest.raises(f.PensionFigureMissing) as none:
        f.average_index({}, WAGES)
    assert none.value.code == f.NO_CONTRIBUTIONS
