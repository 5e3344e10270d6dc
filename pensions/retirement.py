"""Statutory retirement age and the minimum contribution period (RULES §2).

NPC Standing Committee Decision of 13 September 2024, in force from 1 January 2025:

* men 60 -> 63, and women in cadre posts 55 -> 58: one month later for every four months
  of birth, starting with births in January 1965 (men) and January 1970 (women cadres);
* women workers 50 -> 55: one month later for every two months of birth, starting with
  births in January 1975;
* the minimum contribution period is 15 years, and from 2030 rises by six months a year
  until it is 20 years.

Pure: a birth date, a gender and a category in; dates and months out.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

MALE, FEMALE = "M", "F"
WORKER, CADRE = "worker", "cadre"

# Refusal codes.
CATEGORY_UNKNOWN = "retirement_category_unknown"
GENDER_UNKNOWN = "retirement_gender_unknown"


class RetirementRuleError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Schedule:
    base_years: int
    first_birth_year: int  # births from January of this year retire later
    months_of_birth_per_step: int
    max_delay_months: int


MEN = Schedule(60, 1965, 4, 36)
WOMEN_CADRES = Schedule(55, 1970, 4, 36)
WOMEN_WORKERS = Schedule(50, 1975, 2, 60)


def schedule(gender: str, category: str) -> Schedule:
    if gender == MALE:
        return MEN
    if gender != FEMALE:
        raise RetirementRuleError(GENDER_UNKNOWN)
    if category == CADRE:
        return WOMEN_CADRES
    if category == WORKER:
        return WOMEN_WORKERS
    raise RetirementRuleError(CATEGORY_UNKNOWN)


def delay_months(birth: date, rule: Schedule) -> int:
    """Months added to the old age: one for the first step's births, one more per step."""
    index = (birth.year - rule.first_birth_year) * 12 + birth.month - 1
    if index < 0:
        return 0
    return min(rule.max_delay_months, index // rule.months_of_birth_per_step + 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class RetirementAge:
    years: int
    months: int
    date: date  # the day the age is reached

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months


def statutory_age(birth: date, gender: str, category: str = WORKER) -> RetirementAge:
    rule = schedule(gender, category)
    total = rule.base_years * 12 + delay_months(birth, rule)
    return RetirementAge(total // 12, total % 12, _add_months(birth, total))


def minimum_contribution_months(retirement_year: int) -> int:
    """180 months (15 years) until 2029; six more each year from 2030, at most 240."""
    if retirement_year < 2030:
        return 180
    return min(240, 180 + 6 * (retirement_year - 2029))


def may_apply_from(statutory_date: date) -> date:
    """A retirement claim may be made from three months before the statutory date."""
    return _add_months(statutory_date, -3)


def meets_conditions(
    birth: date, gender: str, category: str, contribution_months: int, on: date
) -> bool:
    """Statutory age reached on ``on`` and the minimum period for that year contributed."""
    age = statutory_age(birth, gender, category)
    return on >= age.date and contribution_months >= minimum_contribution_months(age.date.year)
