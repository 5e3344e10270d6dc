"""The monthly pension at retirement (RULES §2; 国发〔2005〕38号).

* basic pension = (last year's regional average monthly wage + the indexed average
  monthly contribution wage) ÷ 2 × contribution years × 1 %, where the indexed wage is
  the regional average wage × the mean of the yearly contribution indexes (that year's
  average wage base ÷ that year's regional average wage);
* personal-account pension = the personal pension balance at retirement ÷ the divisor
  (计发月数) for the retirement age in whole years.

The transitional pension for service before personal accounts existed is not computed
here. Regional average wages are data passed in; a missing one refuses, naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
NO_AVERAGE_WAGE = "pension_no_average_wage"
AGE_OUTSIDE_DIVISOR_TABLE = "pension_age_outside_divisor_table"
NO_CONTRIBUTIONS = "pension_no_contributions"

# 计发月数 by retirement age in whole years (the decision's annex).
DIVISORS = {
    40: 233, 41: 230, 42: 226, 43: 223, 44: 220, 45: 216, 46: 212, 47: 207, 48: 204,
    49: 199, 50: 195, 51: 190, 52: 185, 53: 180, 54: 175, 55: 170, 56: 164, 57: 158,
    58: 152, 59: 145, 60: 139, 61: 132, 62: 125, 63: 117, 64: 109, 65: 101, 66: 93,
    67: 84, 68: 75, 69: 65, 70: 56,
}  # fmt: skip


class PensionFigureMissing(LookupError):
    def __init__(self, code: str, **params):
        super().__init__(code, params)
        self.code, self.params = code, params


@dataclass(frozen=True)
class Pension:
    basic_monthly: Decimal
    personal_monthly: Decimal
    divisor: int
    indexed_wage: Decimal
    average_index: Decimal
    contribution_years: Decimal
    balance_at_retirement: Decimal

    @property
    def monthly(self) -> Decimal:
        return self.basic_monthly + self.personal_monthly


def divisor(age_years: int) -> int:
    try:
        return DIVISORS[age_years]
    except KeyError:
        raise PensionFigureMissing(AGE_OUTSIDE_DIVISOR_TABLE, age=age_years) from None


def _average_wage(wages: Mapping[int, Decimal], year: int) -> Decimal:
    if year not in wages:
        raise PensionFigureMissing(NO_AVERAGE_WAGE, year=year)
    return Decimal(wages[year])


def average_index(
    yearly_wage_bases: Mapping[int, Decimal], wages: Mapping[int, Decimal]
) -> Decimal:
    """Mean of the yearly indexes (average monthly wage base ÷ regional average wage)."""
    if not yearly_wage_bases:
        raise PensionFigureMissing(NO_CONTRIBUTIONS)
    indexes = [
        Decimal(base) / _average_wage(wages, year) for year, base in yearly_wage_bases.items()
    ]
    return sum(indexes, Decimal(0)) / len(indexes)


def compute(
    *,
    retirement_year: int,
    age_years: int,
    contribution_months: int,
    yearly_wage_bases: Mapping[int, Decimal],
    average_wages: Mapping[int, Decimal],
    personal_balance: Decimal,
) -> Pension:
    """The pension fixed at retirement; every amount rounded to the fen once."""
    last_year_wage = _average_wage(average_wages, retirement_year - 1)
    index = average_index(yearly_wage_bases, average_wages)
    indexed_wage = last_year_wage * index
    years = Decimal(contribution_months) / 12
    basic = ((last_year_wage + indexed_wage) / 2 * years / 100).quantize(FEN, ROUND_HALF_UP)
    months = divisor(age_years)
    personal = (Decimal(personal_balance) / months).quantize(FEN, ROUND_HALF_UP)
    return Pension(
        basic_monthly=basic,
        personal_monthly=personal,
        divisor=months,
        indexed_wage=indexed_wage.quantize(FEN, ROUND_HALF_UP),
        average_index=index.quantize(Decimal("0.0001"), ROUND_HALF_UP),
        contribution_years=years.quantize(Decimal("0.01"), ROUND_HALF_UP),
        balance_at_retirement=Decimal(personal_balance),
    )
