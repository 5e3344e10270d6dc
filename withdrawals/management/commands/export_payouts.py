"""Write the bank batch file of approved payouts not yet sent, and mark them sent."""

import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from withdrawals.payout_files import export_batch


class Command(BaseCommand):
    help = "Export approved payouts not yet sent as CSV and mark them sent, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="CSV file to write (default: standard output)")

    def handle(self, *args, output=None, **options):
        target = Path(output) if output else None
        if target and target.exists():
            raise CommandError(f"{target} exists; refusing to overwrite a batch file.")
        # The rows go to a temporary file inside the transaction and move into place
        # only after the commit, so a batch file never lists payouts not marked sent.
        folder = str(target.parent) if target else None
        fd, tmp_name = tempfile.mkstemp(prefix=".payouts-", suffix=".csv", dir=folder)
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
                batch = export_batch(fh)
            if target:
                os.replace(tmp_name, target)
            else:
                with open(tmp_name, encoding="utf-8") as fh:
                    sys.stdout.flush()
                    self.stdout.write(fh.read(), ending="")
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
        total = sum((a.amount for a in batch), start=Decimal("0.00"))
        self.stderr.write(f"{len(batch)} payout(s), {total:.2f} yuan in total, marked sent.")
