"""The 2024 retirement schedule at the edges of each step, derived by hand from the
decision's text (RULES.md §2). No database."""

from datetime import date

import pytest

from pensions.retirement import (
    FEMALE_CADRE,
    FEMALE_WORKER,
    MALE,
    add_months,
    category_for,
    contribution_months,
    extra_months,
    minimum_contribution_months,
    retirement_age_months,
    retirement_date,
)


@pytest.mark.parametrize(
    ("category", "birth", "extra", "retires"),
    [
        # Men: 60, then one month per four months of birth from Jan 1965, up to 63.
        (MALE, date(1964, 12, 31), 0, date(2024, 12, 31)),
        (MALE, date(1965, 1, 1), 1, date(2025, 2, 1)),
        (MALE, date(1965, 4, 30), 1, date(2025, 5, 30)),
        (MALE, date(1965, 5, 1), 2, date(2025, 7, 1)),
        (MALE, date(1965, 8, 31), 2, date(2025, 10, 31)),
        (MALE, date(1965, 9, 1), 3, date(2025, 12, 1)),
        (MALE, date(1970, 1, 15), 16, date(2031, 5, 15)),
        (MALE, date(1976, 8, 10), 35, date(2039, 7, 10)),
        (MALE, date(1976, 9, 1), 36, date(2039, 9, 1)),
        (MALE, date(1990, 6, 1), 36, date(2053, 6, 1)),
        # Women in cadre posts: 55, the same step from Jan 1970, up to 58.
        (FEMALE_CADRE, date(1969, 12, 1), 0, date(2024, 12, 1)),
        (FEMALE_CADRE, date(1970, 1, 31), 1, date(2025, 2, 28)),
        (FEMALE_CADRE, date(1970, 5, 1), 2, date(2025, 7, 1)),
        (FEMALE_CADRE, date(1981, 8, 1), 35, date(2039, 7, 1)),
        (FEMALE_CADRE, date(1981, 9, 1), 36, date(2039, 9, 1)),
        # Women workers: 50, one month per two months of birth from Jan 1975, up to 55.
        (FEMALE_WORKER, date(1974, 12, 1), 0, date(2024, 12, 1)),
        (FEMALE_WORKER, date(1975, 1, 1), 1, date(2025, 2, 1)),
        (FEMALE_WORKER, date(1975, 2, 28), 1, date(2025, 3, 28)),
        (FEMALE_WORKER, date(1975, 3, 1), 2, date(2025, 5, 1)),
        (FEMALE_WORKER, date(1984, 10, 1), 59, date(2039, 9, 1)),
        (FEMALE_WORKER, date(1984, 11, 1), 60, date(2039, 11, 1)),
        (FEMALE_WORKER, date(1995, 1, 1), 60, date(2050, 1, 1)),
    ],
)
def test_statutory_age_at_every_step_edge(category, birth, extra, retires):
    assert extra_months(birth, category) == extra
    base = {MALE: 60, FEMALE_CADRE: 55, FEMALE_WORKER: 50}[category]
    assert retirement_age_months(birth, category) == base * 12 + extra
    assert retirement_date(birth, category) == retires


@pytest.mark.parametrize(
    ("year", "months"),
    [
        (2020, 180),
        (2025, 180),
        (2029, 180),
        (2030, 186),
        (2031, 192),
        (2035, 216),
        (2038, 234),
        (2039, 240),
        (2050, 240),
    ],
)
def test_minimum_contribution_period_by_year_of_retirement(year, months):
    assert minimum_contribution_months(year) == months


@pytest.mark.parametrize(
    ("gender", "cadre", "category"),
    [("M", False, MALE), ("M", True, MALE), ("F", False, FEMALE_WORKER), ("F", True, FEMALE_CADRE)],
)
def test_category_from_gender_and_post(gender, cadre, category):
    assert category_for(gender, cadre=cadre) == category


def test_contribution_months_counts_distinct_months():
    record = [date(2020, 1, 1), date(2020, 1, 1), date(2020, 2, 1), date(2021, 12, 1)]
    assert contribution_months(record) == 3
    assert contribution_months([]) == 0


def test_add_months_keeps_the_day_or_the_months_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2023, 12, 15), 1) == date(2024, 1, 15)
