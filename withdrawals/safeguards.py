"""Safeguards around a withdrawal claim: who may see what, and who may decide.

Pure rules, like `withdrawals.eligibility`: plain values in, reasons out; no ORM,
no clock, no settings. Each refusal is an `eligibility.Reason` with a stable code
and the law or procedure it rests on, so pages, the API and the staff timeline
show the same words.

* Nothing before verification: an applicant who is not the cardholder sees no
  amount of the cardholder's accounts until staff have verified the death (or the
  emigration) on the cardholder's record (Personal Information Protection Law of the
  PRC, Art. 6 and 10; Social Insurance Law of the PRC, Art. 14).
* Two different people: a claim is approved only when the death or emigration was
  verified for this claim by one staff member and the approval is made by another,
  who is neither the applicant, the verifier, nor who last asked for documents
  (Social Insurance Law of the PRC, Art. 88: benefits obtained by fraud).
* The approver also needs the applicant's identity checked against the identity
  they registered with, and no contest by the person the claim names.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from withdrawals.eligibility import DEATH, Reason

LAW_PRIVACY = "Personal Information Protection Law of the PRC, Art. 6, 10"
LAW_FRAUD = "Social Insurance Law of the PRC, Art. 88"
LAW_HEIR_IDENTITY = "Social Insurance Law of the PRC, Art. 14; Civil Code of the PRC, Art. 1127"
LAW_CONTEST = "Social Insurance Law of the PRC, Art. 14, 83"

# Stable codes.
VERIFICATION_NOT_FOR_THIS_CLAIM = "verification_not_for_this_claim"
TWO_PERSON_RULE = "two_person_rule"
APPLICANT_IDENTITY_NOT_VERIFIED = "applicant_identity_not_verified"
CLAIM_CONTESTED = "claim_contested"
PAYEE_NOT_APPLICANT = "payee_not_applicant"
FORMAT_CHARACTERS = "format_characters"
DEATH_CERTIFICATE_REUSED = "death_certificate_reused"
EXIT_CERTIFICATE_REUSED = "exit_certificate_reused"
TOO_MANY_DOCUMENTS = "too_many_documents"
DOCUMENTS_TOO_LARGE = "documents_too_large"
OWN_CLAIM = "own_claim"
CODES = (
    VERIFICATION_NOT_FOR_THIS_CLAIM,
    TWO_PERSON_RULE,
    APPLICANT_IDENTITY_NOT_VERIFIED,
    CLAIM_CONTESTED,
    PAYEE_NOT_APPLICANT,
    FORMAT_CHARACTERS,
    DEATH_CERTIFICATE_REUSED,
    EXIT_CERTIFICATE_REUSED,
    TOO_MANY_DOCUMENTS,
    DOCUMENTS_TOO_LARGE,
    OWN_CLAIM,
)


# --- what an applicant may see --------------------------------------------------


def balances_disclosed(*, applicant_is_cardholder: bool, reason: str, death_verified: bool) -> bool:
    """Whether the applicant may see the amounts in the cardholder's accounts.

    The cardholder always sees their own. Anybody else only once staff have
    verified the death on the cardholder's record: before that a claimant is a
    stranger who knows a card number.
    """
    if applicant_is_cardholder:
        return True
    return reason == DEATH and death_verified


# --- names -------------------------------------------------------------------------


def format_characters(text: str) -> list[str]:
    """The control and format characters (Unicode Cc, Cf) in `text`, e.g. a
    right-to-left override that makes a name read differently than it is stored."""
    return [ch for ch in str(text or "") if unicodedata.category(ch) in ("Cc", "Cf")]


def normalise_name(name: str) -> str:
    """A person's name as compared: NFKC, single spaces, case-folded."""
    text = unicodedata.normalize("NFKC", str(name or ""))
    return " ".join(text.split()).casefold()


