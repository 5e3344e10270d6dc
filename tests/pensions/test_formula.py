"""The pension formula, computed by hand (RULES.md §2)."""

from datetime import date
from decimal import Decimal

import pytest

from pensions import formula, selectors
from pensions.exceptions import MissingFigure, NoDivisor
from pensions.models import RegionalAverageWage
from pensions.reference_data import ILLUSTRATIVE_SOURCE
from tests.factories import CardholderFactory, EmployerFactory
from tests.web.conftest import post_months

# The annex as RULES.md §2 prints it.
ANNEX = (
    "40 233, 41 230, 42 226, 43 223, 44 220, 45 216, 46 212, 47 207, 48 204, 49 199, "
    "50 195, 51 190, 52 185, 53 180, 54 175, 55 170, 56 164, 57 158, 58 152, 59 145, "
    "60 139, 61 132, 62 125, 63 117, 64 109, 65 101, 66 93, 67 84, 68 75, 69 65, 70 56"
)


@pytest.mark.parametrize(
    ("age", "months"), [tuple(map(int, pair.split())) for pair in ANNEX.split(", ")]
)
def test_divisor_table_is_the_annex(age, months):
    assert formula.divisor(age) == months


def test_divisor_table_has_every_age_from_40_to_70():
    assert sorted(formula.DIVISORS) == list(range(40, 71))


@pytest.mark.parametrize("age", [39, 71])
def test_an_age_outside_the_table_is_refused(age):
    with pytest.raises(NoDivisor) as exc:
        formula.divisor(age)
    assert exc.value.code == "no_divisor_for_age"


@pytest.mark.parametrize(
    ("avg", "index", "months", "balance", "age", "basic", "personal"),
    [
        # (10000 + 10000) / 2 × 15 × 1 % = 1500; 139000 / 139 = 1000
        ("10000", "1", 180, "139000", 60, "1500.00", "1000.00"),
        # indexed 5400; (9000 + 5400) / 2 × 25 × 1 % = 1800; 100000 / 117 = 854.7008…
        ("9000", "0.6", 300, "100000", 63, "1800.00", "854.70"),
        # indexed 12000; 10000 × 185/12 × 1 % = 1541.666…; 50000 / 195 = 256.4102…
        ("8000", "1.5", 185, "50000", 50, "1541.67", "256.41"),
        # 85000 / 170 = 500; (6000 + 3600) / 2 × 20 × 1 % = 960
        ("6000", "0.6", 240, "85000", 55, "960.00", "500.00"),
        # nothing left in the personal account: the personal part is nil
        ("6000", "1", 180, "0", 60, "900.00", "0.00"),
    ],
)
def test_hand_computed_pensions(avg, index, months, balance, age, basic, personal):
    result = formula.pension(
        avg_wage=Decimal(avg), index=Decimal(index), months=months,
        balance=Decimal(balance), age_years=age,
    )  # fmt: skip
    assert result.basic == Decimal(basic)
    assert result.personal == Decimal(personal)
    assert result.total == Decimal(basic) + Decimal(personal)
    assert result.divisor == formula.DIVISORS[age]


def test_mean_of_yearly_indexes():
    bases = {2022: Decimal("6000"), 2023: Decimal("9000")}
    averages = {2022: Decimal("8000"), 2023: Decimal("9000")}
    # 6000 / 8000 = 0.75, 9000 / 9000 = 1; the mean is 0.875
    assert formula.mean_index(bases, averages, "110100") == Decimal("0.875")


def test_a_missing_average_wage_is_refused_by_name():
    with pytest.raises(MissingFigure) as exc:
        formula.mean_index({2022: Decimal(1), 2023: Decimal(1)}, {2022: Decimal(1)}, "440300")
    assert exc.value.code == "missing_regional_average_wage"
    assert exc.value.details() == {
        "missing": {"figure": "regional_average_wage", "region": "440300", "year": 2023}
    }
    assert "440300" in str(exc.value.message) and "2023" in str(exc.value.message)


@pytest.mark.django_db
def test_demo_average_wages_are_seeded_and_labelled_illustrative():
    figures = selectors.average_wages("440300")
    assert figures[2024] == Decimal("12000.00")
    assert figures[2023] == Decimal("11214.95")  # 12000 / 1.07
    assert set(RegionalAverageWage.objects.values_list("source", flat=True)) == {
        ILLUSTRATIVE_SOURCE
    }


@pytest.mark.django_db
def test_record_selectors_count_months_and_average_wage_bases():
    cardholder = CardholderFactory(date_of_birth=date(1980, 5, 1))
    post_months(cardholder, EmployerFactory(), months=14, wage="8000.00")
    assert selectors.pension_contribution_month_count(cardholder) == 14
    bases = selectors.yearly_wage_bases(cardholder)
    assert set(bases) == {2023, 2024}
    assert bases[2023] == Decimal("8000.00")
