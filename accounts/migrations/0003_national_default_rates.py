"""Typical national contribution rates and the system accounts, as starting data."""

from django.db import migrations

from accounts.reference_data import ensure_national_defaults


def forwards(apps, schema_editor):
    ensure_national_defaults(
        apps.get_model("accounts", "ContributionRate"), apps.get_model("accounts", "Account")
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_ledger_append_only")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
