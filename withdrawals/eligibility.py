"""Who may withdraw which personal-account balance, and why not.

Pure rules: :func:`evaluate` takes a frozen snapshot of facts (:class:`Facts`) and
returns a :class:`Decision`. Nothing here touches the database, the clock, settings
or files; today's date, if a rule ever needs it, is a fact like any other. A reason
is a code with parameters; its words are a gettext message (:data:`MESSAGES`),
rendered in the reader's language only when shown, so nothing stores a sentence.
The same function answers the applicant's pre-check, guards submission and guards
approval, so applicants and staff always see the same reasons.

The law behind the rules:

* Pooled (social co-ordination) money belongs to the fund and is never paid out
  (Social Insurance Law of the PRC, Art. 11-12). Only pension and medical have a
  personal account.
* A personal-account balance is paid out only when the participant has died -- a
  legal heir claims it (Social Insurance Law of the PRC, Art. 14) -- or has emigrated
  and settled abroad -- the participant claims it themselves. Closing the *pension*
  personal account on emigration also needs proof that PRC nationality was given up
  and the participant's written confirmation after being told that the account can
  be kept and what closing it means (MOHRSS Order No. 13 (2011), Art. 6).

Every rule is a small function returning a :class:`Reason` (or, for per-account
rules, an iterable of them); :func:`evaluate` runs all of them and collects every
failing reason. A decision is allowed only when no rule fails.

Guarantee: no combination of facts yields an allowed decision that claims a pooled
account (or any account that is not a pension/medical personal account), no
account at all, or a reason other than ``death`` or ``emigration``. Unknown values
fail closed: an unknown stage is evaluated as strictly as approval (and reported),
an unknown account kind or status is refused.

What "verified" means at approval: the verification flag is set *and* the
cardholder's recorded life status agrees with it (``deceased`` for a death,
``emigrated`` for an emigration); contradictory facts are refused.

Codes are stable: they are stored on applications and asserted in tests. All of
them are listed in :data:`CODES`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

RULES_VERSION = "2026.1"

# Why the money is claimed.
DEATH = "death"
EMIGRATION = "emigration"
REASONS = (DEATH, EMIGRATION)

# Where in the application's life the rules are asked.
PRECHECK = "precheck"
SUBMISSION = "submission"
APPROVAL = "approval"
STAGES = (PRECHECK, SUBMISSION, APPROVAL)

# Who applies, relative to the cardholder.
SELF = "self"
HEIR_RELATIONSHIPS = frozenset(
    {"spouse", "child", "parent", "sibling", "grandparent", "other_heir"}
)

# Life status as recorded on the cardholder.
LIVING = "living"
DECEASED = "deceased"
EMIGRATED = "emigrated"

# Accounts.
PERSONAL = "personal"
POOLED = "pooled"
OPEN = "open"
PENSION = "pension"
MEDICAL = "medical"
SCHEMES_WITH_PERSONAL_ACCOUNT = (PENSION, MEDICAL)

# Document kinds.
DEATH_CERTIFICATE = "death_certificate"
HEIRSHIP_PROOF = "heirship_proof"
APPLICANT_ID = "applicant_id"
EXIT_CERTIFICATE = "exit_certificate"
NATIONALITY_PROOF = "nationality_proof"
DOCUMENT_KINDS = (
    DEATH_CERTIFICATE,
    HEIRSHIP_PROOF,
    EXIT_CERTIFICATE,
    NATIONALITY_PROOF,
    APPLICANT_ID,
)

# Legal bases quoted in reasons.
LAW_POOLED = "Social Insurance Law of the PRC, Art. 11–12"  # the pension's pooled fund
LAW_POOLED_MEDICAL = "Social Insurance Law of the PRC, Art. 23"
LAW_POOLED_UNEMPLOYMENT = "Social Insurance Law of the PRC, Art. 44"
LAW_POOLED_WORK_INJURY = "Social Insurance Law of the PRC, Art. 33"
LAW_POOLED_MATERNITY = "Social Insurance Law of the PRC, Art. 53"
# Inheritance and emigration of the *medical* personal account are set by the
# pooling region's own rules, not by the pension articles or Order No. 13.
LAW_MEDICAL_LOCAL = "Local basic medical insurance rules on the personal account"
LAW_INHERITANCE = "Social Insurance Law of the PRC, Art. 14"
LAW_HEIRS = "Social Insurance Law of the PRC, Art. 14; Civil Code of the PRC, Art. 1127"
LAW_EMIGRATION = "MOHRSS Order No. 13 (2011), Art. 6"
LAW_QUALIFYING_EVENTS = f"{LAW_INHERITANCE}; {LAW_EMIGRATION}"
PROCEDURE = "Social insurance agency withdrawal procedure"

# Each scheme's pooled fund, by the article of its own scheme; unknown schemes cite
# the general rule (the pension's).
POOLED_BASIS = {
    PENSION: LAW_POOLED,
    MEDICAL: LAW_POOLED_MEDICAL,
    "unemployment": LAW_POOLED_UNEMPLOYMENT,
    "work_injury": LAW_POOLED_WORK_INJURY,
    "maternity": LAW_POOLED_MATERNITY,
}

# Stable reason codes.
STAGE_UNKNOWN = "stage_unknown"
REASON_NOT_ALLOWED = "reason_not_allowed"
NO_ACCOUNTS = "no_accounts"
ACCOUNT_DUPLICATE = "account_duplicate"
ACCOUNT_KIND_UNKNOWN = "account_kind_unknown"
POOLED_NOT_WITHDRAWABLE = "pooled_not_withdrawable"
SCHEME_HAS_NO_PERSONAL_ACCOUNT = "scheme_has_no_personal_account"
ACCOUNT_NOT_OPEN = "account_not_open"
ACCOUNT_EMPTY = "account_empty"
ACCOUNT_ALREADY_CLAIMED = "account_already_claimed"
APPLICANT_IS_CARDHOLDER = "applicant_is_cardholder"
NOT_AN_HEIR = "not_an_heir"
DEATH_NOT_VERIFIED = "death_not_verified"
APPLICANT_NOT_CARDHOLDER = "applicant_not_cardholder"
CARDHOLDER_DECEASED = "cardholder_deceased"
EMIGRATION_NOT_VERIFIED = "emigration_not_verified"
NATIONALITY_NOT_GIVEN_UP = "nationality_not_given_up"
NOTICE_NOT_CONFIRMED = "notice_not_confirmed"
MISSING_DOCUMENT = "missing_document"
DOCUMENT_NOT_PASSED = "document_not_passed"
PENSION_IN_PAYMENT = "pension_in_payment"
PENSION_CONDITIONS_MET = "pension_conditions_met"
CODES = (
    STAGE_UNKNOWN,
    REASON_NOT_ALLOWED,
    NO_ACCOUNTS,
    ACCOUNT_DUPLICATE,
    ACCOUNT_KIND_UNKNOWN,
    POOLED_NOT_WITHDRAWABLE,
    SCHEME_HAS_NO_PERSONAL_ACCOUNT,
    ACCOUNT_NOT_OPEN,
    ACCOUNT_EMPTY,
    ACCOUNT_ALREADY_CLAIMED,
    APPLICANT_IS_CARDHOLDER,
    NOT_AN_HEIR,
    DEATH_NOT_VERIFIED,
    APPLICANT_NOT_CARDHOLDER,
    CARDHOLDER_DECEASED,
    EMIGRATION_NOT_VERIFIED,
    NATIONALITY_NOT_GIVEN_UP,
    NOTICE_NOT_CONFIRMED,
    MISSING_DOCUMENT,
    DOCUMENT_NOT_PASSED,
    PENSION_IN_PAYMENT,
    PENSION_CONDITIONS_MET,
)

# A basic pension is payable from the statutory age with at least this many years of
# contributions (Social Insurance Law Art. 16).
PENSION_MINIMUM_YEARS = 15


@dataclass(frozen=True)
class AccountFacts:
    """One account the application claims."""

    scheme: str
    kind: str  # "personal" | "pooled"
    status: str  # "open" | "frozen" | "closed"
    balance: Decimal
    claimed_elsewhere: bool = False  # another open application already claims it

    @property
    def label(self) -> str:
        return f"{self.scheme}/{self.kind}"


@dataclass(frozen=True)
class Facts:
    """Everything the rules may look at, captured once by the caller."""

    stage: str
    reason: str
    applicant_is_cardholder: bool
    relationship: str
    life_status: str  # "living" | "deceased" | "emigrated", as recorded on the card
    death_verified: bool = False
    emigration_verified: bool = False
    nationality_given_up: bool = False  # recorded by staff when verifying emigration
    accounts: tuple[AccountFacts, ...] = ()
    documents_attached: frozenset[str] = frozenset()
    # Kinds with at least one document whose automated review passed.
    documents_passed: frozenset[str] = frozenset()
    notice_confirmed: bool = False
    today: date | None = None
    # The person's standing at the date of settling abroad (emigration claims).
    drawing_pension: bool = False  # retired status: a pension is in payment
    reached_pension_age: bool = False
    contribution_years: int = 0


# --- words for people ------------------------------------------------------
#
# A reason carries a code and parameters (scheme, account kind, state, document kind,
# each itself a code); its message is the gettext msgid below, rendered in the reader's
# language only when it is shown. Nothing here stores or returns a finished sentence.

# The language the msgids are written in; asked for an unsupported language, a
# message is shown in it.
SOURCE_LANGUAGE = "en"

# Names of documents, as an applicant would call them.
DOCUMENT_LABELS = {
    DEATH_CERTIFICATE: pgettext_lazy("document in a sentence", "the death certificate"),
    HEIRSHIP_PROOF: pgettext_lazy(
        "document in a sentence",
        "proof that you are a legal heir (for example a notarised certificate "
        "of inheritance or of your family relationship)",
    ),
    APPLICANT_ID: pgettext_lazy("document in a sentence", "your own identity document"),
    EXIT_CERTIFICATE: pgettext_lazy(
        "document in a sentence", "the exit / overseas settlement certificate"
    ),
    NATIONALITY_PROOF: pgettext_lazy(
        "document in a sentence", "proof that you have given up PRC nationality"
    ),
}

# Names of schemes in messages; unknown schemes show as given.
SCHEME_LABELS = {
    PENSION: pgettext_lazy("scheme in a sentence", "pension"),
    MEDICAL: pgettext_lazy("scheme in a sentence", "medical"),
    "unemployment": pgettext_lazy("scheme in a sentence", "unemployment"),
    "work_injury": pgettext_lazy("scheme in a sentence", "work injury"),
    "maternity": pgettext_lazy("scheme in a sentence", "maternity"),
}

# Kinds of account in messages; unknown kinds show as given.
KIND_LABELS = {
    PERSONAL: pgettext_lazy("account kind in a sentence", "personal"),
    POOLED: pgettext_lazy("account kind in a sentence", "pooled"),
}

# States of an account that is not open; any other state reads "not open".
STATE_LABELS = {
    "frozen": pgettext_lazy("account state in a sentence", "frozen"),
    "closed": pgettext_lazy("account state in a sentence", "closed"),
}
STATE_NOT_OPEN = pgettext_lazy("account state in a sentence", "not open")

# How each named parameter is shown: (labels, what an unknown value reads as;
# None shows the value as given).
PARAMETER_LABELS = {
    "scheme": (SCHEME_LABELS, None),
    "kind": (KIND_LABELS, None),
    "state": (STATE_LABELS, STATE_NOT_OPEN),
    "document": (DOCUMENT_LABELS, None),
}

# The legal bases above, as a reader is shown them (the constants stay the stable,
# stored and API form).
LEGAL_BASIS_TEXTS = {
    LAW_POOLED: _("Social Insurance Law of the PRC, Art. 11–12"),
    LAW_INHERITANCE: _("Social Insurance Law of the PRC, Art. 14"),
    LAW_HEIRS: _("Social Insurance Law of the PRC, Art. 14; Civil Code of the PRC, Art. 1127"),
    LAW_EMIGRATION: _("MOHRSS Order No. 13 (2011), Art. 6"),
    LAW_QUALIFYING_EVENTS: _(
        "Social Insurance Law of the PRC, Art. 14; MOHRSS Order No. 13 (2011), Art. 6"
    ),
    PROCEDURE: _("Social insurance agency withdrawal procedure"),
    LAW_POOLED_MEDICAL: _("Social Insurance Law of the PRC, Art. 23"),
    LAW_POOLED_UNEMPLOYMENT: _("Social Insurance Law of the PRC, Art. 44"),
    LAW_POOLED_WORK_INJURY: _("Social Insurance Law of the PRC, Art. 33"),
    LAW_POOLED_MATERNITY: _("Social Insurance Law of the PRC, Art. 53"),
    LAW_MEDICAL_LOCAL: _("Local basic medical insurance rules on the personal account"),
}

# One message per code, with named placeholders filled from the reason's parameters.
MESSAGES = {
    STAGE_UNKNOWN: _(
        "The application could not be checked at this step. Please try again or "
        "contact the service centre."
    ),
    REASON_NOT_ALLOWED: _(
        "Personal-account money can only be withdrawn after the insured person has "
        "died (claimed by a legal heir) or has emigrated and settled abroad. "
        "Unemployment, retirement, hardship or other reasons do not qualify; the "
        "money stays in the account and keeps counting towards your benefits."
    ),
    NO_ACCOUNTS: _("Choose at least one personal account (pension or medical) to withdraw from."),
    ACCOUNT_DUPLICATE: _(
        "The %(scheme)s %(kind)s account is listed more than once. List each account only once."
    ),
    POOLED_NOT_WITHDRAWABLE: _(
        "The pooled %(scheme)s account belongs to the social insurance fund, not to "
        "the insured person, so its balance is never paid out. After a death, the "
        "funeral grant and the survivors' pension are paid by the pension fund as a "
        "whole: ask for them in the same claim. Remove the pooled account from the "
        "application."
    ),
    ACCOUNT_KIND_UNKNOWN: _(
        "The account %(account)s is not a personal account and cannot be "
        "withdrawn. Remove it from the application."
    ),
    SCHEME_HAS_NO_PERSONAL_ACCOUNT: _(
        "The %(scheme)s scheme has no personal account: all of its contributions go "
        "to the pooled fund. Only pension and medical personal accounts can be "
        "withdrawn."
    ),
    ACCOUNT_NOT_OPEN: _(
        "The %(scheme)s personal account is %(state)s, so nothing can be paid from "
        "it. Contact the service centre if you think this is wrong."
    ),
    ACCOUNT_EMPTY: _(
        "The %(scheme)s personal account has no balance to withdraw. Remove it from "
        "the application."
    ),
    ACCOUNT_ALREADY_CLAIMED: _(
        "Another open application already claims the %(scheme)s personal account. "
        "Wait for it to finish, or withdraw it, before applying again."
    ),
    APPLICANT_IS_CARDHOLDER: _(
        "A claim after a death is made by a legal heir of the deceased, not by the "
        "cardholder. If you are the cardholder, you cannot apply for this reason."
    ),
    NOT_AN_HEIR: _(
        "Only a legal heir of the deceased (spouse, child, parent, sibling, "
        "grandparent or another heir under the law or a will) can claim the "
        "balance. Choose your relationship to the deceased."
    ),
    DEATH_NOT_VERIFIED: _(
        "The death has not been verified yet. A reviewer must check the death "
        "certificate and record the death before the claim can be approved."
    ),
    APPLICANT_NOT_CARDHOLDER: _(
        "After emigrating, only the cardholder can apply for their own personal "
        "account. Please ask the cardholder to apply with their own login."
    ),
    CARDHOLDER_DECEASED: _(
        "The cardholder is recorded as deceased, so the balance cannot be claimed "
        "for emigration. A legal heir can apply with the reason 'death' instead."
    ),
    EMIGRATION_NOT_VERIFIED: _(
        "The emigration has not been verified yet. A reviewer must check the exit / "
        "overseas settlement certificate before the claim can be approved."
    ),
    NATIONALITY_NOT_GIVEN_UP: _(
        "The pension personal account can only be closed and paid out once you have "
        "given up PRC nationality, and a reviewer has recorded it. Until then the "
        "account is kept for you."
    ),
    PENSION_IN_PAYMENT: _(
        "You are drawing a basic pension, so the pension personal account is not paid out "
        "in one sum: the pension continues to be paid to you abroad, subject to the "
        "yearly proof of life."
    ),
    PENSION_CONDITIONS_MET: _(
        "When you settled abroad you already met the conditions for a basic pension "
        "(pension age and at least 15 years of contributions), so the pension "
        "personal account is not paid out in one sum; the pension is claimed instead."
    ),
    NOTICE_NOT_CONFIRMED: _(
        "Before the pension personal account can be closed, read the notice: you may "
        "keep the account and receive a pension later, and closing it ends your "
        "pension insurance relationship. Then confirm in writing that you still "
        "want to close it."
    ),
    MISSING_DOCUMENT: _("Please upload %(document)s."),
    DOCUMENT_NOT_PASSED: _(
        "The upload of %(document)s has not passed the document check. Upload a clear, "
        "complete copy (PDF, JPEG or PNG)."
    ),
}


class _Shown(dict):
    """Parameters as a message shows them; one missing (an older record) reads empty."""

    def __missing__(self, key):
        return ""


def _shown(name: str, value: str) -> str:
    labels, unknown = PARAMETER_LABELS.get(name, ({}, None))
    label = labels.get(value, unknown)
    return str(label) if label is not None else str(value)


# --- advice before applying ---------------------------------------------------
#
# Not a refusal (a real emigrant applies before staff record the emigration), but the
# honest answer to "could I claim now?" for a person recorded as living in China.

STILL_RESIDENT = "still_resident"
ADVICE_MESSAGES = {
    STILL_RESIDENT: _(
        "Not now: your record shows you living in China, and the account is kept for "
        "you. The balance is paid out on emigration only after you have settled abroad "
        "and given up PRC nationality. If you have, apply with the exit / overseas "
        "settlement certificate and a reviewer will verify it."
    ),
}


def precheck_advice(facts: Facts) -> Reason | None:
    """Asked beforehand, a living cardholder with no emigration on record is told
    "not now" with the reason and its basis, not "yes, you can apply"."""
    if facts.reason != EMIGRATION or facts.stage != PRECHECK:
        return None
    if facts.life_status != LIVING or facts.emigration_verified:
        return None
    return Reason(STILL_RESIDENT, LAW_EMIGRATION)


def render_message(code: str, params: Mapping[str, str] | None = None) -> str:
    """The message of ``code`` in the active language, its placeholders filled.

    Works for anything stored (a code, with or without its parameters): an unknown
    code shows as itself, a missing parameter as nothing.
    """
    message = MESSAGES.get(code, ADVICE_MESSAGES.get(code))
    if message is None:
        return code
    shown = _Shown({name: _shown(name, value) for name, value in (params or {}).items()})
    return str(message) % shown


def supported_language(language: str) -> str:
    """``zh``, ``zh_CN``, ``zh-Hans`` … → the site's language for it; else the source's."""
    try:
        return translation.get_supported_language_variant(translation.to_language(language))
    except LookupError:
        return SOURCE_LANGUAGE


@dataclass(frozen=True)
class Reason:
    """Why a withdrawal is refused: a stable code and its parameters, and the law.

    The words for people are rendered from the code when shown: :meth:`message`.
    """

    code: str
    legal_basis: str
    account: str = ""  # e.g. "pension/personal" when it concerns one account
    document: str = ""  # the document kind, for missing_document / document_not_passed
    # What the message names, as codes: ("scheme", "pension"), ("state", "frozen") …
    params: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        if isinstance(self.params, Mapping):
            object.__setattr__(self, "params", tuple(sorted(self.params.items())))

    def message(self, language: str | None = None) -> str:
        """The message in ``language`` (default: the active language)."""
        if language is None:
            return render_message(self.code, dict(self.params))
        with translation.override(supported_language(language)):
            return render_message(self.code, dict(self.params))

    def legal_basis_text(self) -> str:
        """The legal basis in the active language (``legal_basis`` is the stable form)."""
        text = LEGAL_BASIS_TEXTS.get(self.legal_basis)
        if text is not None:
            return str(text)
        return "; ".join(
            str(LEGAL_BASIS_TEXTS.get(part, part)) for part in _parts(self.legal_basis)
        )

    @property
    def message_en(self) -> str:
        return self.message("en")

    @property
    def message_zh(self) -> str:
        return self.message("zh-hans")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: tuple[Reason, ...]
    rules_version: str = RULES_VERSION

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)


# --- helpers ---------------------------------------------------------------


def _parts(basis: str) -> list[str]:
    """A combined basis split into the bases it joins (each shown on its own)."""
    if basis in LEGAL_BASIS_TEXTS:
        return [basis]
    for known in sorted(LEGAL_BASIS_TEXTS, key=len, reverse=True):
        if basis.startswith(known + "; "):
            return [known, *_parts(basis[len(known) + 2 :])]
    return [basis]


def pooled_basis(scheme: str) -> str:
    """The article on the pooled fund of ``scheme``'s own scheme."""
    return POOLED_BASIS.get(scheme, LAW_POOLED)