def payee_matches(holder: str, verified_name: str) -> bool:
    """The payout account is in the applicant's verified name (and there is one)."""
    wanted = normalise_name(verified_name)
    return bool(wanted) and normalise_name(holder) == wanted


def payee_reason() -> Reason:
    return Reason(
        PAYEE_NOT_APPLICANT,
        "The payout account must be in your own name, exactly as on your identity card.",
        "收款账户须为申请人本人名下账户，户名须与身份证上的姓名一致。",
        LAW_FRAUD,
    )


# --- the decision ------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionFacts:
    """Who did what on one claim; ids of users, None when nobody did."""

    approver: int | None
    applicant: int | None
    cardholder_user: int | None = None
    verifier: int | None = None  # verified the death / emigration for this claim
    documents_requested_by: int | None = None  # last asked the applicant for documents
    applicant_verified_by: int | None = None
    contested: bool = False
    # The death / emigration is on the person's record (perhaps from another claim).
    on_record: bool = False


def rule_verified_for_this_claim(facts: DecisionFacts) -> Reason | None:
    # Not on record at all: the eligibility rules already say it is not verified.
    if facts.verifier is not None or not facts.on_record:
        return None
    return Reason(
        VERIFICATION_NOT_FOR_THIS_CLAIM,
        "The death or emigration has not been verified for this claim. A reviewer must "
        "check this claim's certificate and record it, even when it is already on the "
        "person's record.",
        "本申请的死亡或出境定居信息尚未核实。即使档案中已有记录，审核人员也须核验本申请的证明"
        "并登记。",
        LAW_FRAUD,
    )


def rule_two_people(facts: DecisionFacts) -> Reason | None:
    involved = {
        facts.applicant,
        facts.cardholder_user,
        facts.verifier,
        facts.documents_requested_by,
    } - {None}
    nobody_else = facts.verifier is None and facts.on_record
    if facts.approver is not None and facts.approver not in involved and not nobody_else:
        return None
    return Reason(
        TWO_PERSON_RULE,
        "Two different staff members must act on a claim: the approver cannot be the "
        "applicant, the person the claim is about, the member of staff who verified the "
        "death or emigration for it, or who last asked for documents.",
        "每份申请须由两名不同的工作人员办理：批准人不得是申请人、申请所涉人员、核实死亡或"
        "出境定居信息的工作人员，或最近一次要求补充材料的工作人员。",
        LAW_FRAUD,
    )


def rule_applicant_identity(facts: DecisionFacts) -> Reason | None:
    if facts.applicant_verified_by is not None:
        return None
    return Reason(
        APPLICANT_IDENTITY_NOT_VERIFIED,
        "A reviewer has not yet checked the applicant's identity document against the "
        "identity the applicant registered with.",
        "审核人员尚未将申请人的身份证件与其注册身份进行核对。",
        LAW_HEIR_IDENTITY,
    )


def rule_not_contested(facts: DecisionFacts) -> Reason | None:
    if not facts.contested:
        return None
    return Reason(
        CLAIM_CONTESTED,
        "The person this claim is about has said it is not their death. The claim is on "
        "hold until staff resolve it.",
        "申请所涉人员已声明其并未死亡。在工作人员处理之前，本申请暂停办理。",
        LAW_CONTEST,
    )


DECISION_RULES = (
    rule_not_contested,
    rule_verified_for_this_claim,
    rule_two_people,
    rule_applicant_identity,
)


def approval_reasons(facts: DecisionFacts) -> tuple[Reason, ...]:
    """Every safeguard that stands in the way of this approver approving now."""
    return tuple(reason for rule in DECISION_RULES if (reason := rule(facts)) is not None)


def acts_on_own_claim(actor_id: int | None, *, applicant_id: int, cardholder_user_id=None) -> bool:
    """Staff who applied, or whom the claim is about, take no staff action on it."""
    return actor_id is not None and actor_id in {applicant_id, cardholder_user_id} - {None}
