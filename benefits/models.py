"""The public employment service's record of a person out of work (SIL Art. 50)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Cardholder


class UnemploymentRegistration(models.Model):
    """The person's statement that their job ended and that they seek work. The
    registration date counts: the benefit period runs from it (Art. 50)."""

    class HowEnded(models.TextChoices):
        EMPLOYER_TERMINATED = "employer_terminated", _("The employer ended the contract")
        CONTRACT_EXPIRED = "contract_expired", _("The contract expired and was not renewed")
        DISMISSED = "dismissed", _("Dismissed")
        RESIGNED = "resigned", _("Resigned")
        OTHER = "other", _("Other")

    cardholder = models.ForeignKey(
        Cardholder,
        on_delete=models.PROTECT,
        related_name="unemployment_registrations",
        verbose_name=_("cardholder"),
    )
    job_ended_on = models.DateField(_("job ended on"))
    how_ended = models.CharField(_("how the job ended"), max_length=24, choices=HowEnded.choices)
    seeking_work = models.BooleanField(_("seeking work"), default=True)
    registered_on = models.DateField(_("registered on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unemployment registration")
        verbose_name_plural = _("unemployment registrations")
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(job_ended_on__lte=models.F("registered_on")),
                name="unemployment_registration_after_job_end",
            ),
        ]

    def __str__(self):
        return f"{self.cardholder} {self.registered_on}"


class RegionalBenefitAmount(models.Model):
    """The monthly unemployment benefit a region sets for a year (SIL Art. 47): not below
    the urban minimum living standard and below the local minimum wage."""

    region = models.CharField(_("pooling region"), max_length=6)
    year = models.PositiveSmallIntegerField(_("year"))
    monthly_amount = models.DecimalField(_("monthly amount"), max_digits=10, decimal_places=2)
    minimum_living_standard = models.DecimalField(
        _("urban minimum living standard"), max_digits=10, decimal_places=2
    )
    minimum_wage = models.DecimalField(_("minimum wage"), max_digits=10, decimal_places=2)
    illustrative = models.BooleanField(
        _("illustrative demo figure"),
        default=False,
        help_text=_("Not an official figure: seeded for the demo."),
    )

    class Meta:
        verbose_name = _("regional unemployment benefit amount")
        verbose_name_plural = _("regional unemployment benefit amounts")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="benefit_amount_region_year"),
            models.CheckConstraint(
                condition=models.Q(monthly_amount__gte=models.F("minimum_living_standard"))
                & models.Q(monthly_amount__lt=models.F("minimum_wage")),
                name="benefit_amount_between_floor_and_wage",
            ),
        ]

    def __str__(self):
        return f"{self.region} {self.year}: {self.monthly_amount}"