def _event_basis(facts: Facts, pension_basis: str) -> str:
    """The basis of a death or emigration rule for the personal accounts claimed:
    the pension's law for the pension account, the local rules for the medical one."""
    schemes = set(_personal_schemes(facts))
    if MEDICAL in schemes and PENSION not in schemes:
        return LAW_MEDICAL_LOCAL
    if MEDICAL in schemes:
        return f"{pension_basis}; {LAW_MEDICAL_LOCAL}"
    return pension_basis


def _is_positive(amount: object) -> bool:
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(amount)  # type: ignore[arg-type]
    except (TypeError, ValueError, ArithmeticError):
        return False
    return value.is_finite() and value > 0


def _stage_rank(stage: str) -> int:
    # An unknown stage is judged as strictly as approval (and reported).
    return STAGES.index(stage) if stage in STAGES else STAGES.index(APPROVAL)


def _at_least(facts: Facts, stage: str) -> bool:
    return _stage_rank(facts.stage) >= STAGES.index(stage)


def _personal_schemes(facts: Facts) -> tuple[str, ...]:
    return tuple(a.scheme for a in facts.accounts if a.kind == PERSONAL)


def _claims_pension_personal(facts: Facts) -> bool:
    return PENSION in _personal_schemes(facts)


def _kind_is_withdrawable(account: AccountFacts) -> bool:
    return account.kind == PERSONAL and account.scheme in SCHEMES_WITH_PERSONAL_ACCOUNT


