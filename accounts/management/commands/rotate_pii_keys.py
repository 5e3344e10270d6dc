"""Re-encrypt national ID numbers and recompute their look-up digests after a key
rotation (the procedure is in docs/RELIABILITY.md, "Rotating the ID keys")."""

from django.core.management.base import BaseCommand

from accounts.pii import rekey_all


class Command(BaseCommand):
    help = "Re-encrypt ID numbers under the newest key and recompute their digests."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2_000)

    def handle(self, *args, batch_size, **options):
        holders, users = rekey_all(batch_size=batch_size, progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"re-keyed {holders:,} cardholders and {users:,} logins")
        )
