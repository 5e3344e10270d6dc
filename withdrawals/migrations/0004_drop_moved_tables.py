"""Drop the withdrawal tables whose rows moved to casework (previous migration).

Going back recreates them empty, as migration 0002 left them; the previous migration's
way back then fills them.
"""

from django.db import migrations
from django.db.migrations.loader import MigrationLoader

# Referencing tables first.
TABLES = (
    "withdrawals_eventnotification",
    "withdrawals_applicationevent",
    "withdrawals_supportingdocument",
    "withdrawals_withdrawalapplication",
)
BEFORE = ("withdrawals", "0002_event_append_only")
MODELS = ("WithdrawalApplication", "SupportingDocument", "ApplicationEvent", "EventNotification")


def drop(apps, schema_editor):
    for table in TABLES:
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(table)}")


def recreate(apps, schema_editor):
    loader = MigrationLoader(schema_editor.connection, ignore_no_migrations=True)
    old = loader.project_state(BEFORE).apps
    for name in MODELS:
        schema_editor.create_model(old.get_model("withdrawals", name))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE TRIGGER withdrawals_applicationevent_append_only BEFORE UPDATE OR DELETE "
            "ON withdrawals_applicationevent FOR EACH ROW "
            "EXECUTE FUNCTION sscard_timeline_append_only()"
        )


class Migration(migrations.Migration):
    dependencies = [("withdrawals", "0003_onto_casework")]
    operations = [migrations.RunPython(drop, recreate)]