def withdrawable(account: AccountFacts) -> bool:
    """Whether this account could be paid out at all, given a qualifying event.

    Personal pension or medical account, open, with a positive balance, not
    already claimed by another application.
    """
    return (
        _kind_is_withdrawable(account)
        and account.status == OPEN
        and _is_positive(account.balance)
        and not account.claimed_elsewhere
    )


def required_documents(reason: str, schemes: Iterable[str]) -> tuple[str, ...]:
    """Document kinds an application must carry from submission on.

    ``schemes`` are the schemes of the personal accounts claimed. The order is
    stable (that of :data:`DOCUMENT_KINDS`). An unknown reason needs nothing,
    because it can never be allowed anyway.
    """
    schemes = set(schemes)
    if reason == DEATH:
        kinds = {DEATH_CERTIFICATE, HEIRSHIP_PROOF, APPLICANT_ID}
    elif reason == EMIGRATION:
        kinds = {EXIT_CERTIFICATE, APPLICANT_ID}
        if PENSION in schemes:
            kinds.add(NATIONALITY_PROOF)
    else:
        kinds = set()
    return tuple(kind for kind in DOCUMENT_KINDS if kind in kinds)


# --- general rules ---------------------------------------------------------


def rule_stage_known(facts: Facts) -> Reason | None:
    if facts.stage in STAGES:
        return None
    return Reason(STAGE_UNKNOWN, PROCEDURE)


