"""Personal-account interest, the exact monthly form of the published formula (SIL Art. 14).

The yearly formula MOHRSS publishes is

    interest = last year-end balance × rate + this year's credits × rate × 1.083 × ½

where 1.083 stands for 13/12: it abbreviates the exact form, in which money credited in
month m (January = 1) earns rate × (13 − m) / 12 and the opening balance earns the full
rate. A debit in month m likewise stops earning from that month, so the interest is the
rate times the mean of the twelve month-end balances. A partial year runs through month
p: the opening balance earns rate × p / 12 and a movement in month m ≤ p earns
rate × (p + 1 − m) / 12. An account paid out in a month earns through the month before
(the completed months the money stayed): p is the payout month − 1.

The sums are kept exact and rounded to the fen once per account and year, half up, as
every amount of money in sscard is rounded. Pure functions: no database, no clock.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONTHS = 12
# The factor the published form prints as 1.083.
PUBLISHED_FACTOR = Decimal(13) / Decimal(12)


def month_weight(month, through=MONTHS):
    """How many months of the year money moved in `month` earns, up to month `through`."""
    if not 1 <= month <= MONTHS or not 0 <= through <= MONTHS:
        raise ValueError("months run from 1 to 12")
    return max(0, through + 1 - month)


def weighted_movements(movements, through=MONTHS):
    """Σ amount × months earned, for (month, signed amount) pairs; months after
    `through` earn nothing."""
    return sum((Decimal(amount) * month_weight(month, through) for month, amount in movements), 0)


def interest_from_sums(rate, opening, weighted, through=MONTHS):
    """The interest, rounded once: rate × (opening × through + weighted) / 12, where
    `weighted` is Σ amount × (through + 1 − month) over the year's movements (the sum
    the interest run computes in SQL)."""
    if not 0 <= through <= MONTHS:
        raise ValueError("a year runs through month 0 to 12")
    exact = Decimal(rate) * (Decimal(opening) * through + Decimal(weighted)) / MONTHS
    return exact.quantize(CENT, rounding=ROUND_HALF_UP)


def interest(rate, opening, movements=(), through=MONTHS):
    """The interest of one account-year: the opening balance and the year's movements
    as (month, signed amount), up to and including month `through`."""
    return interest_from_sums(rate, opening, weighted_movements(movements, through), through)


def published_form(rate, opening, credits, factor=PUBLISHED_FACTOR):
    """The published formula, unrounded: opening × rate + credits × rate × factor × ½
    (the factor printed as 1.083)."""
    rate = Decimal(rate)
    return Decimal(opening) * rate + Decimal(credits) * rate * factor / 2
