"""The work-injury app's refusals."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.rights import HOW_TO_CONTEST


class RecognitionRefused(DomainError):
    """The filing rules refuse; `decision` carries every reason."""

    code = "not_eligible"
    default_message = _("The recognition cannot be filed now. See the reasons below.")
    status = 422

    def __init__(self, decision, message=None, **kwargs):
        self.decision = decision
        super().__init__(message, **kwargs)

    @property
    def codes(self):
        return self.decision.codes

    @property
    def reasons(self):
        return self.decision.reasons

    def details(self):
        return {
            "reasons": [
                {"code": r.code, "message": r.message, "legal_basis": r.legal_basis}
                for r in self.decision.reasons
            ],
            "how_to_contest": self.decision.how_to_contest,
        }


class AppraisalRefused(DomainError):
    """An appraisal application or conclusion the rules refuse (WIR Art. 21-28): the
    code, the rule's legal basis and how to contest it."""

    code = "appraisal_refused"
    default_message = _("The appraisal cannot be done now.")
    status = 409

    def __init__(self, code, *, field=None, status=None, **params):
        from workinjury import appraisal_rules

        self.legal_basis = appraisal_rules.BASIS.get(code, appraisal_rules.LAW_APPLY)
        if status is not None:
            self.status = status
        message = APPRAISAL_MESSAGES.get(code, self.default_message)
        try:
            message = str(message) % params
        except (KeyError, TypeError, ValueError):
            message = str(message)
        super().__init__(message, code=code, field=field, **params)

    def details(self):
        return {"legal_basis": self.legal_basis, "how_to_contest": str(HOW_TO_CONTEST)}


APPRAISAL_MESSAGES = {
    "appraisal_no_recognised_injury": _(
        "An appraisal needs a recognised work injury: this recognition is not (or not yet) "
        "recognised."
    ),
    "appraisal_condition_not_stable": _(
        "The appraisal is made once the condition is stable after treatment: confirm that it is."
    ),
    "appraisal_open": _("An appraisal application for this injury is already waiting."),
    "appraisal_already_concluded": _(
        "The injury is already appraised: ask for a re-appraisal within 15 days of the "
        "conclusion, or for a review after a year."
    ),
    "appraisal_no_conclusion": _("There is no appraisal conclusion to contest or review yet."),
    "appraisal_reappraisal_too_late": _(
        "A re-appraisal had to be asked for by %(deadline)s (15 days after the conclusion)."
    ),
    "appraisal_reappraisal_final": _(
        "The conclusion of a re-appraisal is final; a review may be asked for a year on."
    ),
    "appraisal_review_too_early": _(
        "A review may be asked for from %(earliest)s (a year after the conclusion)."
    ),
    "appraisal_round_unknown": _("Say which appraisal: first, re-appraisal or review."),
    "injury_grade_invalid": _("The disability grade is a whole number from 1 to 10."),
    "appraisal_self_care_invalid": _("Choose the self-care level."),
    "injury_no_wage_record": _(
        "No wage is on the contribution record for the 12 months before the injury."
    ),
    "work_injury_fund_missing": _(
        "The work-injury fund of region %(region)s is not set up: nothing was paid."
    ),
}


class WorkDeathRefused(DomainError):
    """A death-at-work record or decision the rules refuse (WIR Art. 39): the code, the
    rule's legal basis and how to contest it."""

    code = "work_death_refused"
    default_message = _("The death-at-work benefits cannot be decided now.")
    status = 409

    def __init__(self, code, *, field=None, status=None, **params):
        from workinjury import death_rules

        self.legal_basis = death_rules.BASIS.get(code, death_rules.LAW)
        if status is not None:
            self.status = status
        message = WORK_DEATH_MESSAGES.get(code, self.default_message)
        try:
            message = str(message) % params
        except (KeyError, TypeError, ValueError):
            message = str(message)
        super().__init__(message, code=code, field=field, **params)

    def details(self):
        return {"legal_basis": self.legal_basis, "how_to_contest": str(HOW_TO_CONTEST)}


WORK_DEATH_MESSAGES = {
    "work_death_not_recognised": _(
        "The death-at-work benefits follow a recognised work injury: this injury is not "
        "(or not yet) recognised."
    ),
    "work_death_before_accident": _("The date of death is before the accident."),
    "work_death_in_future": _("The date of death is in the future."),
    "work_death_relation_unknown": _(
        "Say how each dependant is related to the worker: spouse, child, parent or other."
    ),
    "work_death_not_from_injury": _("The death was not caused by the recognised work injury."),
    "work_death_no_dependant_name": _("Give each dependant's name."),
    "work_death_already_recorded": _("A death is already recorded for this injury."),
    "work_injury_fund_missing": _(
        "The work-injury fund of region %(region)s is not set up: nothing was paid."
    ),
}


class MissingNationalIncome(DomainError):
    """The national urban per-capita disposable income of the year is not recorded:
    the one-time work-death subsidy is not guessed."""

    code = "missing_regional_figure"
    status = 422

    def __init__(self, *, year):
        super().__init__(
            _(
                "The national urban per-capita disposable income (WIR Art. 39) of %(year)s "
                "is not recorded."
            )
            % {"year": year},
            figure="national_urban_disposable_income",
            region="000000",
            year=year,
        )

    def details(self):
        return {"missing": dict(self.params)}


class NursingRateMissing(DomainError):
    """The region has no nursing allowance rate for the self-care level the committee
    found (WIR Art. 34): the conclusion is not recorded and nothing is guessed."""

    code = "nursing_allowance_rate_missing"
    default_message = _("No nursing allowance rate is recorded for this region and level.")
    status = 422

    def __init__(self, *, region, self_care):
        from workinjury.models import SelfCare

        super().__init__(
            _(
                "No nursing allowance rate (WIR Art. 34) is recorded for region %(region)s "
                "and the self-care level: %(level)s."
            )
            % {"region": region, "level": dict(SelfCare.choices).get(self_care, self_care)},
            region=region,
            self_care=self_care,
        )

    def details(self):
        return {"missing": {"figure": "nursing_allowance_rate", **self.params}}
