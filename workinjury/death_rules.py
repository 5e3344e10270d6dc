"""Death at work (WIR Art. 39; RULES §6): what the work-injury fund pays when a
recognised work injury led to the worker's death.

- funeral subsidy: six months of the region's average monthly wage of the year before
  the death;
- one-time work-death subsidy: 20 × the national urban per-capita disposable income of
  the year before the death;
- dependants' pension, monthly, as a share of the worker's own wage (Art. 64): the
  spouse 40 %, each other dependant 30 %, 10 % more for a lone elder or an orphan; all
  the dependants' pensions together at most the worker's own wage. Above it, each is
  cut in the same proportion, to the fen, the fen left over going to the first
  dependants listed (the spouse first) so that the total is exactly the wage.

Pure: the figures are passed in, nothing here reads the database or guesses a figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
LAW = "Regulations on Work-Related Injury Insurance, Art. 39"
LAW_FUNERAL = "Regulations on Work-Related Injury Insurance, Art. 39(1)"
LAW_PENSION = "Regulations on Work-Related Injury Insurance, Art. 39(2)"
LAW_SUBSIDY = "Regulations on Work-Related Injury Insurance, Art. 39(3)"

FUNERAL_MONTHS = 6
SUBSIDY_TIMES_INCOME = 20

SPOUSE = "spouse"
CHILD = "child"
PARENT = "parent"
OTHER = "other"
RELATIONS = (SPOUSE, CHILD, PARENT, OTHER)
SHARE = {
    SPOUSE: Decimal("0.40"),
    CHILD: Decimal("0.30"),
    PARENT: Decimal("0.30"),
    OTHER: Decimal("0.30"),
}
LONE_EXTRA = Decimal("0.10")

# Refusal codes.
NOT_RECOGNISED = "work_death_not_recognised"
DEATH_BEFORE_ACCIDENT = "work_death_before_accident"
DEATH_IN_FUTURE = "work_death_in_future"
RELATION_UNKNOWN = "work_death_relation_unknown"
NOT_FROM_INJURY = "work_death_not_from_injury"
BASIS = {
    NOT_RECOGNISED: LAW,
    DEATH_BEFORE_ACCIDENT: LAW,
    DEATH_IN_FUTURE: LAW,
    RELATION_UNKNOWN: LAW_PENSION,
    NOT_FROM_INJURY: LAW,
}


class DeathRuleError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check_record(*, recognised: bool, accident_on: date, died_on: date, today: date) -> None:
    """A death is recorded against a recognised work injury, on or after the accident
    and not in the future."""
    if not recognised:
        raise DeathRuleError(NOT_RECOGNISED)
    if died_on < accident_on:
        raise DeathRuleError(DEATH_BEFORE_ACCIDENT)
    if died_on > today:
        raise DeathRuleError(DEATH_IN_FUTURE)


def funeral_subsidy(regional_average_monthly: Decimal) -> Decimal:
    return (regional_average_monthly * FUNERAL_MONTHS).quantize(FEN, ROUND_HALF_UP)


def one_time_subsidy(national_income: Decimal) -> Decimal:
    return (national_income * SUBSIDY_TIMES_INCOME).quantize(FEN, ROUND_HALF_UP)


@dataclass(frozen=True)
class Dependant:
    relation: str
    lone: bool = False  # a lone elder or an orphan


@dataclass(frozen=True)
class Pensions:
    shares: tuple[Decimal, ...]  # each dependant's share of the wage, before the cap
    uncapped: tuple[Decimal, ...]  # share × wage
    amounts: tuple[Decimal, ...]  # what each is paid a month
    total: Decimal
    capped: bool


def share(dependant: Dependant) -> Decimal:
    if dependant.relation not in SHARE:
        raise DeathRuleError(RELATION_UNKNOWN)
    return SHARE[dependant.relation] + (LONE_EXTRA if dependant.lone else Decimal("0"))


def dependants_pensions(dependants: Sequence[Dependant], wage: Decimal) -> Pensions:
    """Each dependant's monthly pension from the worker's own monthly wage (Art. 39(2))."""
    shares = tuple(share(item) for item in dependants)
    uncapped = tuple((wage * item).quantize(FEN, ROUND_HALF_UP) for item in shares)
    total = sum(uncapped, Decimal("0.00"))
    if total <= wage:
        return Pensions(shares, uncapped, uncapped, total, False)
    cut = [(amount * wage / total).quantize(FEN, ROUND_DOWN) for amount in uncapped]
    left = int((wage - sum(cut, Decimal("0.00"))) / FEN)
    for index in range(left):
        cut[index % len(cut)] += FEN
    return Pensions(shares, uncapped, tuple(cut), sum(cut, Decimal("0.00")), True)
