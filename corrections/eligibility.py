"""When a correction of the record may be asked for and decided (RULES.md §9).

Pure rules over a frozen snapshot of facts; every failing rule is a :class:`Reason`
with a stable code and its legal basis. The agency keeps every person's record
complete and accurate (SIL Art. 74) and the person may check it at any time (Art. 4):
a correction names one identity field, the right value and a document that shows it.

The statutory retirement date follows from the date of birth and the gender
(`pensions.retirement`): `retirement_change` says how a correction moves it, so staff
see it before they decide and the case keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from core.rights import HOW_TO_CONTEST, LAW_CONTEST
from pensions import retirement

RULES_VERSION = "record-2026.1"

APPLICATION = "application"
SUBMISSION = "submission"
APPROVAL = "approval"

EVIDENCE = "evidence"

LAW_RECORD = "Social Insurance Law of the PRC, Art. 74"
LAW_QUERY = "Social Insurance Law of the PRC, Art. 4"

NO_EVIDENCE = "correction_no_evidence"
SAME_VALUE = "correction_same_value"
OPEN = "correction_open"
NO_REASON = "correction_no_reason"
NOT_LIVING = "correction_not_living"
# Staff's refusals.
EVIDENCE_INSUFFICIENT = "correction_evidence_insufficient"
VALUE_NOT_SHOWN = "correction_value_not_shown"
REFUSAL_CODES = (EVIDENCE_INSUFFICIENT, VALUE_NOT_SHOWN)

MESSAGES = {
    NO_EVIDENCE: _("Upload a document that shows the right value (e.g. the ID card)."),
    SAME_VALUE: _("The record already holds this value."),
    OPEN: _("A correction of this field is already open (%(reference)s)."),
    NO_REASON: _("Say why the record is wrong."),
    NOT_LIVING: _(
        "The record of a deceased person or one who settled abroad is not corrected here."
    ),
    EVIDENCE_INSUFFICIENT: _("Not corrected: the documents do not prove the value asked for."),
    VALUE_NOT_SHOWN: _("Not corrected: the documents show a value other than the one asked for."),
}
LEGAL_BASIS_TEXTS = {
    LAW_RECORD: _("Social Insurance Law of the PRC, Art. 74"),
    LAW_QUERY: _("Social Insurance Law of the PRC, Art. 4"),
}


@dataclass(frozen=True)
class Reason:
    code: str
    legal_basis: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def message(self) -> str:
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


def reason(code, legal_basis=LAW_RECORD, **params):
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
    stage: str
    field: str
    current_value: str
    new_value: str
    reason_given: bool
    evidence_attached: int  # documents attached (at approval: those that passed the check)
    life_status: str = "living"
    open_correction: str = ""  # the reference of another open correction of the field


def evaluate(facts: Facts) -> Decision:
    reasons = []
    if facts.life_status != "living":
        reasons.append(reason(NOT_LIVING))
    if facts.current_value == facts.new_value:
        reasons.append(reason(SAME_VALUE))
    if not facts.reason_given:
        reasons.append(reason(NO_REASON))
    if facts.evidence_attached < 1:
        reasons.append(reason(NO_EVIDENCE))
    if facts.open_correction:
        reasons.append(reason(OPEN, LAW_QUERY, reference=facts.open_correction))
    return Decision(not reasons, tuple(reasons))


def refusal(code):
    """The reason staff give for not correcting the record."""
    return reason(code)


@dataclass(frozen=True)
class RetirementChange:
    """How a correction moves the statutory retirement date (women: both schedules,
    since whether she holds a cadre post is decided with her pension claim)."""

    before: date
    after: date
    before_cadre: date | None = None
    after_cadre: date | None = None

    @property
    def moves(self) -> bool:
        return self.before != self.after or self.before_cadre != self.after_cadre


def _dates(born, gender):
    worker = retirement.retirement_date(born, retirement.category_for(gender))
    cadre = (
        retirement.retirement_date(born, retirement.category_for(gender, cadre=True))
        if gender == "F"
        else None
    )
    return worker, cadre


def retirement_change(*, born, gender, new_born=None, new_gender=None):
    """The statutory retirement date before and after a correction of the date of
    birth or the gender; None when neither changes."""
    new_born = new_born or born
    new_gender = new_gender or gender
    if (new_born, new_gender) == (born, gender):
        return None
    before, before_cadre = _dates(born, gender)
    after, after_cadre = _dates(new_born, new_gender)
    return RetirementChange(before, after, before_cadre, after_cadre)
