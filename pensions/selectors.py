"""Read paths of the pensions app."""

from decimal import Decimal

from accounts.models import Account, Contribution, Scheme
from pensions import forecast, retirement
from pensions.models import RegionalAverageWage
from pensions.retirement import contribution_months


def pension_contribution_months(cardholder):
    """The first day of every month the pension record holds a contribution for,
    oldest first. One query."""
    return list(
        Contribution.objects.filter(cardholder=cardholder, scheme=Scheme.PENSION)
        .order_by()
        .dates("month", "month")
    )


def pension_contribution_month_count(cardholder):
    """How many months of pension contributions the record holds."""
    return contribution_months(pension_contribution_months(cardholder))


def average_wages(region):
    """{year: average monthly wage} recorded for a region. One query."""
    return dict(RegionalAverageWage.objects.filter(region=region).values_list("year", "amount"))


def yearly_wage_bases(cardholder):
    """{year: mean monthly pension wage base} over the record. One query."""
    rows = (
        Contribution.objects.filter(cardholder=cardholder, scheme=Scheme.PENSION)
        .order_by()
        .values_list("month", "wage_base")
    )
    # The employer's and the employee's rows of a month carry the same base: one each.
    per_month = dict(rows)
    sums = {}
    for month, base in per_month.items():
        total, count = sums.get(month.year, (Decimal(0), 0))
        sums[month.year] = (total + base, count + 1)
    return {year: total / count for year, (total, count) in sums.items()}


def personal_pension_balance(cardholder):
    """The personal pension account's balance (zero without one). One query."""
    balance = (
        Account.objects.filter(
            cardholder=cardholder, scheme=Scheme.PENSION, kind=Account.Kind.PERSONAL
        )
        .values_list("balance", flat=True)
        .first()
    )
    return balance or Decimal(0)


def forecast_for_cardholder(cardholder, *, today, wage_growth, crediting_rate, cadre=False):
    """The forecast for a cardholder from their record. Four queries."""
    return forecast.forecast(
        today=today,
        birth_date=cardholder.date_of_birth,
        category=retirement.category_for(cardholder.gender, cadre=cadre),
        region=cardholder.region,
        months_so_far=pension_contribution_month_count(cardholder),
        balance=personal_pension_balance(cardholder),
        wage_bases=yearly_wage_bases(cardholder),
        averages=average_wages(cardholder.region),
        wage_growth=wage_growth,
        crediting_rate=crediting_rate,
    )


def pension_status(cardholder):
    """The body of ``GET /api/v1/pension/``. No retirement claim exists yet, so every
    cardholder is ``not_retired``: the statutory date (RULES §2) and the contribution
    years on record so far, nothing in payment."""
    category = retirement.category_for(cardholder.gender)
    months = pension_contribution_month_count(cardholder)
    return {
        "status": "not_retired",
        "retirement_date": retirement.retirement_date(
            cardholder.date_of_birth, category
        ).isoformat(),
        "contribution_years": f"{Decimal(months) / 12:.2f}",
        "balance_at_retirement": None,
        "divisor": None,
        "basic_monthly": None,
        "personal_monthly": None,
        "next_living_check_due": None,
        "payments": [],
    }
