"""The 2024 retirement-age schedule at the edges of each step, and the minimum period."""

from datetime import date

import pytest

from pensions import retirement as r


@pytest.mark.parametrize(
    ("birth", "years", "months", "on"),
    [
        (date(1964, 12, 15), 60, 0, date(2024, 12, 15)),  # before the first step
        (date(1965, 1, 1), 60, 1, date(2025, 2, 1)),  # first step
        (date(1965, 4, 30), 60, 1, date(2025, 5, 30)),  # still the first step
        (date(1965, 5, 1), 60, 2, date(2025, 7, 1)),  # second step
        (date(1976, 8, 10), 62, 11, date(2039, 7, 10)),  # 140 months after Jan 1965
        (date(1976, 9, 10), 63, 0, date(2039, 9, 10)),  # the last step reaches 63
        (date(1990, 1, 1), 63, 0, date(2053, 1, 1)),  # never beyond
    ],
)
def test_men_one_month_later_for_every_four_months_of_birth(birth, years, months, on):
    age = r.statutory_age(birth, r.MALE)
    assert (age.years, age.months, age.date) == (years, months, on)


@pytest.mark.parametrize(
    ("birth", "years", "months"),
    [
        (date(1974, 12, 1), 50, 0),
        (date(1975, 1, 1), 50, 1),
        (date(1975, 2, 28), 50, 1),
        (date(1975, 3, 1), 50, 2),
        (date(1984, 10, 1), 54, 11),  # born 117 months after January 1975: 59 months later
        (date(1984, 11, 1), 55, 0),
        (date(1995, 6, 1), 55, 0),
    ],
)
def test_women_workers_one_month_later_for_every_two_months_of_birth(birth, years, months):
    age = r.statutory_age(birth, r.FEMALE, r.WORKER)
    assert (age.years, age.months) == (years, months)


@pytest.mark.parametrize(
    ("birth", "years", "months"),
    [
        (date(1969, 12, 31), 55, 0),
        (date(1970, 1, 1), 55, 1),
        (date(1970, 5, 1), 55, 2),
        (date(1981, 9, 1), 58, 0),
        (date(1981, 8, 1), 57, 11),
    ],
)
def test_women_cadres_follow_the_mens_pace_from_55(birth, years, months):
    age = r.statutory_age(birth, r.FEMALE, r.CADRE)
    assert (age.years, age.months) == (years, months)


def test_a_birthday_on_the_31st_lands_on_the_months_last_day():
    assert r.statutory_age(date(1965, 1, 31), r.MALE).date == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("year", "months"),
    [(2025, 180), (2029, 180), (2030, 186), (2031, 192), (2039, 240), (2045, 240)],
)
def test_the_minimum_period_rises_six_months_a_year_from_2030(year, months):
    assert r.minimum_contribution_months(year) == months


def test_conditions_need_both_the_age_and_the_period():
    birth = date(1964, 6, 1)  # 60 on 1 June 2024
    assert r.meets_conditions(birth, r.MALE, r.WORKER, 180, date(2024, 6, 1))
    assert not r.meets_conditions(birth, r.MALE, r.WORKER, 179, date(2024, 6, 1))
    assert not r.meets_conditions(birth, r.MALE, r.WORKER, 400, date(2024, 5, 31))
    assert r.may_apply_from(date(2024, 6, 1)) == date(2024, 3, 1)


def test_unknown_gender_or_category_is_refused_with_a_code():
    with pytest.raises(r.RetirementRuleError, match=r.GENDER_UNKNOWN):
        r.statutory_age(date(1970, 1, 1), "X")
    with pytest.raises(r.RetirementRuleError, match=r.CATEGORY_UNKNOWN):
        r.statutory_age(date(1970, 1, 1), r.FEMALE, "farmer")
