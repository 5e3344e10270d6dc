"""Work-injury time limits and benefits, in months of the worker's own wage (RULES §6).

Regulations on Work-Related Injury Insurance (WIR): an employer applies for recognition
within 30 days of the accident, the worker or a close relative within one year
(Art. 17). Benefits are months of the worker's own wage -- the average of the 12 months
before the injury, bounded to 60 %-300 % of the regional average wage (Art. 64): the
one-time disability subsidy by grade (Art. 35-37) and, for grades 1-4, a monthly
disability allowance (Art. 35). Regional figures are passed in; nothing here guesses one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
EMPLOYER = "employer"
WORKER = "worker"
RELATIVE = "relative"
EMPLOYER_DAYS = 30

LAW_TIME_LIMIT = "Regulations on Work-Related Injury Insurance, Art. 17"
LAW_WAGE = "Regulations on Work-Related Injury Insurance, Art. 64"
LAW_GRADES = "Regulations on Work-Related Injury Insurance, Art. 35–37"

# Refusal codes.
FILED_TOO_LATE = "injury_filed_too_late"
FILER_UNKNOWN = "injury_filer_unknown"
FILED_BEFORE_ACCIDENT = "injury_filed_before_accident"
GRADE_INVALID = "injury_grade_invalid"
NO_WAGE_RECORD = "injury_no_wage_record"

# Art. 35-37: months of own wage, paid once, by grade.
ONE_TIME_SUBSIDY_MONTHS = {1: 27, 2: 25, 3: 23, 4: 21, 5: 18, 6: 16, 7: 13, 8: 11, 9: 9, 10: 7}
# Art. 35: the monthly allowance for grades 1-4, as a share of own wage.
MONTHLY_ALLOWANCE_SHARE = {
    1: Decimal("0.90"),
    2: Decimal("0.85"),
    3: Decimal("0.80"),
    4: Decimal("0.75"),
}
LOWER_BOUND = Decimal("0.60")
UPPER_BOUND = Decimal("3.00")


class InjuryRuleError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def filing_deadline(accident_on: date, filer: str) -> date:
    """The last day on which ``filer`` may apply for recognition (WIR Art. 17)."""
    if filer == EMPLOYER:
        return accident_on + timedelta(days=EMPLOYER_DAYS)
    if filer in (WORKER, RELATIVE):
        return _one_year_after(accident_on)
    raise InjuryRuleError(FILER_UNKNOWN)


def check_filing(accident_on: date, filed_on: date, filer: str) -> None:
    if filed_on < accident_on:
        raise InjuryRuleError(FILED_BEFORE_ACCIDENT)
    if filed_on > filing_deadline(accident_on, filer):
        raise InjuryRuleError(FILED_TOO_LATE)


@dataclass(frozen=True)
class OwnWage:
    average: Decimal  # of the months on record
    months: int
    bounded: Decimal  # what benefits are computed from
    regional_average: Decimal
    bound_applied: str  # "", "lower" or "upper"


def own_wage(monthly_wages: Sequence[Decimal], regional_average: Decimal) -> OwnWage:
    """The average of the (up to 12) recorded months before the injury, bounded (Art. 64)."""
    if not monthly_wages:
        raise InjuryRuleError(NO_WAGE_RECORD)
    months = list(monthly_wages)[-12:]
    average = (sum(months, Decimal("0")) / len(months)).quantize(FEN, ROUND_HALF_UP)
    low = (regional_average * LOWER_BOUND).quantize(FEN, ROUND_HALF_UP)
    high = (regional_average * UPPER_BOUND).quantize(FEN, ROUND_HALF_UP)
    if average < low:
        return OwnWage(average, len(months), low, regional_average, "lower")
    if average > high:
        return OwnWage(average, len(months), high, regional_average, "upper")
    return OwnWage(average, len(months), average, regional_average, "")


def _check_grade(grade: int) -> None:
    if grade not in ONE_TIME_SUBSIDY_MONTHS:
        raise InjuryRuleError(GRADE_INVALID)


def one_time_subsidy(grade: int, wage: Decimal) -> Decimal:
    _check_grade(grade)
    return (wage * ONE_TIME_SUBSIDY_MONTHS[grade]).quantize(FEN, ROUND_HALF_UP)


def monthly_allowance(grade: int, wage: Decimal) -> Decimal:
    """Grades 1-4 only; grades 5-10 have none from the fund (zero)."""
    _check_grade(grade)
    share = MONTHLY_ALLOWANCE_SHARE.get(grade)
    if share is None:
        return Decimal("0.00")
    return (wage * share).quantize(FEN, ROUND_HALF_UP)
