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
