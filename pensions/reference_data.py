"""Illustrative regional average wages for the demo and the tests.

These are NOT official figures: a round 2024 monthly figure per demo region, taken back
7 % a year to 1995. Real figures are entered as data with their source.
"""

from decimal import ROUND_HALF_UP, Decimal

ILLUSTRATIVE_SOURCE = "Illustrative demo value, not an official figure"
FIRST_YEAR, LAST_YEAR = 1995, 2025
BASE_YEAR = 2024
BASE_FIGURES = {
    "000000": Decimal("9000.00"),
    "110100": Decimal("13000.00"),
    "310100": Decimal("12500.00"),
    "440300": Decimal("12000.00"),
    "510100": Decimal("10000.00"),
}
GROWTH = Decimal("1.07")


def illustrative_figures():
    """(region, year, amount) for every demo region and year."""
    for region, base in BASE_FIGURES.items():
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            amount = base * GROWTH ** (year - BASE_YEAR)
            yield region, year, amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ensure_illustrative_wages(model):
    """Add the illustrative figures where no figure is recorded (idempotent)."""
    for region, year, amount in illustrative_figures():
        model.objects.get_or_create(
            region=region,
            year=year,
            defaults={"amount": amount, "source": ILLUSTRATIVE_SOURCE},
        )


# The overall level of the yearly adjustment of basic pensions in payment, as published
# nationally by MOHRSS and MOF for each year (provinces set their own schemes within
# it). Entered as the national default from January of each year; a region's own rows
# replace it for that region and year.
NATIONAL = "000000"
NATIONAL_INCREASES = {
    2016: Decimal("6.5"),
    2017: Decimal("5.5"),
    2018: Decimal("5"),
    2019: Decimal("5"),
    2020: Decimal("5"),
    2021: Decimal("4.5"),
    2022: Decimal("4"),
    2023: Decimal("3.8"),
    2024: Decimal("3"),
    2025: Decimal("2"),
}
INCREASE_SOURCE = (
    "MOHRSS/MOF notice on adjusting basic pensions for {year}: overall level "
    "(national default; provinces set their own)"
)
# The demo regions whose pension fund (a system account) exists from the start.
FUND_REGIONS = tuple(BASE_FIGURES)


def ensure_national_increases(model):
    from datetime import date

    for year, percent in NATIONAL_INCREASES.items():
        model.objects.get_or_create(
            region=NATIONAL,
            from_month=date(year, 1, 1),
            defaults={"percent": percent, "source": INCREASE_SOURCE.format(year=year)},
        )


def ensure_pension_funds(account_model):
    from accounts.models import fund_code

    for region in FUND_REGIONS:
        account_model.objects.get_or_create(
            kind="system", system_code=fund_code("pension", region), defaults={"scheme": ""}
        )


# Illustrative credits to retirees' personal medical accounts for the demo regions, NOT
# official figures: before the outpatient mutual-aid reform a share of the pension, after
# it (from 2022, as the national contribution table applies the reform) a fixed amount of
# about 2 % of an average pension (RULES §8).
ILLUSTRATIVE_MEDICAL_RATES = (
    (1995, None, Decimal("4"), "before the outpatient mutual-aid reform, about 4 % of the pension"),
    (
        2022,
        Decimal("70.00"),
        None,
        "about 2 % of the region's average pension (国办发〔2021〕14号)",
    ),
)


def ensure_retiree_medical(rate_model, account_model):
    """The demo regions' medical funds and illustrative retiree credit rates (idempotent)."""
    from datetime import date

    from accounts.models import fund_code

    for region in FUND_REGIONS:
        account_model.objects.get_or_create(
            kind="system", system_code=fund_code("medical", region), defaults={"scheme": ""}
        )
        for year, amount, percent, note in ILLUSTRATIVE_MEDICAL_RATES:
            rate_model.objects.get_or_create(
                region=region,
                from_month=date(year, 1, 1),
                defaults={
                    "amount": amount,
                    "percent": percent,
                    "source": f"{ILLUSTRATIVE_SOURCE}: {note}",
                    "illustrative": True,
                },
            )
