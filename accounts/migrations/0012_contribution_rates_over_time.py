"""The national default rates as they changed over time, each with its source (RULES §8).

Replaces the first defaults (one rate per part from 2015) where they are still as first
written; a row a region's staff changed is left as it is.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations, models

from accounts.reference_data import NATIONAL, ensure_national_defaults

# The rows 0003 wrote: (scheme, payer, destination, rate), all from 1 January 2015.
FIRST_RATES = [
    ("pension", "employer", "pooled", "0.1600"),
    ("pension", "employee", "personal", "0.0800"),
    ("medical", "employer", "pooled", "0.0800"),
    ("medical", "employee", "personal", "0.0200"),
    ("unemployment", "employer", "pooled", "0.0050"),
    ("unemployment", "employee", "pooled", "0.0050"),
    ("work_injury", "employer", "pooled", "0.0040"),
    ("maternity", "employer", "pooled", "0.0080"),
    ("pension", "flexible", "pooled", "0.1200"),
    ("pension", "flexible", "personal", "0.0800"),
    ("medical", "flexible", "pooled", "0.0600"),
    ("medical", "flexible", "personal", "0.0200"),
]


def forwards(apps, schema_editor):
    rate_model = apps.get_model("accounts", "ContributionRate")
    for scheme, payer, destination, rate in FIRST_RATES:
        rate_model.objects.filter(
            region=NATIONAL,
            scheme=scheme,
            payer=payer,
            destination=destination,
            effective_from=date(2015, 1, 1),
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
