"""Who may claim the maternity allowance, and why not (RULES.md §7 and §9).

Pure rules: :func:`evaluate` takes a frozen snapshot of facts (today's date among them)
and returns a :class:`Decision` with every failing reason, each a stable code, its
parameters and its legal basis; the words are gettext messages rendered when shown,
and every refusal says how to contest it (core.rights). The days and the amount come
from `benefits.maternity_rules`.

- The event is a birth (its date) or a miscarriage (its date and the months of
  pregnancy); the date is known and not in the future.
- The allowance is the insured woman's (SIL Art. 54): a record of a man cannot claim it.
- Where a region sets a limit for claiming after the event (data), a later claim is
  refused; RULES gives no national limit, so without regional data there is none.
- The amount is computed from the employer's last-year average monthly wage (SIL
  Art. 56): an employer on the record and that figure in the data, or a refusal
  naming the employer and the year.
- One claim per event at a time; a living cardholder; on submission the birth
  certificate (birth) or the medical proof (miscarriage) and the bank account.
- Two people: the staff member who verifies the claim does not approve it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from benefits import maternity_rules
from core.rights import HOW_TO_CONTEST, LAW_CONTEST

RULES_VERSION = "maternity-2026.1"

APPLICATION = "application"
SUBMISSION = "submission"
APPROVAL = "approval"
STAGES = (APPLICATION, SUBMISSION, APPROVAL)

# Document kinds.
BIRTH_CERTIFICATE = "birth_certificate"
MEDICAL_PROOF = "medical_proof"

LAW_WHO = "Social Insurance Law of the PRC, Art. 54"
LAW_AMOUNT = maternity_rules.LAW_AMOUNT
LAW_DAYS = maternity_rules.LAW_DAYS
LAW_REGIONAL = "Regional maternity insurance rules"
LAW_FRAUD = "Social Insurance Law of the PRC, Art. 88"
PROCEDURE = "Social insurance agency maternity allowance procedure"

# Stable codes.
NO_EVENT_DATE = "maternity_no_event_date"
MALE_RECORD = "maternity_male_record"
DATE_IN_FUTURE = "maternity_date_in_future"
EVENT_TOO_OLD = "maternity_event_too_old"
NO_EMPLOYER = "maternity_no_employer"
MISSING_AVERAGE_WAGE = "maternity_missing_average_wage"
CLAIM_OPEN = "maternity_claim_open"
CARDHOLDER_DECEASED = "maternity_cardholder_deceased"
MISSING_PROOF = "maternity_missing_proof"
MISSING_BANK_ACCOUNT = "maternity_missing_bank_account"
NOT_VERIFIED = "maternity_not_verified"
TWO_PERSON_RULE = "two_person_rule"
CODES = (
    NO_EVENT_DATE,
    MALE_RECORD,
    DATE_IN_FUTURE,
    EVENT_TOO_OLD,
    NO_EMPLOYER,
    MISSING_AVERAGE_WAGE,
    CLAIM_OPEN,
    CARDHOLDER_DECEASED,
    MISSING_PROOF,
    MISSING_BANK_ACCOUNT,
    NOT_VERIFIED,
    TWO_PERSON_RULE,
)

MESSAGES = {
    NO_EVENT_DATE: _("Give the date of the birth or of the miscarriage."),
    MALE_RECORD: _(
        "The maternity allowance is paid to the insured woman; this record is of a man."
    ),
    DATE_IN_FUTURE: _("The date %(date)s is in the future: claim once it has happened."),
    EVENT_TOO_OLD: _(
        "In your region the allowance must be claimed within %(days)s days of the event; "
        "the last day for an event on %(date)s was %(deadline)s."
    ),
    NO_EMPLOYER: _(
        "Your record shows no employer paying for you before %(date)s: the allowance is "
        "computed from an employer's average wage."
    ),
    MISSING_AVERAGE_WAGE: _(
        "The average monthly wage of %(employer)s for %(year)s is not recorded yet, so the "
        "allowance cannot be computed. Your employer reports it to the service centre."
    ),
    CLAIM_OPEN: _(
        "You already have a maternity claim (%(reference)s). Follow it, or withdraw it "
        "before making a new one."
    ),
    CARDHOLDER_DECEASED: _("The cardholder is recorded as deceased."),
    MISSING_PROOF: _("Upload the %(document)s."),
    MISSING_BANK_ACCOUNT: _("Give the bank account in your name the allowance is paid to."),
    NOT_VERIFIED: _(
        "A reviewer has not yet verified this claim (identity, the event and the "
        "employer's average wage)."
    ),
    TWO_PERSON_RULE: _(
        "Two different staff members must act on a claim: the approver cannot be the "
        "applicant, the person the claim is about, the reviewer who verified it, or who "
        "last asked for documents."
    ),
}

PROOF_NAMES = {
    BIRTH_CERTIFICATE: _("birth certificate (birth medical certificate)"),
    MEDICAL_PROOF: _("medical proof of the miscarriage"),
}

LEGAL_BASIS_TEXTS = {
    LAW_WHO: _("Social Insurance Law of the PRC, Art. 54"),
    LAW_AMOUNT: _("Social Insurance Law of the PRC, Art. 56"),
    LAW_DAYS: _("Special Rules on the Labour Protection of Female Employees, Art. 7"),
    LAW_REGIONAL: _("Regional maternity insurance rules"),
    LAW_FRAUD: _("Social Insurance Law of the PRC, Art. 88"),
    PROCEDURE: _("Social insurance agency maternity allowance procedure"),
}


@dataclass(frozen=True)
class Reason:
    """Why a claim is refused: a stable code, its parameters and the law."""

    code: str
    legal_basis: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def message(self) -> str:
        text = MESSAGES.get(self.code)
        if text is None:
            return self.code
        values = dict(self.params)
        if "document" in values:
            values["document"] = str(PROOF_NAMES.get(values["document"], values["document"]))
        try:
            return str(text) % values
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
    gender: str  # "M" / "F", as on the card
    event: str  # maternity_rules.BIRTH / MISCARRIAGE
    event_date: date | None
    life_status: str = "living"
    employer_name: str = ""  # the employer on the record before the event
    wage_year: int | None = None
    average_wage_known: bool = False
    claim_limit_days: int | None = None  # regional data; None: no limit
    open_claim: str = ""
    documents_attached: frozenset[str] = frozenset()
    bank_account_given: bool = False


def proof_for(event):
    return MEDICAL_PROOF if event == maternity_rules.MISCARRIAGE else BIRTH_CERTIFICATE


def rule_gender(facts):
    return None if facts.gender != "M" else reason(MALE_RECORD, LAW_WHO)


def rule_living(facts):
    return None if facts.life_status != "deceased" else reason(CARDHOLDER_DECEASED, LAW_WHO)


def rule_date(facts):
    if facts.event_date is None:
        return reason(NO_EVENT_DATE, LAW_DAYS)
    if facts.event_date > facts.today:
        return reason(DATE_IN_FUTURE, LAW_DAYS, date=facts.event_date.isoformat())
    if facts.claim_limit_days is not None and facts.stage == APPLICATION:
        deadline = facts.event_date + timedelta(days=facts.claim_limit_days)
        if facts.today > deadline:
            return reason(
                EVENT_TOO_OLD,
                LAW_REGIONAL,
                days=facts.claim_limit_days,
                date=facts.event_date.isoformat(),
                deadline=deadline.isoformat(),
            )
    return None


def rule_wage(facts):
    if facts.event_date is None or facts.event_date > facts.today:
        return None
    if not facts.employer_name:
        return reason(NO_EMPLOYER, LAW_AMOUNT, date=facts.event_date.isoformat())
    if not facts.average_wage_known:
        return reason(
            MISSING_AVERAGE_WAGE, LAW_AMOUNT, employer=facts.employer_name, year=facts.wage_year
        )
    return None


def rule_one_claim(facts):
    if not facts.open_claim:
        return None
    return reason(CLAIM_OPEN, PROCEDURE, reference=facts.open_claim)


def rule_proof(facts):
    if facts.stage == APPLICATION:
        return None
    needed = proof_for(facts.event)
    if needed in facts.documents_attached:
        return None
    return reason(MISSING_PROOF, PROCEDURE, document=needed)


def rule_bank(facts):
    if facts.stage == APPLICATION or facts.bank_account_given:
        return None
    return reason(MISSING_BANK_ACCOUNT, PROCEDURE)


RULES = (
    rule_gender,
    rule_living,
    rule_date,
    rule_wage,
    rule_one_claim,
    rule_proof,
    rule_bank,
)


def evaluate(facts: Facts) -> Decision:
    """Every failing rule's reason; allowed when there is none. An unknown stage is
    judged as strictly as approval."""
    if facts.stage not in STAGES:
        facts = replace(facts, stage=APPROVAL)
    reasons = tuple(r for rule in RULES if (r := rule(facts)) is not None)
    return Decision(not reasons, reasons)


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
