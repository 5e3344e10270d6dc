"""Typical national contribution rates and the system accounts, as starting data.

The rows are written out here as they first were (one rate per part from 2015), so the
migration does not change with the live reference data; 0012 replaces them with the
table over time.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

# (scheme, payer, destination, rate), all from 1 January 2015.
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
SYSTEM_ACCOUNTS = ["contributions_received", "settlements_payable", "payouts_payable", "paid_out"]


def forwards(apps, schema_editor):
    rate_model = apps.get_model("accounts", "ContributionRate")
    account_model = apps.get_model("accounts", "Account")
    for scheme, payer, destination, rate in FIRST_RATES:
        rate_model.objects.get_or_create(
            region="000000",
            scheme=scheme,
            payer=payer,
            destination=destination,
            effective_from=date(2015, 1, 1),
            defaults={
                "rate": Decimal(rate),
                "wage_base_floor": Decimal("4000.00"),
                "wage_base_ceiling": Decimal("35000.00"),
            },
        )
    for code in SYSTEM_ACCOUNTS:
        account_model.objects.get_or_create(kind="system", system_code=code)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_ledger_append_only")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
