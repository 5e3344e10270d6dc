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
    "claim_open": (
        _("You already have an unemployment benefit claim open or in payment."),
        "SIL Art. 46",
    ),
    "missing_termination_certificate": (
        _("Upload the certificate of termination your employer issued."),
        "SIL Art. 50",
    ),
    "claim_not_verified": (
        _("A reviewer has not yet verified this claim."),
        "SIL Art. 88",
    ),
    "two_person_rule": (
        _(
            "Two different staff members must act on a claim: the approver cannot be the "
            "applicant, the person the claim is about, the reviewer who verified it, or who "
            "last asked for documents."
        ),
        "SIL Art. 88",
    ),
}

# Where in a claim's life the rules are asked (the retirement claim's stages).
APPLICATION = "application"
SUBMISSION = "submission"
APPROVAL = "approval"
TERMINATION_CERTIFICATE = "termination_certificate"

# Why a benefit in payment stops (SIL Art. 51), each shown to the person with its basis.
STOP_REEMPLOYED = "reemployed"
STOP_PENSION = "pension_started"
STOP_ABROAD = "settled_abroad"
STOP_DECEASED = "deceased"
STOP_REFUSED_WORK = "refused_work_or_training"
STOP_SENTENCED = "serving_sentence"
STOP_MESSAGES = {
    STOP_REEMPLOYED: (_("You found work again."), "SIL Art. 51(1)"),
    STOP_PENSION: (_("You started to draw a basic pension."), "SIL Art. 51(2)"),
    STOP_ABROAD: (_("You settled abroad."), "SIL Art. 51(3)"),
    STOP_DECEASED: (
        _("The person died; the survivors may claim the funeral subsidy and pension."),
        "SIL Art. 49",
    ),
    STOP_REFUSED_WORK: (
        _(
            "Without good reason, you refused a suitable job or training that the public "
            "employment service offered."
        ),
        "SIL Art. 51(5)",
    ),
    STOP_SENTENCED: (
        _("You are serving a sentence of imprisonment, so the benefit is not paid."),
        "SIL Art. 51(4)",
    ),
}
STOP_CODES = tuple(STOP_MESSAGES)


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
    open_claim: str = ""  # the reference of another claim open or in payment
    stage: str = APPLICATION
    documents_attached: frozenset = frozenset()


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

    @property
    def codes(self):
        return tuple(r.code for r in self.reasons)


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
    if facts.open_claim:
        codes.append("claim_open")
    if facts.stage != APPLICATION and TERMINATION_CERTIFICATE not in facts.documents_attached:
        codes.append("missing_termination_certificate")
    if codes:
        return Decision(
            False, 0, None, [reason(code) for code in codes], how_to_contest=str(HOW_TO_CONTEST)
        )
    return Decision(
        True, months_for(facts.contribution_months, facts.unused_months), facts.monthly_amount
    )


def stop_reason(code):
    """The Reason shown to a person whose benefit stopped (SIL Art. 51)."""
    message, basis = STOP_MESSAGES[code]
    return Reason(code, str(message), basis)


def months_left(months_entitled, months_paid):
    return max((months_entitled or 0) - (months_paid or 0), 0)


@dataclass(frozen=True)
class ApprovalFacts:
    """Who did what on one claim: ids of users, None where nobody did."""

    approver: int | None
    applicant: int | None
    cardholder_user: int | None = None
    verifier: int | None = None
    documents_requested_by: int | None = None


def approval_safeguards(facts):
    """The two-person rule: a verified claim, approved by none of the applicant, the
    person it is about, the verifier and who last asked for documents."""
    codes = []
    if facts.verifier is None:
        codes.append("claim_not_verified")
    involved = {
        facts.applicant,
        facts.cardholder_user,
        facts.verifier,
        facts.documents_requested_by,
    } - {None}
    if facts.approver is None or facts.approver in involved:
        codes.append("two_person_rule")
    return tuple(reason(code) for code in codes)


class StopText:
    """A stop's reason rendered when read (in each language of an email)."""

    def __init__(self, code):
        self.code = code

    @property
    def message(self):
        return str(STOP_MESSAGES[self.code][0])

    @property
    def legal_basis(self):
        return STOP_MESSAGES[self.code][1]
