"""The national default rates as they changed over time, each with its source (RULES §8).

Replaces the first defaults (one rate per part from 2015) where they are still as first
written; a row a region's staff changed is left as it is.
"""

from decimal import Decimal

from django.db import migrations, models

from accounts.reference_data import (
    FIRST_RATES,
    NATIONAL,
    RATES_START,
    ensure_national_defaults,
)


def forwards(apps, schema_editor):
    rate_model = apps.get_model("accounts", "ContributionRate")
    for scheme, payer, destination, rate in FIRST_RATES:
        rate_model.objects.filter(
            region=NATIONAL,
            scheme=scheme,
            payer=payer,
            destination=destination,
            effective_from=RATES_START,
            effective_to=None,
            rate=Decimal(rate),
        ).delete()
    ensure_national_defaults(rate_model, apps.get_model("accounts", "Account"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0011_romanised_name")]

    operations = [
        migrations.AddField(
            model_name="contributionrate",
            name="source",
            field=models.CharField(blank=True, max_length=255, verbose_name="source"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
