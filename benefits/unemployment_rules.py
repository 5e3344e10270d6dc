"""The unemployment benefit rules (SIL Art. 45–47), pure: facts in, a decision out.

Every refusal carries a stable code, a message, its legal basis and how to contest it
(SIL Art. 83: administrative reconsideration or a lawsuit within 60 days)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

RULES_VERSION = "unemployment-2026-1"
MAX_MONTHS = 24
HOW_TO_CONTEST = _(
    "You may apply for administrative reconsideration or bring a lawsuit within 60 days "
    "of learning of this decision (SIL Art. 83)."
)

MESSAGES = {
    "contributions_too_short": (
        _("Unemployment insurance was paid for less than 12 months before the job ended."),
        "SIL Art. 45(1)",
    ),
    "left_by_own_will": (_("The job ended by your own will (resignation)."), "SIL Art. 45(2)"),
    "not_registered": (_("You have not registered as unemployed."), "SIL Art. 45(3), Art. 50"),
    "not_seeking_work": (_("You have not declared that you seek work."), "SIL Art. 45(3)"),
    "pension_in_payment": (_("You draw a basic pension."), "SIL Art. 51(2)"),
    "amount_missing": (
        _("The monthly amount for your region and year is not set."),
        "SIL Art. 47",
    ),
}


@dataclass(frozen=True)
class Facts:
    contribution_months: int  # months of unemployment contributions before the job ended
    job_ended_on: date | None
    how_ended: str | None
    registered: bool
    seeking_work: bool
    pension_in_payment: bool
    unused_months: int = 0  # left over from a previous benefit period (Art. 46)
    monthly_amount: Decimal | None = None  # the region's figure for the year (Art. 47)


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    legal_basis: str


@dataclass(frozen=True)
class Decision:
    allowed: bool
    months_entitled: int
    monthly_amount: Decimal | None
    reasons: list = field(default_factory=list)
    how_to_contest: str = ""
    rules_version: str = RULES_VERSION


def reason(code):
    message, basis = MESSAGES[code]
    return Reason(code, str(message), basis)


def months_for(contribution_months, unused_months=0):
    """Art. 46: 1–5 years → 12 months; 5–10 → 18; 10 or more → 24; the remainder of
    the last period added, at most 24 months in all."""
    years = contribution_months / 12
    if years < 1:
        base = 0
    elif years < 5:
        base = 12
    elif years < 10:
        base = 18
    else:
        base = 24
    if base == 0:
        return 0
    return min(base + max(unused_months, 0), MAX_MONTHS)


def decide(facts):
    """Whether the benefit is due, for how many months and how much a month."""
    codes = []
    if facts.contribution_months < 12:
        codes.append("contributions_too_short")
    if facts.how_ended == "resigned":
        codes.append("left_by_own_will")
    if not facts.registered:
        codes.append("not_registered")
    elif not facts.seeking_work:
        codes.append("not_seeking_work")
    if facts.pension_in_payment:
        codes.append("pension_in_payment")
    if facts.monthly_amount is None:
        codes.append("amount_missing")
    if codes:
        return Decision(
            False, 0, None, [reason(code) for code in codes], how_to_contest=str(HOW_TO_CONTEST)
        )
    return Decision(
        True, months_for(facts.contribution_months, facts.unused_months), facts.monthly_amount
    )
