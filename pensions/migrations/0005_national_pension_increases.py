from django.db import migrations

from pensions.reference_data import ensure_national_increases, ensure_pension_funds


def forwards(apps, schema_editor):
    ensure_national_increases(apps.get_model("pensions", "PensionIncrease"))
    ensure_pension_funds(apps.get_model("accounts", "Account"))


class Migration(migrations.Migration):
    dependencies = [
        ("pensions", "0004_pension_payments"),
        ("accounts", "0016_benefits_payable_and_pension_kinds"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
