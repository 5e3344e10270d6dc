"""A migration operation that makes PostgreSQL refuse UPDATE and DELETE on a table's rows,
whatever the client: the ORM already refuses them (AppendOnlyModel); this makes it true
for raw SQL and other programs too. Other databases are left as they are."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{what} rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def append_only(table, *, function, what, drop_function=True):
    """RunPython creating `function` (raising "`what` rows are append-only") and a
    BEFORE UPDATE OR DELETE trigger on `table`; backwards drops the trigger and, unless
    another table shares it, the function."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION.format(function=function, what=what), params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        if drop_function:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")

    return migrations.RunPython(forwards, backwards)
