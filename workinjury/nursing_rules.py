"""The nursing allowance (生活护理费) of a worker appraised as needing living care
(WIR Art. 34, RULES.md §6). Pure functions over figures passed in.

A worker whose labour-capacity appraisal concludes that they need living care is paid
a monthly nursing allowance from the work-injury fund, by the self-care level the
committee found: wholly, mostly or partly unable to care for themself. The amount is a
percentage of the region's average monthly wage of the year before; the percentages
are regional data (the national regulation says 50 %, 40 % and 30 %). When the region
has no figure for the level, the computation refuses, naming the region and the level.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from workinjury.appraisal_rules import (
    SELF_CARE_MOSTLY,
    SELF_CARE_NONE,
    SELF_CARE_PARTIAL,
    SELF_CARE_WHOLLY,
)

LAW = "Regulations on Work-Related Injury Insurance, Art. 34"
FEN = Decimal("0.01")
HUNDRED = Decimal("100")
# The levels that need living care, most care first.
NEEDS_CARE = (SELF_CARE_WHOLLY, SELF_CARE_MOSTLY, SELF_CARE_PARTIAL)

# Stable code.
RATE_MISSING = "nursing_allowance_rate_missing"


class NursingRuleError(ValueError):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class NursingAllowance:
    self_care: str
    percent: Decimal  # of the regional average monthly wage
    regional_average: Decimal
    amount: Decimal  # a month


def needs_care(self_care: str) -> bool:
    return self_care in NEEDS_CARE


def nursing_allowance(
    *,
    self_care: str,
    percents: dict[str, Decimal],
    regional_average: Decimal,
    region: str,
) -> NursingAllowance | None:
    """The monthly nursing allowance for `self_care`, or None when the worker can care
    for themself (SELF_CARE_NONE). `percents` maps each level the region has a figure
    for to its percentage; a level needing care without one raises NursingRuleError
    (RATE_MISSING, region, self_care)."""
    if self_care == SELF_CARE_NONE or not needs_care(self_care):
        return None
    percent = percents.get(self_care)
    if percent is None:
        raise NursingRuleError(RATE_MISSING, region=region, self_care=self_care)
    amount = (regional_average * percent / HUNDRED).quantize(FEN, ROUND_HALF_UP)
    return NursingAllowance(self_care, percent, regional_average, amount)
