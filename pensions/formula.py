"""The monthly pension (RULES.md §2; State Council Decision 国发〔2005〕38号).

Pure functions over figures passed in: no ORM, clock or settings.

- basic pension = (last year's regional average monthly wage + the indexed average
  monthly contribution wage) ÷ 2 × contribution years × 1 %;
- indexed wage = regional average wage × the mean of the yearly contribution indexes
  (that year's wage base ÷ that year's regional average wage);
- personal-account pension = personal pension balance at retirement ÷ the divisor for
  the retirement age in whole years (计发月数).

The transitional pension for service before the personal-account era is not computed.
Amounts are rounded to the fen once, at the end.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pensions.exceptions import MissingFigure, NoDivisor

FEN = Decimal("0.01")

# 计发月数 by retirement age in whole years (the 2005 decision's annex).
DIVISORS = {
    40: 233, 41: 230, 42: 226, 43: 223, 44: 220, 45: 216, 46: 212, 47: 207, 48: 204,
    49: 199, 50: 195, 51: 190, 52: 185, 53: 180, 54: 175, 55: 170, 56: 164, 57: 158,
    58: 152, 59: 145, 60: 139, 61: 132, 62: 125, 63: 117, 64: 109, 65: 101, 66: 93,
    67: 84, 68: 75, 69: 65, 70: 56,
}  # fmt: skip


def fen(value):
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def divisor(age_years):
    try:
        return DIVISORS[int(age_years)]
    except KeyError:
        raise NoDivisor(field="age") from None


def average_wage(averages, region, year):
    """The regional average monthly wage for `year` from {year: amount}, or refuse."""
    try:
        return Decimal(averages[year])
    except KeyError:
        raise MissingFigure(region=region, year=year) from None


def mean_index(wage_bases, averages, region):
    """The mean of the yearly contribution indexes.

    `wage_bases` maps a year to the mean monthly wage base contributed on that year;
    each year's index is that base ÷ the year's regional average monthly wage.
    """
    if not wage_bases:
        return Decimal(0)
    indexes = [
        Decimal(base) / average_wage(averages, region, year) for year, base in wage_bases.items()
    ]
    return sum(indexes, Decimal(0)) / len(indexes)


@dataclass(frozen=True)
class Pension:
    average_wage: Decimal
    index: Decimal
    indexed_wage: Decimal
    contribution_months: int
    basic: Decimal
    balance: Decimal
    divisor: int
    personal: Decimal

    @property
    def total(self):
        return self.basic + self.personal

    @property
    def contribution_years(self):
        return (Decimal(self.contribution_months) / 12).quantize(Decimal("0.01"))


def basic_part(avg_wage, index, months):
    """(average + average × index) ÷ 2 × (months ÷ 12) × 1 %, to the fen."""
    avg_wage = Decimal(avg_wage)
    indexed = avg_wage * Decimal(index)
    return fen((avg_wage + indexed) / 2 * Decimal(months) / 12 / 100)


def personal_part(balance, age_years):
    return fen(Decimal(balance) / divisor(age_years))


def pension(*, avg_wage, index, months, balance, age_years):
    """Both parts of the monthly pension, with the figures used."""
    avg_wage = Decimal(avg_wage)
    index = Decimal(index)
    return Pension(
        average_wage=avg_wage,
        index=index,
        indexed_wage=fen(avg_wage * index),
        contribution_months=months,
        basic=basic_part(avg_wage, index, months),
        balance=fen(balance),
        divisor=divisor(age_years),
        personal=personal_part(balance, age_years),
    )
