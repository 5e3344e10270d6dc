from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionalAverageWage(models.Model):
    """A pooling region's average monthly wage for a year: data, never a constant."""

    region = models.CharField(_("pooling region"), max_length=6)
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("average monthly wage"), max_digits=12, decimal_places=2)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("regional average wage")
        verbose_name_plural = _("regional average wages")
        ordering = ["region", "year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="one_average_wage_per_year")
        ]

    def __str__(self):
        return f"{self.region} {self.year}: {self.amount}"