def rule_reason_allowed(facts: Facts) -> Reason | None:
    if facts.reason in REASONS:
        return None
    return Reason(REASON_NOT_ALLOWED, LAW_QUALIFYING_EVENTS)


def rule_has_accounts(facts: Facts) -> Reason | None:
    if facts.accounts:
        return None
    return Reason(NO_ACCOUNTS, PROCEDURE)


# --- per-account rules -----------------------------------------------------


def _account_reason(code: str, basis: str, claimed: AccountFacts, **params: str) -> Reason:
    return Reason(code, basis, account=claimed.label, params={"scheme": claimed.scheme, **params})


def rule_accounts_unique(facts: Facts) -> Iterable[Reason]:
    seen: set[tuple[str, str]] = set()
    for account in facts.accounts:
        key = (account.scheme, account.kind)
        if key in seen:
            yield _account_reason(ACCOUNT_DUPLICATE, PROCEDURE, account, kind=account.kind)
        seen.add(key)


def rule_account_kind(facts: Facts) -> Iterable[Reason]:
    for account in facts.accounts:
        if account.kind == POOLED:
            yield _account_reason(POOLED_NOT_WITHDRAWABLE, pooled_basis(account.scheme), account)
        elif account.kind != PERSONAL:
            yield _account_reason(
                ACCOUNT_KIND_UNKNOWN,
                pooled_basis(account.scheme),
                account,
                account=account.label,
            )
        elif account.scheme not in SCHEMES_WITH_PERSONAL_ACCOUNT:
            yield _account_reason(
                SCHEME_HAS_NO_PERSONAL_ACCOUNT, pooled_basis(account.scheme), account
            )


