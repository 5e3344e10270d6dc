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


class MonthNotPayable(DomainError):
    """A run for a month after next month: pensions are paid no further ahead."""

    code = "pension_month_too_far"
    default_message = _("Pensions are paid for this month or next month, not later.")
    status = 422


class MissingPensionFund(DomainError):
    """No pension fund is set up for a region whose pensioners the run pays."""

    code = "missing_pension_fund"
    default_message = _("The pension fund of a region is not set up.")
    status = 422

    def __init__(self, *, regions):
        super().__init__(
            _("No pension fund account is set up for region %(regions)s; nothing was paid.")
            % {"regions": ", ".join(regions)},
            regions=list(regions),
        )

    def details(self):
        return {"missing": {"figure": "pension_fund", **self.params}}


class MissingPensionIncrease(DomainError):
    """A year's pension increase the run needs is not recorded (not even as zero)."""

    code = "missing_pension_increase"
    default_message = _("A yearly pension increase is not recorded.")
    status = 422

    def __init__(self, *, missing):
        named = ", ".join(f"{region} {year}" for region, year in missing)
        super().__init__(
            _(
                "No yearly pension increase is recorded for %(missing)s (region and year; "
                "enter 0 %% if there was none); nothing was paid."
            )
            % {"missing": named},
            missing=[f"{region}:{year}" for region, year in missing],
        )

    def details(self):
        return {"missing": {"figure": "pension_increase", **self.params}}


class MissingMedicalFund(DomainError):
    """No medical fund is set up for a region whose retirees the run credits."""

    code = "missing_medical_fund"
    default_message = _("The medical fund of a region is not set up.")
    status = 422

    def __init__(self, *, regions):
        super().__init__(
            _("No medical fund account is set up for region %(regions)s; nothing was paid.")
            % {"regions": ", ".join(regions)},
            regions=list(regions),
        )

    def details(self):
        return {"missing": {"figure": "medical_fund", **self.params}}


class MissingRetireeMedicalRate(DomainError):
    """A region's credit to retirees' medical accounts is not recorded for the month."""

    code = "missing_retiree_medical_rate"
    default_message = _("The credit to retirees' medical accounts is not recorded.")
    status = 422

    def __init__(self, *, missing):
        named = ", ".join(f"{region} {month:%Y-%m}" for region, month in missing)
        super().__init__(
            _(
                "No credit to retirees' personal medical accounts is recorded for "
                "%(missing)s (region and month; enter 0 if the region credits none); "
                "nothing was paid."
            )
            % {"missing": named},
            missing=[f"{region}:{month:%Y-%m}" for region, month in missing],
        )

    def details(self):
        return {"missing": {"figure": "retiree_medical_rate", **self.params}}
