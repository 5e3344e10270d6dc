"""The pensions app's refusals (re-exporting the generic ones)."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, InvalidInput, NotFound

__all__ = [
    "ClaimRefused",
    "DomainError",
    "InvalidInput",
    "MissingFigure",
    "NoDivisor",
    "NotFound",
]


class MissingFigure(DomainError):
    """A figure the computation needs is not in the data; nothing is guessed."""

    code = "missing_regional_average_wage"
    default_message = _("The regional average wage for this region and year is not recorded.")
    status = 422

    def __init__(self, *, region, year):
        super().__init__(
            _("The regional average wage for region %(region)s in %(year)s is not recorded.")
            % {"region": region, "year": year},
            region=region,
            year=year,
        )

    def details(self):
        return {"missing": {"figure": "regional_average_wage", **self.params}}


class NoDivisor(DomainError):
    code = "no_divisor_for_age"
    default_message = _("The divisor table has no entry for this retirement age.")
    status = 422


class ClaimRefused(DomainError):
    """The retirement-claim rules refuse; `decision` carries every reason."""

    code = "not_eligible"
    default_message = _("The pension cannot be claimed now. See the reasons below.")
    status = 422

    def __init__(self, decision, message=None, **kwargs):
        self.decision = decision
        super().__init__(message, **kwargs)

    @property
    def reasons(self):
        return self.decision.reasons

    @property
    def codes(self):
        return self.decision.codes

    def details(self):
        return {
            "reasons": [
                {
                    "code": reason.code,
                    "message": reason.message,
                    "legal_basis": reason.legal_basis,
                }
                for reason in self.decision.reasons
            ],
            "how_to_contest": self.decision.how_to_contest,
        }


class NotInPayment(DomainError):
    """The living check is for a pensioner whose pension is in payment."""

    code = "not_in_payment"
    default_message = _("There is no pension in payment to confirm a living check for.")
    status = 409


class PensionerNotLiving(DomainError):
    code = "pensioner_not_living"
    default_message = _(
        "The record says this pensioner is no longer living; a living check cannot be "
        "confirmed. Contact the service centre."
    )
    status = 409
