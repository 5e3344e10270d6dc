"""Starting data every installation needs: national default rates and system accounts.

Regions add their own rate rows; nothing in code assumes these figures.
"""

from datetime import date
from decimal import Decimal

NATIONAL = "000000"
RATES_START = date(2015, 1, 1)
WAGE_BASE_FLOOR = Decimal("4000.00")
WAGE_BASE_CEILING = Decimal("35000.00")

# (scheme, payer, destination, rate)
NATIONAL_RATES = [
    ("pension", "employer", "pooled", "0.1600"),
    ("pension", "employee", "personal", "0.0800"),
    ("medical", "employer", "pooled", "0.0800"),
    ("medical", "employee", "personal", "0.0200"),
    ("unemployment", "employer", "pooled", "0.0050"),
    ("unemployment", "employee", "pooled", "0.0050"),
    ("work_injury", "employer", "pooled", "0.0040"),
    ("maternity", "employer", "pooled", "0.0080"),
    # Flexibly employed people pay both parts of pension and medical themselves.
    ("pension", "flexible", "pooled", "0.1200"),
    ("pension", "flexible", "personal", "0.0800"),
    ("medical", "flexible", "pooled", "0.0600"),
    ("medical", "flexible", "personal", "0.0200"),
]

# Regions (codes) whose rules let a retired person keep contributing as a flexibly employed
# person; everywhere else a retired person's employee and employer contributions are
# refused. Empty by default: the national rule is that a pension in payment ends them.
RETIRED_MAY_CONTINUE_FLEXIBLE = frozenset()


def retired_may_continue(region):
    """May a retired person of `region` keep contributing (as flexibly employed)?"""
    return region in RETIRED_MAY_CONTINUE_FLEXIBLE


SYSTEM_ACCOUNTS = ["contributions_received", "settlements_payable", "payouts_payable", "paid_out"]


def ensure_national_defaults(rate_model, account_model):
    """Create the national rates and system accounts if missing (idempotent).

    Takes the models as arguments so the data migration can pass its historical ones.
    """
    for scheme, payer, destination, rate in NATIONAL_RATES:
        rate_model.objects.get_or_create(
            region=NATIONAL,
            scheme=scheme,
            payer=payer,
            destination=destination,
            effective_from=RATES_START,
            defaults={
                "rate": Decimal(rate),
                "wage_base_floor": WAGE_BASE_FLOOR,
                "wage_base_ceiling": WAGE_BASE_CEILING,
            },
        )
    for code in SYSTEM_ACCOUNTS:
        account_model.objects.get_or_create(kind="system", system_code=code)
