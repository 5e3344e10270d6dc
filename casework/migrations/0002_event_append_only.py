"""PostgreSQL refuses UPDATE and DELETE on the cases' timeline, whatever the client.

The ORM already refuses them (AppendOnlyModel); this makes it true for raw SQL and
other programs too. The foreign keys to an event are PROTECT, so no cascade needs it.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION sscard_timeline_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'timeline rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

TABLE = "casework_event"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION sscard_timeline_append_only()"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The function stays: withdrawals' older timeline table may still use it.
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
