"""Who may withdraw which personal-account balance, and why not.

Pure rules: :func:`evaluate` takes a frozen snapshot of facts (:class:`Facts`) and
returns a :class:`Decision`. Nothing here touches the database, the clock, settings,
files or Django; today's date, if a rule ever needs it, is a fact like any other.
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

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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
LAW_POOLED = "Social Insurance Law of the PRC, Art. 11–12"
LAW_INHERITANCE = "Social Insurance Law of the PRC, Art. 14"
LAW_HEIRS = "Social Insurance Law of the PRC, Art. 14; Civil Code of the PRC, Art. 1127"
LAW_EMIGRATION = "MOHRSS Order No. 13 (2011), Art. 6"
LAW_QUALIFYING_EVENTS = f"{LAW_INHERITANCE}; {LAW_EMIGRATION}"
PROCEDURE = "Social insurance agency withdrawal procedure"

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
)

# (English, Chinese) names of documents, as an applicant would call them.
DOCUMENT_LABELS = {
    DEATH_CERTIFICATE: ("the death certificate", "死亡证明"),
    HEIRSHIP_PROOF: (
        "proof that you are a legal heir (for example a notarised certificate "
        "of inheritance or of your family relationship)",
        "法定继承人身份证明（如继承权公证书或亲属关系证明）",
    ),
    APPLICANT_ID: ("your own identity document", "申请人本人的身份证件"),
    EXIT_CERTIFICATE: (
        "the exit / overseas settlement certificate",
        "出境定居证明",
    ),
    NATIONALITY_PROOF: (
        "proof that you have given up PRC nationality",
        "放弃中国国籍的证明",
    ),
}


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


@dataclass(frozen=True)
class Reason:
    """Why a withdrawal is refused: a stable code, words for people, the law."""

    code: str
    message_en: str
    message_zh: str
    legal_basis: str
    account: str = ""  # e.g. "pension/personal" when it concerns one account
    document: str = ""  # the document kind, for missing_document / document_not_passed

    def message(self, language: str) -> str:
        if (language or "").lower().startswith("zh"):
            return self.message_zh
        return self.message_en


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: tuple[Reason, ...]
    rules_version: str = RULES_VERSION

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)


# (English, Chinese) names of schemes for messages; unknown schemes show as given.
SCHEME_LABELS = {
    PENSION: ("pension", "养老保险"),
    MEDICAL: ("medical", "医疗保险"),
    "unemployment": ("unemployment", "失业保险"),
    "work_injury": ("work injury", "工伤保险"),
    "maternity": ("maternity", "生育保险"),
}


# --- helpers ---------------------------------------------------------------


def _scheme(account: AccountFacts) -> tuple[str, str]:
    return SCHEME_LABELS.get(account.scheme, (account.scheme, account.scheme))


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
    return Reason(
        STAGE_UNKNOWN,
        "The application could not be checked at this step. Please try again or "
        "contact the service centre.",
        "暂时无法在此环节审核该申请，请稍后重试或联系社保服务中心。",
        PROCEDURE,
    )


def rule_reason_allowed(facts: Facts) -> Reason | None:
    if facts.reason in REASONS:
        return None
    return Reason(
        REASON_NOT_ALLOWED,
        "Personal-account money can only be withdrawn after the insured person has "
        "died (claimed by a legal heir) or has emigrated and settled abroad. "
        "Unemployment, retirement, hardship or other reasons do not qualify; the "
        "money stays in the account and keeps counting towards your benefits.",
        "个人账户资金只有在参保人死亡（由法定继承人申请）或出境定居的情况下才能提取。"
        "失业、退休、生活困难等其他原因均不符合条件，资金将继续保留在账户中，"
        "并计入您今后的社保待遇。",
        LAW_QUALIFYING_EVENTS,
    )


def rule_has_accounts(facts: Facts) -> Reason | None:
    if facts.accounts:
        return None
    return Reason(
        NO_ACCOUNTS,
        "Choose at least one personal account (pension or medical) to withdraw from.",
        "请至少选择一个要提取的个人账户（养老或医疗）。",
        PROCEDURE,
    )


# --- per-account rules -----------------------------------------------------


def rule_accounts_unique(facts: Facts) -> Iterable[Reason]:
    seen: set[tuple[str, str]] = set()
    for account in facts.accounts:
        key = (account.scheme, account.kind)
        if key in seen:
            en, zh = _scheme(account)
            yield Reason(
                ACCOUNT_DUPLICATE,
                f"The {en} {account.kind} account is listed more than once. "
                "List each account only once.",
                f"{zh}账户（{account.kind}）被重复选择，每个账户只能选择一次。",
                PROCEDURE,
                account=account.label,
            )
        seen.add(key)


def rule_account_kind(facts: Facts) -> Iterable[Reason]:
    for account in facts.accounts:
        en, zh = _scheme(account)
        if account.kind == POOLED:
            yield Reason(
                POOLED_NOT_WITHDRAWABLE,
                f"The pooled {en} account belongs to the social insurance fund, not to "
                "the insured person, so it can never be withdrawn. Remove it from the "
                "application.",
                f"{zh}统筹账户的资金属于社会保险统筹基金，不属于个人，任何情况下都不能提取。"
                "请从申请中移除该账户。",
                LAW_POOLED,
                account=account.label,
            )
        elif account.kind != PERSONAL:
            yield Reason(
                ACCOUNT_KIND_UNKNOWN,
                f"The account {account.label} is not a personal account and cannot be "
                "withdrawn. Remove it from the application.",
                f"账户 {account.label} 不是个人账户，不能提取。请从申请中移除该账户。",
                LAW_POOLED,
                account=account.label,
            )
        elif account.scheme not in SCHEMES_WITH_PERSONAL_ACCOUNT:
            yield Reason(
                SCHEME_HAS_NO_PERSONAL_ACCOUNT,
                f"The {en} scheme has no personal account: all of its contributions go "
                "to the pooled fund. Only pension and medical personal accounts can be "
                "withdrawn.",
                f"{zh}没有个人账户，其缴费全部计入统筹基金。只有养老保险和医疗保险的个人账户"
                "可以提取。",
                LAW_POOLED,
                account=account.label,
            )


def _withdrawable_kind_accounts(facts: Facts) -> Iterable[AccountFacts]:
    # State rules are moot for accounts that can never be withdrawn at all.
    return (a for a in facts.accounts if _kind_is_withdrawable(a))


_STATUS_ZH = {"frozen": "已冻结", "closed": "已关闭"}


def rule_account_open(facts: Facts) -> Iterable[Reason]:
    for account in _withdrawable_kind_accounts(facts):
        if account.status != OPEN:
            en, zh = _scheme(account)
            state_en = account.status if account.status in _STATUS_ZH else "not open"
            state_zh = _STATUS_ZH.get(account.status, "不是正常状态")
            yield Reason(
                ACCOUNT_NOT_OPEN,
                f"The {en} personal account is {state_en}, so nothing can be paid from "
                "it. Contact the service centre if you think this is wrong.",
                f"{zh}个人账户{state_zh}，无法支付。如有疑问，请联系社保服务中心。",
                PROCEDURE,
                account=account.label,
            )


def rule_account_not_empty(facts: Facts) -> Iterable[Reason]:
    for account in _withdrawable_kind_accounts(facts):
        if not _is_positive(account.balance):
            en, zh = _scheme(account)
            yield Reason(
                ACCOUNT_EMPTY,
                f"The {en} personal account has no balance to withdraw. Remove it from "
                "the application.",
                f"{zh}个人账户没有可提取的余额，请从申请中移除该账户。",
                PROCEDURE,
                account=account.label,
            )


def rule_account_not_claimed(facts: Facts) -> Iterable[Reason]:
    for account in _withdrawable_kind_accounts(facts):
        if account.claimed_elsewhere:
            en, zh = _scheme(account)
            yield Reason(
                ACCOUNT_ALREADY_CLAIMED,
                f"Another open application already claims the {en} personal account. "
                "Wait for it to finish, or withdraw it, before applying again.",
                f"{zh}个人账户已有另一份正在办理的提取申请。请等待该申请办结或将其撤回后再申请。",
                PROCEDURE,
                account=account.label,
            )


# --- death: a legal heir claims -------------------------------------------


def rule_death_applicant_not_cardholder(facts: Facts) -> Reason | None:
    if facts.reason != DEATH or not facts.applicant_is_cardholder:
        return None
    return Reason(
        APPLICANT_IS_CARDHOLDER,
        "A claim after a death is made by a legal heir of the deceased, not by the "
        "cardholder. If you are the cardholder, you cannot apply for this reason.",
        "参保人死亡后的提取申请须由其法定继承人提出，持卡人本人不能以此理由申请。",
        LAW_INHERITANCE,
    )


def rule_death_applicant_is_heir(facts: Facts) -> Reason | None:
    if facts.reason != DEATH or facts.relationship in HEIR_RELATIONSHIPS:
        return None
    return Reason(
        NOT_AN_HEIR,
        "Only a legal heir of the deceased (spouse, child, parent, sibling, "
        "grandparent or another heir under the law or a will) can claim the "
        "balance. Choose your relationship to the deceased.",
        "只有死者的法定继承人（配偶、子女、父母、兄弟姐妹、祖父母/外祖父母或其他依法"
        "或依遗嘱继承的人）才能申请提取余额。请选择您与死者的关系。",
        LAW_HEIRS,
    )


def rule_death_verified(facts: Facts) -> Reason | None:
    if facts.reason != DEATH or not _at_least(facts, APPROVAL):
        return None
    if facts.death_verified and facts.life_status == DECEASED:
        return None
    return Reason(
        DEATH_NOT_VERIFIED,
        "The death has not been verified yet. A reviewer must check the death "
        "certificate and record the death before the claim can be approved.",
        "参保人死亡信息尚未核实。审核人员须核验死亡证明并登记死亡信息后才能批准申请。",
        LAW_INHERITANCE,
    )


# --- emigration: the cardholder claims ------------------------------------


def rule_emigration_applicant_is_cardholder(facts: Facts) -> Reason | None:
    if facts.reason != EMIGRATION:
        return None
    if facts.applicant_is_cardholder and facts.relationship == SELF:
        return None
    return Reason(
        APPLICANT_NOT_CARDHOLDER,
        "After emigrating, only the cardholder can apply for their own personal "
        "account. Please ask the cardholder to apply with their own login.",
        "出境定居后的提取申请只能由持卡人本人提出，请由持卡人本人登录申请。",
        LAW_EMIGRATION,
    )


def rule_emigration_cardholder_alive(facts: Facts) -> Reason | None:
    if facts.reason != EMIGRATION or facts.life_status != DECEASED:
        return None
    return Reason(
        CARDHOLDER_DECEASED,
        "The cardholder is recorded as deceased, so the balance cannot be claimed "
        "for emigration. A legal heir can apply with the reason 'death' instead.",
        "持卡人已登记为死亡，不能以出境定居为由提取。请由法定继承人以“参保人死亡”为由申请。",
        LAW_INHERITANCE,
    )


def rule_emigration_verified(facts: Facts) -> Reason | None:
    if facts.reason != EMIGRATION or not _at_least(facts, APPROVAL):
        return None
    if facts.emigration_verified and facts.life_status == EMIGRATED:
        return None
    return Reason(
        EMIGRATION_NOT_VERIFIED,
        "The emigration has not been verified yet. A reviewer must check the exit / "
        "overseas settlement certificate before the claim can be approved.",
        "出境定居信息尚未核实。审核人员须核验出境定居证明后才能批准申请。",
        LAW_EMIGRATION,
    )


def rule_emigration_nationality(facts: Facts) -> Reason | None:
    if (
        facts.reason != EMIGRATION
        or not _claims_pension_personal(facts)
        or not _at_least(facts, APPROVAL)
        or facts.nationality_given_up
    ):
        return None
    return Reason(
        NATIONALITY_NOT_GIVEN_UP,
        "The pension personal account can only be closed and paid out once you have "
        "given up PRC nationality, and a reviewer has recorded it. Until then the "
        "account is kept for you.",
        "只有在您已放弃中国国籍并经审核人员登记后，才能终止养老保险关系并支付养老个人"
        "账户余额。在此之前，您的账户将继续保留。",
        LAW_EMIGRATION,
        account=f"{PENSION}/{PERSONAL}",
    )


def rule_emigration_notice(facts: Facts) -> Reason | None:
    if (
        facts.reason != EMIGRATION
        or not _claims_pension_personal(facts)
        or not _at_least(facts, SUBMISSION)
        or facts.notice_confirmed
    ):
        return None
    return Reason(
        NOTICE_NOT_CONFIRMED,
        "Before the pension personal account can be closed, read the notice: you may "
        "keep the account and receive a pension later, and closing it ends your "
        "pension insurance relationship. Then confirm in writing that you still "
        "want to close it.",
        "终止养老保险关系前，请阅读告知书：您有权保留个人账户并在达到条件时领取养老金，"
        "而支付个人账户余额将终止您的养老保险关系。阅读后请书面确认仍要申请。",
        LAW_EMIGRATION,
        account=f"{PENSION}/{PERSONAL}",
    )


# --- documents -------------------------------------------------------------


def _document_basis(reason: str) -> str:
    return LAW_INHERITANCE if reason == DEATH else LAW_EMIGRATION


def rule_documents_attached(facts: Facts) -> Iterable[Reason]:
    if not _at_least(facts, SUBMISSION):
        return
    for kind in required_documents(facts.reason, _personal_schemes(facts)):
        if kind in facts.documents_attached:
            continue
        en, zh = DOCUMENT_LABELS[kind]
        yield Reason(
            MISSING_DOCUMENT,
            f"Please upload {en}.",
            f"请上传{zh}。",
            _document_basis(facts.reason),
            document=kind,
        )


def rule_documents_passed(facts: Facts) -> Iterable[Reason]:
    if not _at_least(facts, APPROVAL):
        return
    for kind in required_documents(facts.reason, _personal_schemes(facts)):
        # A missing kind is already reported by rule_documents_attached.
        if kind not in facts.documents_attached or kind in facts.documents_passed:
            continue
        en, zh = DOCUMENT_LABELS[kind]
        yield Reason(
            DOCUMENT_NOT_PASSED,
            f"The upload of {en} has not passed the document check. Upload a clear, "
            "complete copy (PDF, JPEG or PNG).",
            f"您上传的{zh}未通过材料审核，请重新上传清晰、完整的文件（PDF、JPEG 或 PNG）。",
            _document_basis(facts.reason),
            document=kind,
        )


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
