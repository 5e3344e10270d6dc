"""Statutory retirement age and the minimum contribution period (RULES.md §2).

Pure functions of the facts: no ORM, clock or settings. The schedule is the NPC
Standing Committee Decision of 13 September 2024, in force from 1 January 2025:

- men: 60 → 63, one month later for every four months of birth from January 1965;
- women in cadre posts: 55 → 58, one month later for every four months of birth from
  January 1970;
- women workers: 50 → 55, one month later for every two months of birth from
  January 1975.

The minimum contribution period is 15 years; from 2030 it rises by six months a year
until it is 20 years (2039).
"""

import calendar
from dataclasses import dataclass
from datetime import date

MALE = "male"
FEMALE_CADRE = "female_cadre"
FEMALE_WORKER = "female_worker"


@dataclass(frozen=True)
class Step:
    base_years: int
    first_birth: date  # births from this month on retire later
    birth_months_per_step: int
    max_extra_months: int


SCHEDULE = {
    MALE: Step(60, date(1965, 1, 1), 4, 36),
    FEMALE_CADRE: Step(55, date(1970, 1, 1), 4, 36),
    FEMALE_WORKER: Step(50, date(1975, 1, 1), 2, 60),
}

CATEGORIES = tuple(SCHEDULE)


def category_for(gender, *, cadre=False):
    """The schedule's category from the card's gender ("M"/"F") and, for a woman,
    whether she holds a cadre post (the default is the worker schedule)."""
    if gender == "M":
        return MALE
    return FEMALE_CADRE if cadre else FEMALE_WORKER


def extra_months(birth_date, category):
    """Months added to the old statutory age for this birth month (0 before the step-up)."""
    step = SCHEDULE[category]
    elapsed = (birth_date.year - step.first_birth.year) * 12 + (
        birth_date.month - step.first_birth.month
    )
    if elapsed < 0:
        return 0
    return min(elapsed // step.birth_months_per_step + 1, step.max_extra_months)


def retirement_age_months(birth_date, category):
    """The statutory retirement age, in months."""
    return SCHEDULE[category].base_years * 12 + extra_months(birth_date, category)


def add_months(day, months):
    """`day` plus whole months; the 31st becomes the month's last day where needed."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retirement_date(birth_date, category):
    """The day the statutory age is reached."""
    return add_months(birth_date, retirement_age_months(birth_date, category))


def minimum_contribution_months(retirement_year):
    """The minimum contribution period, in months, for a retirement in this year."""
    if retirement_year < 2030:
        return 180
    return min(180 + 6 * (retirement_year - 2029), 240)


def contribution_months(months):
    """The number of distinct months in a contribution record (dates within a month)."""
    return len({(day.year, day.month) for day in months})


def whole_years(months):
    """Completed years in a number of months (the age used for the divisor)."""
    return months // 12
