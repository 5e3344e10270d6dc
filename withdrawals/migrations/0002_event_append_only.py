"""PostgreSQL refuses UPDATE and DELETE on the applications' timeline, whatever the client.

The ORM already refuses them (AppendOnlyModel); this makes it true for raw SQL and
other programs too. The foreign keys to an event are PROTECT, so no cascade needs it.
"""

from django.db import migrations

from core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("withdrawals", "0001_initial")]
    operations = [
        append_only(
            "withdrawals_applicationevent",
            function="sscard_timeline_append_only",
            what="timeline",
        )
    ]
