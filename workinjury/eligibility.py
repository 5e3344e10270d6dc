"""Who may file a work-injury recognition, and why not (RULES.md §6 and §9).

Pure rules over a frozen snapshot of facts (today among them); every failing rule is a
:class:`Reason` with a stable code, its parameters and its legal basis.

- The worker or a close relative files within one year of the accident, the employer
  (here: staff on its behalf) within 30 days (WIR Art. 17; the time limits are
  `benefits.work_injury_rules`); an accident in the future cannot be filed.
- The materials (WIR Art. 18): the application form, proof of the labour relationship
  and the medical or occupational-disease diagnosis, checked on submission.
- One recognition per accident at a time.
- Staff who refuse recognition name the exclusion (WIR Art. 16: intentional crime,
  drunkenness or drugs, self-harm) or that the injury is not work-related (Art. 14-15).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from benefits import work_injury_rules as rules
from core.rights import HOW_TO_CONTEST, LAW_CONTEST

RULES_VERSION = "work-injury-2026.1"

APPLICATION = "application"
SUBMISSION = "submission"
APPROVAL = "approval"

WORKER, RELATIVE, EMPLOYER = rules.WORKER, rules.RELATIVE, rules.EMPLOYER

# Document kinds (WIR Art. 18).
APPLICATION_FORM = "application_form"
LABOUR_PROOF = "labour_relationship_proof"
DIAGNOSIS = "diagnosis"
REQUIRED_DOCUMENTS = (APPLICATION_FORM, LABOUR_PROOF, DIAGNOSIS)

LAW_TIME_LIMIT = rules.LAW_TIME_LIMIT
LAW_MATERIALS = "Regulations on Work-Related Injury Insurance, Art. 18"
LAW_RECOGNITION = "Regulations on Work-Related Injury Insurance, Art. 14–15"
LAW_EXCLUSION = "Regulations on Work-Related Injury Insurance, Art. 16"
PROCEDURE = "Social insurance agency work-injury recognition procedure"

# Stable codes.
FILED_TOO_LATE = rules.FILED_TOO_LATE
FILED_BEFORE_ACCIDENT = rules.FILED_BEFORE_ACCIDENT
FILER_UNKNOWN = rules.FILER_UNKNOWN
MISSING_DOCUMENT = "injury_missing_document"
CLAIM_OPEN = "injury_claim_open"
CARDHOLDER_DECEASED = "injury_worker_deceased"
# Staff's refusals (Art. 14-16).
EXCLUDED_CRIME = "injury_excluded_crime"
EXCLUDED_INTOXICATION = "injury_excluded_intoxication"
EXCLUDED_SELF_HARM = "injury_excluded_self_harm"
NOT_WORK_RELATED = "injury_not_work_related"
REFUSAL_CODES = (EXCLUDED_CRIME, EXCLUDED_INTOXICATION, EXCLUDED_SELF_HARM, NOT_WORK_RELATED)
REFUSAL_BASIS = {
    EXCLUDED_CRIME: LAW_EXCLUSION,
    EXCLUDED_INTOXICATION: LAW_EXCLUSION,
    EXCLUDED_SELF_HARM: LAW_EXCLUSION,
    NOT_WORK_RELATED: LAW_RECOGNITION,
}

MESSAGES = {
    FILED_TOO_LATE: _(
        "A recognition filed by %(filer)s must be filed by %(deadline)s (%(limit)s after the "
        "accident of %(date)s)."
    ),
    FILED_BEFORE_ACCIDENT: _("The accident date %(date)s is in the future."),
    FILER_UNKNOWN: _("Say who files: the worker, a close relative or the employer."),
    MISSING_DOCUMENT: _("Upload the %(document)s."),
    CLAIM_OPEN: _("A recognition for the accident of %(date)s is already open (%(reference)s)."),
    CARDHOLDER_DECEASED: _(
        "The worker is recorded as deceased: the survivors' benefits for a death at work "
        "are claimed instead."
    ),
    EXCLUDED_CRIME: _("Not recognised: the injury arose from an intentional crime."),
    EXCLUDED_INTOXICATION: _("Not recognised: the injury arose from drunkenness or drug use."),
    EXCLUDED_SELF_HARM: _("Not recognised: the injury was self-inflicted."),
    NOT_WORK_RELATED: _(
        "Not recognised: the injury is not one the law recognises or deems work-related."
    ),
}
FILER_NAMES = {
    WORKER: _("the worker"),
    RELATIVE: _("a close relative"),
    EMPLOYER: _("the employer"),
}
LIMIT_NAMES = {WORKER: _("one year"), RELATIVE: _("one year"), EMPLOYER: _("30 days")}
DOCUMENT_NAMES = {
    APPLICATION_FORM: _("work-injury recognition application form"),
    LABOUR_PROOF: _("proof of the labour relationship (e.g. the labour contract)"),
    DIAGNOSIS: _("medical or occupational-disease diagnosis"),
}
LEGAL_BASIS_TEXTS = {
    LAW_TIME_LIMIT: _("Regulations on Work-Related Injury Insurance, Art. 17"),
    LAW_MATERIALS: _("Regulations on Work-Related Injury Insurance, Art. 18"),
    LAW_RECOGNITION: _("Regulations on Work-Related Injury Insurance, Art. 14–15"),
    LAW_EXCLUSION: _("Regulations on Work-Related Injury Insurance, Art. 16"),
    PROCEDURE: _("Social insurance agency work-injury recognition procedure"),
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
        values = dict(self.params)
        if "document" in values:
            values["document"] = str(DOCUMENT_NAMES.get(values["document"], values["document"]))
        if "filer" in values:
            values["limit"] = str(LIMIT_NAMES.get(values["filer"], ""))
            values["filer"] = str(FILER_NAMES.get(values["filer"], values["filer"]))
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
    stage: str
    today: date
    filed_on: date  # the day of filing (the first submission, or today before it)
    accident_date: date
    filer: str
    life_status: str = "living"
    open_claim: str = ""
    documents_attached: frozenset[str] = frozenset()


def rule_time_limit(facts):
    try:
        rules.check_filing(facts.accident_date, facts.filed_on, facts.filer)
    except rules.InjuryRuleError as exc:
        if exc.code == FILED_TOO_LATE:
            deadline = rules.filing_deadline(facts.accident_date, facts.filer)
            return reason(
                exc.code,
                LAW_TIME_LIMIT,
                filer=facts.filer,
                deadline=deadline.isoformat(),
                date=facts.accident_date.isoformat(),
            )
        return reason(exc.code, LAW_TIME_LIMIT, date=facts.accident_date.isoformat())
    return None


def rule_living(facts):
    return None if facts.life_status != "deceased" else reason(CARDHOLDER_DECEASED, PROCEDURE)


def rule_one_claim(facts):
    if not facts.open_claim:
        return None
    return reason(
        CLAIM_OPEN, PROCEDURE, reference=facts.open_claim, date=facts.accident_date.isoformat()
    )


def rule_documents(facts):
    if facts.stage == APPLICATION:
        return []
    return [
        reason(MISSING_DOCUMENT, LAW_MATERIALS, document=kind)
        for kind in REQUIRED_DOCUMENTS
        if kind not in facts.documents_attached
    ]


def evaluate(facts: Facts) -> Decision:
    reasons = [r for rule in (rule_time_limit, rule_living, rule_one_claim) if (r := rule(facts))]
    reasons += rule_documents(facts)
    return Decision(not reasons, tuple(reasons))


def refusal(code):
    """The reason staff give for not recognising an injury."""
    return reason(code, REFUSAL_BASIS[code])
