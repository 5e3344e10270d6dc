"""The contribution rules (Social Insurance Law Art. 10 and 12), in one place.

Who pays for a scheme, how the wage is clamped to the base bounds, how much each payer's
part is and where it goes (the pooled or the personal account), for a region and a
month. Pure: no ORM, no clock, no settings. The rates are data (the ContributionRate
table); callers pass the rows in, and anything with the same attributes will do
(region, scheme, payer, destination, rate, wage_base_floor, wage_base_ceiling,
effective_from, effective_to).

Used by the per-row service (`services.contribution_post`), the payroll import and the
benchmark data generator, so the three post the same amounts, keys and Contribution rows.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

NATIONAL = "000000"
# The values of models.Scheme, in its order.
SCHEMES = ("pension", "medical", "unemployment", "work_injury", "maternity")
EMPLOYER, EMPLOYEE, FLEXIBLE = "employer", "employee", "flexible"
POOLED, PERSONAL = "pooled", "personal"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def first_of_month(value):
    return date(value.year, value.month, 1)


def payers(flexible):
    """Who pays: the flexibly employed pay both parts themselves (Art. 10); everyone else's
    employer and the employee each pay theirs (Art. 12)."""
    return (FLEXIBLE,) if flexible else (EMPLOYER, EMPLOYEE)


RETIRED = "retired"


def contribution_refusal(month, *, date_of_death, employment_status, retired_may_continue):
    """Why no contribution may be posted for `month`, as a refusal code, or None.

    After a death nothing is owed for the months after the month of death (RULES §4);
    a retired person draws a pension and pays no employee or employer contributions,
    unless the region's data lets the retired continue as flexibly employed
    (`retired_may_continue`: the RetiredContributionRule table).
    """
    if date_of_death is not None and month > first_of_month(date_of_death):
        return "contribution_after_death"
    if employment_status == RETIRED and not retired_may_continue:
        return "contribution_while_retired"
    return None


def rates_in_force(rates, region, scheme, month, payers):
    """The rate rows for `scheme` on `month` among `rates`: the region's own if it has
    any, else the national ones; for each (payer, destination) the newest start wins.
    Ordered newest first (by destination on the same start)."""
    rows = [
        row
        for row in rates
        if row.region in (region, NATIONAL)
        and row.scheme == scheme
        and row.payer in payers
        and row.effective_from <= month
        and (row.effective_to is None or row.effective_to >= month)
    ]
    rows.sort(key=lambda row: row.destination)
    rows.sort(key=lambda row: row.effective_from, reverse=True)
    regional = [row for row in rows if row.region == region]
    rows = regional or [row for row in rows if row.region == NATIONAL]
    latest = {}
    for row in rows:
        latest.setdefault((row.payer, row.destination), row)
    return list(latest.values())


def clamp(wage, floor, ceiling):
    """The wage base: the declared wage held within the rate's bounds."""
    return min(max(wage, floor), ceiling)


def _amount(wage, bounds):
    total = ZERO
    for rate, floor, ceiling in bounds:
        # clamp(), written out (comparisons cost a third of min/max): this runs for every
        # part of every payroll row. Equal values keep the wage, as max and min do.
        base = floor if wage < floor else wage
        if base > ceiling:
            base = ceiling
        total += (base * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return total


@dataclass(slots=True)  # not frozen: one is made per part of every payroll row
class Split:
    """One payer's part of one scheme for one wage: the money and where it goes."""

    scheme: str
    payer: str
    wage_base: Decimal
    to_pooled: Decimal
    to_personal: Decimal

    @property
    def total(self):
        return self.to_pooled + self.to_personal


@dataclass(frozen=True, slots=True)
class Part:
    """What one payer pays for one scheme: (rate, floor, ceiling) per destination. Each
    rate row is rounded half up to the fen on its own; the wage base recorded is the
    wage clamped by the first row's bounds."""

    scheme: str
    payer: str
    pooled: tuple
    personal: tuple
    base_floor: Decimal
    base_ceiling: Decimal

    def split(self, wage):
        return Split(self.scheme, self.payer, *self.amounts(wage))

    def amounts(self, wage):
        """`split` as a tuple (wage base, to pooled, to personal), for bulk callers."""
        base = self.base_floor if wage < self.base_floor else wage
        if base > self.base_ceiling:
            base = self.base_ceiling
        return (
            base,
            _amount(wage, self.pooled) if self.pooled else ZERO,
            _amount(wage, self.personal) if self.personal else ZERO,
        )


def parts(rates, region, scheme, month, *, flexible):
    """The payer parts of `scheme` in force for a person of `region` on `month`, in the
    order `payers` gives; a payer without a rate in force has no part."""
    chosen = rates_in_force(rates, region, scheme, month, payers(flexible))
    result = []
    for payer in payers(flexible):
        rows = [row for row in chosen if row.payer == payer]
        if not rows:
            continue
        result.append(
            Part(
                scheme,
                payer,
                tuple(
                    (row.rate, row.wage_base_floor, row.wage_base_ceiling)
                    for row in rows
                    if row.destination == POOLED
                ),
                tuple(
                    (row.rate, row.wage_base_floor, row.wage_base_ceiling)
                    for row in rows
                    if row.destination == PERSONAL
                ),
                rows[0].wage_base_floor,
                rows[0].wage_base_ceiling,
            )
        )
    return tuple(result)


def plan(rates, region, month, *, flexible, schemes=SCHEMES):
    """Every payer part of every scheme in force for a person of `region` on `month`;
    empty when no rate is in force at all."""
    return tuple(
        part
        for scheme in schemes
        for part in parts(rates, region, scheme, month, flexible=flexible)
    )


def reference(month):
    """The month as the ledger names it: YYYY-MM."""
    return f"{month:%Y-%m}"


def idempotency_key(cardholder_id, scheme, reference, payer):
    """One posting per cardholder, scheme, month (its `reference`) and payer, whichever
    way it arrives."""
    return f"contribution:{cardholder_id}:{scheme}:{reference}:{payer}"


def description(scheme, reference, payer):
    return f"{scheme} contribution {reference} paid by {payer}"
