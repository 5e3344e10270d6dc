from django.db import migrations

from workinjury.reference_data import ensure_national_incomes


def forwards(apps, schema_editor):
    ensure_national_incomes(apps.get_model("workinjury", "NationalDisposableIncome"))


class Migration(migrations.Migration):
    dependencies = [("workinjury", "0004_work_death_benefits")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
