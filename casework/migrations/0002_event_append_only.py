"""PostgreSQL refuses UPDATE and DELETE on the cases' timeline, whatever the client.

The ORM already refuses them (AppendOnlyModel); this makes it true for raw SQL and
other programs too. The foreign keys to an event are PROTECT, so no cascade needs it.
"""

from django.db import migrations

from core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [
        # The function stays on the way back: withdrawals' older timeline table uses it.
        append_only(
            "casework_event",
            function="sscard_timeline_append_only",
            what="timeline",
            drop_function=False,
        )
    ]
