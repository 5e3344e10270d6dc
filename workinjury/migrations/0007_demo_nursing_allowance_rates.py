from django.db import migrations

from workinjury.reference_data import ensure_nursing_rates


def forwards(apps, schema_editor):
    ensure_nursing_rates(apps.get_model("workinjury", "NursingAllowanceRate"))


class Migration(migrations.Migration):
    dependencies = [("workinjury", "0006_nursing_allowance")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
