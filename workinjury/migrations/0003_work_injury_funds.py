from django.db import migrations

from workinjury.reference_data import ensure_work_injury_funds


def forwards(apps, schema_editor):
    ensure_work_injury_funds(apps.get_model("accounts", "Account"))


class Migration(migrations.Migration):
    dependencies = [
        ("workinjury", "0002_labour_capacity_appraisal"),
        ("accounts", "0019_pooled_to_fund_ledger_kind"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
