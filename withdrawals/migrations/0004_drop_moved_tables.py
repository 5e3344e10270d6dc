"""Drop the withdrawal tables whose rows moved to casework (previous migration)."""

from django.db import migrations

# Referencing tables first.
TABLES = (
    "withdrawals_eventnotification",
    "withdrawals_applicationevent",
    "withdrawals_supportingdocument",
    "withdrawals_withdrawalapplication",
)


def drop(apps, schema_editor):
    for table in TABLES:
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies = [("withdrawals", "0003_onto_casework")]
    operations = [migrations.RunPython(drop, migrations.RunPython.noop)]
