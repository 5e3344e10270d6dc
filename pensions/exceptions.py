"""The pensions app's refusals (re-exporting the generic ones)."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, InvalidInput, NotFound

__all__ = ["DomainError", "InvalidInput", "MissingFigure", "NoDivisor", "NotFound"]


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
