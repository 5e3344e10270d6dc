"""Room for balance updates in the account heap, and two small indexes for admin filters.

Every posting rewrites account balances. `balance` is not indexed, so PostgreSQL can
update a row in place (a HOT update, no index entries) if its page has free space; with
full pages every balance update also writes an entry into each of the account indexes.
A payroll chunk updates nearly every row of the pages it touches inside one transaction,
so a page needs room for a second version of all its rows: hence a fillfactor of 50.

The fillfactor only governs pages written from now on (new accounts, a population
load). On an existing large database, run once, in a quiet period, as it locks the
table while it rewrites it:

    VACUUM FULL accounts_account;   -- or: pg_repack --table=accounts_account

The indexes serve admin filters that match almost nothing: ledger transactions of a
kind other than contribution or settlement (a partial index, declared on the model),
and contributions of one month (a BRIN index: contributions are appended roughly in
month order, so a few kilobytes of block ranges replace a full scan). A BRIN index
only knows the block ranges it has summarized; ranges filled since then are read in
full, which makes the filter slower than a plain scan right after a large import.
`autosummarize` has autovacuum summarize each range as it fills, and
`import_contributions` summarizes the new ranges itself when it has posted anything
(`brin_summarize_new_values`, about a second per million contributions).

All of it is PostgreSQL-only, except the partial index, which SQLite supports too.
"""

from django.db import migrations, models
from django.db.models import Q

FILLFACTOR = 50

FORWARD = [
    f"ALTER TABLE accounts_account SET (fillfactor = {FILLFACTOR})",
    "CREATE INDEX IF NOT EXISTS contribution_month_brin "
    "ON accounts_contribution USING brin (month) WITH (autosummarize = on)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS contribution_month_brin",
    "ALTER TABLE accounts_account RESET (fillfactor)",
]


def _run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_national_id_encrypted"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ledgertransaction",
            index=models.Index(
                condition=~Q(kind__in=["contribution", "settlement"]),
                fields=["kind", "id"],
                name="ledger_rare_kind",
            ),
        ),
        migrations.RunPython(_run_on_postgresql(FORWARD), _run_on_postgresql(BACKWARD)),
    ]
