from django.db import migrations

from pensions.reference_data import ensure_illustrative_wages


def forwards(apps, schema_editor):
    ensure_illustrative_wages(apps.get_model("pensions", "RegionalAverageWage"))


class Migration(migrations.Migration):
    dependencies = [("pensions", "0001_regional_average_wage")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
