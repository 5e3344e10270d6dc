"""Refusals of the benefits app, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from core.rights import HOW_TO_CONTEST

__all__ = [
    "ClaimRefused",
    "DomainError",
    "Forbidden",
    "InvalidInput",
    "InvalidMonth",
    "MissingFigure",
    "MonthTooFarAhead",
    "NotFound",
    "RegistrationRefused",
    "SkillSubsidyRefused",
    "TrainingRefused",
]


class RegistrationRefused(DomainError):
    code = "registration_refused"
    default_message = _("The unemployment registration was refused.")
    status = 422


class ClaimRefused(DomainError):
    """The benefit rules refuse; `decision` carries every reason."""

    code = "not_eligible"
    default_message = _("The unemployment benefit cannot be claimed now. See the reasons below.")
    status = 422

    def __init__(self, decision, message=None, **kwargs):
        self.decision = decision
        super().__init__(message, **kwargs)

    @property
    def reasons(self):
        return self.decision.reasons

    def details(self):
        return {
            "reasons": [
                {"code": r.code, "message": r.message, "legal_basis": r.legal_basis}
                for r in self.decision.reasons
            ],
            "how_to_contest": str(self.decision.how_to_contest or HOW_TO_CONTEST),
        }


class MissingFigure(DomainError):
    """A regional figure the decision or the run needs is not recorded: nothing is guessed."""

    code = "missing_regional_figure"
    default_message = _("A regional figure this needs is not recorded.")
    status = 422

    def __init__(self, *, figure, region, year):
        super().__init__(
            _("The %(figure)s for region %(region)s in %(year)s is not recorded.")
            % {"figure": FIGURES.get(figure, figure), "region": region, "year": year},
            figure=figure,
            region=region,
            year=year,
        )

    def details(self):
        return {"missing": dict(self.params)}


FIGURES = {
    "regional_average_wage": _("regional average monthly wage (WIR Art. 64)"),
    "unemployment_benefit_amount": _("monthly unemployment benefit amount (SIL Art. 47)"),
    "unemployed_medical_contribution": _(
        "medical contribution paid for the unemployed (SIL Art. 48)"
    ),
}


class InvalidMonth(DomainError):
    code = "invalid_month"
    default_message = _("Give the month as YYYY-MM.")
    status = 400


class MonthTooFarAhead(DomainError):
    code = "month_too_far_ahead"
    default_message = _("Benefits can be paid at most for next month.")
    status = 422


class SkillSubsidyRefused(ClaimRefused):
    """The skill-upgrade subsidy rules refuse; `decision` carries every reason."""

    default_message = _("The skill-upgrade subsidy cannot be claimed. See the reasons below.")


class TrainingRefused(ClaimRefused):
    """The application for a course is refused; `decision` carries every reason."""

    default_message = _("You cannot apply for this course. See the reasons below.")
