"""Read paths of the pensions app."""

from accounts.models import Contribution, Scheme
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