def _withdrawable_kind_accounts(facts: Facts) -> Iterable[AccountFacts]:
    # State rules are moot for accounts that can never be withdrawn at all.
    return (a for a in facts.accounts if _kind_is_withdrawable(a))


def rule_account_open(facts: Facts) -> Iterable[Reason]:
    for account in _withdrawable_kind_accounts(facts):
        if account.status != OPEN:
            yield _account_reason(ACCOUNT_NOT_OPEN, PROCEDURE, account, state=account.status)


def rule_account_not_empty(facts: Facts) -> Iterable[Reason]:
    for account in _withdrawable_kind_accounts(facts):
        if not _is_positive(account.balance):
            yield _account_reason(ACCOUNT_EMPTY, PROCEDURE, account)


def rule_account_not_claimed(facts: Facts) -> Iterable[Reason]:
    for account in _withdrawable_kind_accounts(facts):
        if account.claimed_elsewhere:
            yield _account_reason(ACCOUNT_ALREADY_CLAIMED, PROCEDURE, account)


# --- death: a legal heir claims -------------------------------------------


def rule_death_applicant_not_cardholder(facts: Facts) -> Reason | None:
    if facts.reason != DEATH or not facts.applicant_is_cardholder:
        return None
    return Reason(APPLICANT_IS_CARDHOLDER, _event_basis(facts, LAW_INHERITANCE))


