"""Typical national contribution rates and the system accounts, as starting data.

The rows as they first were (one rate per part from 2015, `FIRST_RATES`), so the
migration does not change with the live table; 0012 replaces them with the table over
time.
"""

from decimal import Decimal

from django.db import migrations

from accounts.reference_data import FIRST_RATES, RATES_START

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
            effective_from=RATES_START,
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
