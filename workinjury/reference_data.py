"""The regional work-injury funds the demo regions pay from: set up as data, so that
a payment never creates the fund it needs (accounts.ledger.fund_account)."""

from pensions.reference_data import FUND_REGIONS


def ensure_work_injury_funds(account_model):
    from accounts.models import fund_code

    for region in FUND_REGIONS:
        account_model.objects.get_or_create(
            kind="system", system_code=fund_code("work_injury", region), defaults={"scheme": ""}
        )


# The national urban per-capita disposable income by year (yuan a year), for the
# one-time work-death subsidy (WIR Art. 39). DEMO data: illustrative values of the order
# of the National Bureau of Statistics' yearly communiqués, not checked against them;
# an operator replaces each with the published figure and its source.
NATIONAL_INCOME_SOURCE = (
    "DEMO: illustrative national urban per-capita disposable income, not an official "
    "figure; replace with the NBS statistical communiqué"
)
NATIONAL_INCOMES = {
    2020: "43834.00",
    2021: "47412.00",
    2022: "49283.00",
    2023: "51821.00",
    2024: "54188.00",
    2025: "56500.00",
}


def ensure_national_incomes(model):
    """Add the illustrative figures where no figure is recorded (idempotent)."""
    from decimal import Decimal

    for year, amount in NATIONAL_INCOMES.items():
        model.objects.get_or_create(
            year=year, defaults={"amount": Decimal(amount), "source": NATIONAL_INCOME_SOURCE}
        )


# The nursing allowance by self-care level (WIR Art. 34), in percent of the region's
# average monthly wage. DEMO data: the national regulation's 50 / 40 / 30 % entered for
# each demo region from the 2010 revision's entry into force; a region replaces them
# with its own published figures and their source.
NURSING_RATE_SOURCE = (
    "WIR Art. 34 - DEMO: the national regulation's percentage, not a regional publication"
)
NURSING_RATES_FROM = "2011-01-01"
NURSING_PERCENTS = {"wholly": "50.00", "mostly": "40.00", "partial": "30.00"}


def ensure_nursing_rates(model):
    """Add the demo rates where the region has none for the level (idempotent)."""
    from datetime import date
    from decimal import Decimal

    for region in FUND_REGIONS:
        for level, percent in NURSING_PERCENTS.items():
            model.objects.get_or_create(
                region=region,
                self_care=level,
                valid_from=date.fromisoformat(NURSING_RATES_FROM),
                defaults={"percent": Decimal(percent), "source": NURSING_RATE_SOURCE},
            )