def rule_death_applicant_is_heir(facts: Facts) -> Reason | None:
    if facts.reason != DEATH or facts.relationship in HEIR_RELATIONSHIPS:
        return None
    return Reason(NOT_AN_HEIR, _event_basis(facts, LAW_HEIRS))


def rule_death_verified(facts: Facts) -> Reason | None:
    if facts.reason != DEATH or not _at_least(facts, APPROVAL):
        return None
    if facts.death_verified and facts.life_status == DECEASED:
        return None
    return Reason(DEATH_NOT_VERIFIED, _event_basis(facts, LAW_INHERITANCE))


# --- emigration: the cardholder claims ------------------------------------


def rule_emigration_applicant_is_cardholder(facts: Facts) -> Reason | None:
    if facts.reason != EMIGRATION:
        return None
    if facts.applicant_is_cardholder and facts.relationship == SELF:
        return None
    return Reason(APPLICANT_NOT_CARDHOLDER, _event_basis(facts, LAW_EMIGRATION))


def rule_emigration_cardholder_alive(facts: Facts) -> Reason | None:
    if facts.reason != EMIGRATION or facts.life_status != DECEASED:
        return None
    return Reason(CARDHOLDER_DECEASED, _event_basis(facts, LAW_INHERITANCE))


def rule_emigration_verified(facts: Facts) -> Reason | None:
    if facts.reason != EMIGRATION or not _at_least(facts, APPROVAL):
        return None
    if facts.emigration_verified and facts.life_status == EMIGRATED:
        return None
    return Reason(EMIGRATION_NOT_VERIFIED, _event_basis(facts, LAW_EMIGRATION))


