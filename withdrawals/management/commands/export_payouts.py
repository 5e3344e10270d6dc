"""Write the bank batch file of approved payouts not yet sent, and mark them sent."""

import csv
import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from withdrawals.models import Status, WithdrawalApplication
from withdrawals.services import payout_mark_sent

HEADER = ["reference", "payee", "bank", "account_number", "amount"]


class Command(BaseCommand):
    help = "Export approved payouts not yet sent as CSV and mark them sent, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="CSV file to write (default: standard output)")

    def handle(self, *args, output=None, **options):
        target = Path(output) if output else None
        if target and target.exists():
            raise CommandError(f"{target} exists; refusing to overwrite a batch file.")
        # The rows are written to a temporary file inside the transaction and moved
        # into place only after the commit, so a file never lists unmarked payouts.
        folder = str(target.parent) if target else None
        fd, tmp_name = tempfile.mkstemp(prefix=".payouts-", suffix=".csv", dir=folder)
        try:
            with transaction.atomic():
                candidates = WithdrawalApplication.objects.filter(
                    status=Status.APPROVED, payout_sent_at__isnull=True
                ).values_list("pk", flat=True)
                batch = payout_mark_sent(list(candidates))
                with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
                    writer = csv.writer(fh)
                    writer.writerow(HEADER)
                    for application in batch:
                        writer.writerow(
                            [
                                application.reference,
                                application.bank_account_holder,
                                application.bank_name,
                                application.bank_account_number,
                                f"{application.amount:.2f}",
                            ]
                        )
            if target:
                os.replace(tmp_name, target)
            else:
                with open(tmp_name, encoding="utf-8") as fh:
                    sys.stdout.flush()
                    self.stdout.write(fh.read(), ending="")
                os.unlink(tmp_name)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise
        total = sum((a.amount for a in batch), start=0)
        self.stderr.write(f"{len(batch)} payout(s), {total:.2f} yuan in total, marked sent.")
