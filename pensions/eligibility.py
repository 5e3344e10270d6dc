"""Who may claim the basic pension, and why not (RULES.md §2 and §9).

Pure rules: :func:`evaluate` takes a frozen snapshot of facts (:class:`Facts`, today's
date among them) and returns a :class:`Decision`. No ORM, clock or settings. Every
rule returns a :class:`Reason` (a stable code, its parameters and its legal basis) or
nothing; evaluation collects every failing reason. The words are gettext messages,
rendered from the code when shown; every refusal also says how to contest it
(core.rights).

- A claim may be made from three months before the statutory retirement date
  (pensions.retirement decides the date); it is approved from the date itself.
- At least the minimum contribution period for the year of retirement: on applying,
  the months still to come before the date count (the person may still contribute);
  on approval only the months on record.
- One basic pension: nobody already retired, and one open claim at a time.
- A pension is paid to a living person; after a death the survivors' benefits apply.
- A woman who claims the cadre schedule proves the post with a document.
- Two people: the staff member who verifies the claim does not approve it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.utils.translation import gettext_lazy as _

from core.rights import HOW_TO_CONTEST, LAW_CONTEST
from pensions import retirement

RULES_VERSION = "retirement-2026.1"

# Where in the claim's life the rules are asked.
APPLICATION = "application"
SUBMISSION = "submission"
APPROVAL = "approval"
STAGES = (APPLICATION, SUBMISSION, APPROVAL)

# How long before the statutory date a claim may be made.
APPLY_MONTHS_BEFORE = 3

# Document kinds.
CADRE_POST_PROOF = "cadre_post_proof"

LAW_AGE = (
    "Social Insurance Law of the PRC, Art. 16; NPC Standing Committee Decision of "
    "13 September 2024 on gradually raising the statutory retirement age"
)
LAW_MINIMUM = LAW_AGE
LAW_ONE_PENSION = "Social Insurance Law of the PRC, Art. 16"
LAW_SURVIVORS = "Social Insurance Law of the PRC, Art. 17"
LAW_FRAUD = "Social Insurance Law of the PRC, Art. 88"
PROCEDURE = "Social insurance agency retirement procedure"

# Stable codes.
TOO_EARLY = "too_early"
RETIREMENT_DATE_NOT_REACHED = "retirement_date_not_reached"
TOO_FEW_CONTRIBUTION_YEARS = "too_few_contribution_years"
ALREADY_RETIRED = "already_retired"
CLAIM_OPEN = "claim_open"
CARDHOLDER_DECEASED = "cardholder_deceased"
MISSING_CADRE_PROOF = "missing_cadre_proof"
CATEGORY_NOT_ALLOWED = "category_not_allowed"
NOT_VERIFIED = "claim_not_verified"
TWO_PERSON_RULE = "two_person_rule"
CODES = (
    TOO_EARLY,
    RETIREMENT_DATE_NOT_REACHED,
    TOO_FEW_CONTRIBUTION_YEARS,
    ALREADY_RETIRED,
    CLAIM_OPEN,
    CARDHOLDER_DECEASED,
    MISSING_CADRE_PROOF,
    CATEGORY_NOT_ALLOWED,
    NOT_VERIFIED,
    TWO_PERSON_RULE,
)

MESSAGES = {
    TOO_EARLY: _(
        "You can claim your pension from %(opens_on)s, three months before your statutory "
        "retirement date (%(retirement_date)s)."
    ),
    RETIREMENT_DATE_NOT_REACHED: _(
        "The claim can be approved from the statutory retirement date (%(retirement_date)s), "
        "not before."
    ),
    TOO_FEW_CONTRIBUTION_YEARS: _(
        "A basic pension needs at least %(minimum)s months of contributions for a retirement "
        "in %(year)s; your record will hold %(months)s months by your retirement date."
    ),
    ALREADY_RETIRED: _("You are already recorded as retired: a basic pension is paid once."),
    CLAIM_OPEN: _(
        "You already have a retirement claim (%(reference)s). Follow it, or withdraw it "
        "before making a new one."
    ),
    CARDHOLDER_DECEASED: _(
        "The cardholder is recorded as deceased, so no pension can be claimed. Survivors "
        "may claim the funeral grant and the survivors' pension instead."
    ),
    MISSING_CADRE_PROOF: _(
        "You chose the retirement age for women in cadre posts: upload proof of your post "
        "(for example a letter from your employer)."
    ),
    CATEGORY_NOT_ALLOWED: _(
        "The worker and cadre schedules apply to women only; men have one statutory age."
    ),
    NOT_VERIFIED: _(
        "A reviewer has not yet verified this claim (identity, contribution record and, "
        "for a cadre post, its proof)."
    ),
    TWO_PERSON_RULE: _(
        "Two different staff members must act on a claim: the approver cannot be the "
        "applicant, the person the claim is about, the reviewer who verified it, or who "
        "last asked for documents."
    ),
}

LEGAL_BASIS_TEXTS = {
    LAW_AGE: _(
        "Social Insurance Law of the PRC, Art. 16; NPC Standing Committee Decision of "
        "13 September 2024 on gradually raising the statutory retirement age"
    ),
    LAW_ONE_PENSION: _("Social Insurance Law of the PRC, Art. 16"),
    LAW_SURVIVORS: _("Social Insurance Law of the PRC, Art. 17"),
    LAW_FRAUD: _("Social Insurance Law of the PRC, Art. 88"),
    PROCEDURE: _("Social insurance agency retirement procedure"),
}


@dataclass(frozen=True)
class Reason:
    """Why a claim is refused: a stable code, its parameters and the law."""

    code: str
    legal_basis: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def message(self) -> str:
        """The message in the active language."""
        text = MESSAGES.get(self.code)
        if text is None:
            return self.code
        try:
            return str(text) % dict(self.params)
        except (KeyError, TypeError, ValueError):
            return str(text)

    @property
    def legal_basis_text(self) -> str:
        return str(LEGAL_BASIS_TEXTS.get(self.legal_basis, self.legal_basis))

    @property
    def how_to_contest(self) -> str:
        return str(HOW_TO_CONTEST)

    @property
    def contest_basis(self) -> str:
        return LAW_CONTEST


def reason(code, legal_basis, **params):
    return Reason(code, legal_basis, tuple(sorted((k, str(v)) for k, v in params.items())))


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: tuple[Reason, ...]
    rules_version: str = RULES_VERSION

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    @property
    def how_to_contest(self) -> str:
        return "" if self.allowed else str(HOW_TO_CONTEST)


@dataclass(frozen=True)
class Facts:
    """What the rules look at, captured once by the caller."""

    stage: str
    today: date
    birth_date: date
    gender: str  # "M" / "F", as on the card
    category: str  # pensions.retirement.MALE / FEMALE_WORKER / FEMALE_CADRE
    contribution_months: int  # distinct months on the pension record
    life_status: str = "living"
    retired: bool = False  # the employment status on the card
    open_claim: str = ""  # the reference of another open or approved claim
    documents_attached: frozenset[str] = frozenset()

    @property
    def retirement_date(self) -> date:
        return retirement.retirement_date(self.birth_date, self.category)

    @property
    def opens_on(self) -> date:
        return retirement.add_months(self.retirement_date, -APPLY_MONTHS_BEFORE)


def _month_number(day):
    return day.year * 12 + day.month - 1


def months_to_come(facts: Facts) -> int:
    """Months from this month up to the month before the retirement date: they may
    still be contributed."""
    return max(_month_number(facts.retirement_date) - _month_number(facts.today), 0)


def rule_category(facts):
    if (facts.gender == "M") == (facts.category == retirement.MALE):
        return None
    return reason(CATEGORY_NOT_ALLOWED, LAW_AGE)


def rule_living(facts):
    if facts.life_status != "deceased":
        return None
    return reason(CARDHOLDER_DECEASED, LAW_SURVIVORS)


def rule_not_retired(facts):
    if not facts.retired:
        return None
    return reason(ALREADY_RETIRED, LAW_ONE_PENSION)


def rule_one_claim(facts):
    if not facts.open_claim:
        return None
    return reason(CLAIM_OPEN, PROCEDURE, reference=facts.open_claim)


def rule_date(facts):
    if facts.stage == APPROVAL:
        if facts.today >= facts.retirement_date:
            return None
        return reason(
            RETIREMENT_DATE_NOT_REACHED,
            LAW_AGE,
            retirement_date=facts.retirement_date.isoformat(),
        )
    if facts.today >= facts.opens_on:
        return None
    return reason(
        TOO_EARLY,
        LAW_AGE,
        opens_on=facts.opens_on.isoformat(),
        retirement_date=facts.retirement_date.isoformat(),
    )


def rule_minimum_years(facts):
    minimum = retirement.minimum_contribution_months(facts.retirement_date.year)
    months = facts.contribution_months
    if facts.stage != APPROVAL:
        months += months_to_come(facts)
    if months >= minimum:
        return None
    return reason(
        TOO_FEW_CONTRIBUTION_YEARS,
        LAW_MINIMUM,
        minimum=minimum,
        months=months,
        year=facts.retirement_date.year,
    )


def rule_cadre_proof(facts):
    if facts.stage == APPLICATION or facts.category != retirement.FEMALE_CADRE:
        return None
    if CADRE_POST_PROOF in facts.documents_attached:
        return None
    return reason(MISSING_CADRE_PROOF, LAW_AGE)


RULES = (
    rule_category,
    rule_living,
    rule_not_retired,
    rule_one_claim,
    rule_date,
    rule_minimum_years,
    rule_cadre_proof,
)


def evaluate(facts: Facts) -> Decision:
    """Every failing rule's reason; allowed when there is none. An unknown stage is
    judged as strictly as approval."""
    if facts.stage not in STAGES:
        facts = replace(facts, stage=APPROVAL)
    reasons = tuple(r for rule in RULES if (r := rule(facts)) is not None)
    return Decision(not reasons, reasons)


# --- who may approve ---------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalFacts:
    """Who did what on one claim: ids of users, None where nobody did."""

    approver: int | None
    applicant: int | None
    cardholder_user: int | None = None
    verifier: int | None = None
    documents_requested_by: int | None = None


def approval_safeguards(facts: ApprovalFacts) -> tuple[Reason, ...]:
    """The two-person rule: a verified claim, approved by someone who is none of the
    applicant, the person it is about, the verifier and who last asked for documents."""
    reasons = []
    if facts.verifier is None:
        reasons.append(reason(NOT_VERIFIED, LAW_FRAUD))
    involved = {
        facts.applicant,
        facts.cardholder_user,
        facts.verifier,
        facts.documents_requested_by,
    } - {None}
    if facts.approver is None or facts.approver in involved:
        reasons.append(reason(TWO_PERSON_RULE, LAW_FRAUD))
    return tuple(reasons)
