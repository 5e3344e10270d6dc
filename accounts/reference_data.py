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


SYSTEM_ACCOUNTS = [
    "contributions_received",
    "settlements_payable",
    "payouts_payable",
    "paid_out",
    "interest_credited",
]

# The national crediting rate (记账利率) of the basic-pension personal account, published
# yearly by MOHRSS and MOF (SIL Art. 14). A later year's rate is added when published.
PENSION_CREDITING_RATES = {
    2016: "0.0831",
    2017: "0.0712",
    2018: "0.0829",
    2019: "0.0761",
    2020: "0.0604",
    2021: "0.0669",
    2022: "0.0612",
    2023: "0.0397",
    2024: "0.0262",
}
PENSION_RATE_SOURCE = (
    "MOHRSS and MOF, national crediting rate of the basic-pension personal account for {year}"
)
# The medical personal account earns interest by local rule, commonly near the bank
# demand-deposit rate. These are not published figures: they let the demo show interest.
MEDICAL_DEMO_RATES = {
    2016: "0.0035",
    2017: "0.0035",
    2018: "0.0035",
    2019: "0.0035",
    2020: "0.0035",
    2021: "0.0030",
    2022: "0.0025",
    2023: "0.0020",
    2024: "0.0015",
}
MEDICAL_DEMO_SOURCE = (
    "DEMO: illustrative rate near the bank demand-deposit rate for {year}, not a published "
    "figure; a region enters its own by local rule"
)


def ensure_interest_rates(rate_model):
    """Create the national interest rates if missing (idempotent); the historical model
    may be passed, as the data migration does."""
    for scheme, rates, source in (
        ("pension", PENSION_CREDITING_RATES, PENSION_RATE_SOURCE),
        ("medical", MEDICAL_DEMO_RATES, MEDICAL_DEMO_SOURCE),
    ):
        for year, rate in rates.items():
            rate_model.objects.get_or_create(
                region=NATIONAL,
                scheme=scheme,
                year=year,
                defaults={"rate": Decimal(rate), "source": source.format(year=year)},
            )


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