def rule_emigration_nationality(facts: Facts) -> Reason | None:
    if (
        facts.reason != EMIGRATION
        or not _claims_pension_personal(facts)
        or not _at_least(facts, APPROVAL)
        or facts.nationality_given_up
    ):
        return None
    return Reason(NATIONALITY_NOT_GIVEN_UP, LAW_EMIGRATION, account=f"{PENSION}/{PERSONAL}")


def pension_conditions_met(
    *, drawing_pension: bool, reached_pension_age: bool, contribution_years: int
) -> bool:
    """Had the person met the conditions for a basic pension at the date of settling
    abroad? Kept simple and explicit: they were retired (a pension in payment), or they
    had reached the statutory pension age with at least PENSION_MINIMUM_YEARS years of
    contributions. Order 13 Art. 6 pays the lump sum only to those who had not."""
    return drawing_pension or (reached_pension_age and contribution_years >= PENSION_MINIMUM_YEARS)


def rule_emigration_before_pension_conditions(facts: Facts) -> Reason | None:
    if facts.reason != EMIGRATION or not _claims_pension_personal(facts):
        return None
    account = f"{PENSION}/{PERSONAL}"
    if facts.drawing_pension:
        return Reason(PENSION_IN_PAYMENT, LAW_EMIGRATION, account=account)
    if pension_conditions_met(
        drawing_pension=False,
        reached_pension_age=facts.reached_pension_age,
        contribution_years=facts.contribution_years,
    ):
        return Reason(
            PENSION_CONDITIONS_MET,
            LAW_EMIGRATION,
            account=account,
        )
    return None


