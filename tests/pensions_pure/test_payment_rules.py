"""The monthly amount and its sources, by hand (RULES §2); no database."""

from datetime import date
from decimal import Decimal

import pytest

from pensions import payment_rules as rules
from pensions.tasks import is_first_working_day

D = Decimal
STARTS = date(2026, 8, 1)


def test_no_increase_is_the_award():
    got = rules.month_amounts(D("1575.00"), D("932.37"), STARTS, date(2026, 12, 1))
    assert (got.basic, got.personal, got.total) == (D("1575.00"), D("932.37"), D("2507.37"))


def test_increases_from_their_month_for_pensions_started_before():
    increases = [
        rules.Increase(date(2026, 1, 1), percent=D("2")),  # before the pension: not applied
        rules.Increase(date(2027, 1, 1), percent=D("2")),  # 2,507.37 × 2 % = 50.1474 → 50.15
        rules.Increase(date(2028, 1, 1), amount=D("30.00")),
    ]
    assert rules.month_amounts(D("1575.00"), D("932.37"), STARTS, date(2026, 12, 1), increases) == (
        rules.MonthAmounts(D("1575.00"), D("932.37"))
    )
    assert rules.month_amounts(
        D("1575.00"), D("932.37"), STARTS, date(2027, 1, 1), increases
    ) == rules.MonthAmounts(D("1625.15"), D("932.37"))
    assert rules.month_amounts(
        D("1575.00"), D("932.37"), STARTS, date(2028, 6, 1), increases
    ) == rules.MonthAmounts(D("1655.15"), D("932.37"))


@pytest.mark.parametrize(
    ("balance", "expected"),
    [
        (D("129600.00"), (D("932.37"), D("0.00"))),
        (D("932.37"), (D("932.37"), D("0.00"))),
        (D("500.00"), (D("500.00"), D("432.37"))),
        (D("0.00"), (D("0.00"), D("932.37"))),
    ],
)
def test_the_personal_part_from_the_account_until_it_is_empty(balance, expected):
    assert rules.split_personal(D("932.37"), balance) == expected


def test_the_years_whose_increase_must_be_known():
    assert list(rules.increase_years_needed(STARTS, date(2027, 5, 1))) == []
    assert list(rules.increase_years_needed(STARTS, date(2029, 1, 1))) == [2027, 2028]


@pytest.mark.parametrize(
    ("day", "first"),
    [
        (date(2026, 12, 1), True),  # a Tuesday
        (date(2026, 12, 2), False),
        (date(2026, 11, 2), True),  # 1 November 2026 is a Sunday
        (date(2026, 11, 1), False),
        (date(2026, 8, 3), True),  # Saturday 1 and Sunday 2 August
    ],
)
def test_the_first_working_day(day, first):
    assert is_first_working_day(day) is first
