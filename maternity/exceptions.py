"""The maternity app's refusals (re-exporting the generic ones)."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, InvalidInput, NotFound

__all__ = ["ClaimRefused", "DomainError", "InvalidInput", "MissingAverageWage", "NotFound"]


class MissingAverageWage(DomainError):
    """The employer's average wage for the year is not in the data; nothing is guessed."""

    code = "maternity_missing_average_wage"
    status = 422

    def __init__(self, *, employer, year):
        super().__init__(
            _("The average monthly wage of %(employer)s for %(year)s is not recorded.")
            % {"employer": employer, "year": year},
            employer=employer,
            year=year,
        )

    def details(self):
        return {"missing": {"figure": "employer_average_wage", **self.params}}


class ClaimRefused(DomainError):
    """The maternity rules refuse; `decision` carries every reason."""

    code = "not_eligible"
    default_message = _("The maternity allowance cannot be claimed now. See the reasons below.")
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
                {"code": r.code, "message": r.message, "legal_basis": r.legal_basis}
                for r in self.decision.reasons
            ],
            "how_to_contest": self.decision.how_to_contest,
        }