def rule_emigration_notice(facts: Facts) -> Reason | None:
    if (
        facts.reason != EMIGRATION
        or not _claims_pension_personal(facts)
        or not _at_least(facts, SUBMISSION)
        or facts.notice_confirmed
    ):
        return None
    return Reason(NOTICE_NOT_CONFIRMED, LAW_EMIGRATION, account=f"{PENSION}/{PERSONAL}")


# --- documents -------------------------------------------------------------


def _document_basis(facts: Facts, kind: str) -> str:
    if kind == NATIONALITY_PROOF:  # only the pension account asks for it
        return LAW_EMIGRATION
    return _event_basis(facts, LAW_INHERITANCE if facts.reason == DEATH else LAW_EMIGRATION)


def _document_reason(code: str, facts: Facts, kind: str) -> Reason:
    return Reason(code, _document_basis(facts, kind), document=kind, params={"document": kind})


def rule_documents_attached(facts: Facts) -> Iterable[Reason]:
    if not _at_least(facts, SUBMISSION):
        return
    for kind in required_documents(facts.reason, _personal_schemes(facts)):
        if kind not in facts.documents_attached:
            yield _document_reason(MISSING_DOCUMENT, facts, kind)


def rule_documents_passed(facts: Facts) -> Iterable[Reason]:
    if not _at_least(facts, APPROVAL):
        return
    for kind in required_documents(facts.reason, _personal_schemes(facts)):
        # A missing kind is already reported by rule_documents_attached.
        if kind in facts.documents_attached and kind not in facts.documents_passed:
            yield _document_reason(DOCUMENT_NOT_PASSED, facts, kind)


# --- evaluation ------------------------------------------------------------

Rule = Callable[[Facts], Reason | Iterable[Reason] | None]

RULES: tuple[Rule, ...] = (
    rule_stage_known,
    rule_reason_allowed,
    rule_has_accounts,
    rule_accounts_unique,
    rule_account_kind,
    rule_account_open,
    rule_account_not_empty,
    rule_account_not_claimed,
    rule_death_applicant_not_cardholder,
    rule_death_applicant_is_heir,
    rule_death_verified,
    rule_emigration_applicant_is_cardholder,
    rule_emigration_cardholder_alive,
    rule_emigration_verified,
    rule_emigration_nationality,
    rule_emigration_before_pension_conditions,
    rule_emigration_notice,
    rule_documents_attached,
    rule_documents_passed,
)


def evaluate(facts: Facts) -> Decision:
    """Run every rule over ``facts``; allowed only if none fails.

    Reasons come in rule order, so the same facts always give the same decision.
    """
    reasons: list[Reason] = []
    for rule in RULES:
        result = rule(facts)
        if result is None:
            continue
        if isinstance(result, Reason):
            reasons.append(result)
        else:
            reasons.extend(result)
    return Decision(allowed=not reasons, reasons=tuple(reasons), rules_version=RULES_VERSION)
