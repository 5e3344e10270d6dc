"""A forecast of the pension for someone still working. Pure: every figure is passed in.

In today's money: future wages and balances are divided by the assumed wage growth,
so the regional average wage and the person's wage base stay at today's figures and
the personal account grows at the real rate (1 + crediting rate) ÷ (1 + wage growth) − 1.
Future months are assumed contributed at the latest wage base, 8 % to the personal
account (RULES.md §8). The transitional pension is not included.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pensions import formula, retirement

PERSONAL_RATE = Decimal("0.08")


@dataclass(frozen=True)
class Forecast:
    retirement_date: date
    retirement_age_months: int
    months_so_far: int
    months_at_retirement: int
    minimum_months: int
    balance_now: Decimal
    pension: formula.Pension
    one_more_year: Decimal  # what twelve more months of contributions add a month
    points: list  # (year-end date, projected personal balance), for the chart
    wage_growth: Decimal
    crediting_rate: Decimal

    @property
    def meets_minimum(self):
        return self.months_at_retirement >= self.minimum_months


def _month_number(day):
    return day.year * 12 + day.month - 1


def forecast(
    *,
    today,
    birth_date,
    category,
    region,
    months_so_far,
    balance,
    wage_bases,
    averages,
    wage_growth,
    crediting_rate,
):
    """The forecast; `wage_growth` and `crediting_rate` are yearly fractions (0.03)."""
    retires = retirement.retirement_date(birth_date, category)
    age_months = retirement.retirement_age_months(birth_date, category)
    future = max(_month_number(retires) - _month_number(today), 0)
    avg_now = formula.average_wage(averages, region, today.year - 1)
    latest_base = wage_bases[max(wage_bases)] if wage_bases else Decimal(0)
    monthly_rate = ((1 + crediting_rate) / (1 + wage_growth) - 1) / 12
    credit = latest_base * PERSONAL_RATE if future else Decimal(0)

    projected = Decimal(balance)
    points = [(today, formula.fen(projected))]
    year, month = today.year, today.month
    for _n in range(future):
        projected = projected * (1 + monthly_rate) + credit
        month += 1
        if month == 13:
            year, month = year + 1, 1
        if month == 12 or _n == future - 1:
            points.append((date(year, month, 28), formula.fen(projected)))

    past = [
        Decimal(base) / formula.average_wage(averages, region, y) for y, base in wage_bases.items()
    ]
    future_years = -(-future // 12)
    future_index = latest_base / avg_now
    count = len(past) + future_years
    index = (sum(past, Decimal(0)) + future_index * future_years) / count if count else Decimal(0)

    months_at = months_so_far + future
    age_years = retirement.whole_years(age_months)
    result = formula.pension(
        avg_wage=avg_now, index=index, months=months_at, balance=projected, age_years=age_years
    )
    more = formula.pension(
        avg_wage=avg_now,
        index=index,
        months=months_at + 12,
        balance=projected + latest_base * PERSONAL_RATE * 12,
        age_years=age_years,
    )
    return Forecast(
        retirement_date=retires,
        retirement_age_months=age_months,
        months_so_far=months_so_far,
        months_at_retirement=months_at,
        minimum_months=retirement.minimum_contribution_months(retires.year),
        balance_now=formula.fen(balance),
        pension=result,
        one_more_year=more.total - result.total,
        points=points,
        wage_growth=wage_growth,
        crediting_rate=crediting_rate,
    )
