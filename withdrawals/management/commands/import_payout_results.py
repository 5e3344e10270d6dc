"""Read the bank's results (reference, result paid|failed, note) and record each."""

import csv

from django.core.management.base import BaseCommand, CommandError

from accounts.exceptions import DomainError
from withdrawals.exceptions import AlreadyDecided
from withdrawals.models import WithdrawalApplication
from withdrawals.services import payout_mark_failed, payout_mark_paid


class Command(BaseCommand):
    help = "Mark payouts paid or failed from the bank's results CSV (reference,result,note)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV with columns reference, result (paid|failed), note")

    def handle(self, *args, file, **options):
        try:
            fh = open(file, newline="", encoding="utf-8-sig")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        counts = {"paid": 0, "failed": 0, "skipped": 0, "errors": 0}
        with fh:
            for line, row in enumerate(csv.reader(fh), start=1):
                if not row or not "".join(row).strip():
                    continue
                reference = row[0].strip()
                result = row[1].strip().lower() if len(row) > 1 else ""
                note = row[2].strip() if len(row) > 2 else ""
                if line == 1 and reference.lower() == "reference":
                    continue
                outcome = self._one(line, reference, result, note)
                counts[outcome] += 1
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        if counts["errors"]:
            raise CommandError(f"finished with errors: {summary}")
        self.stdout.write(summary)

    def _one(self, line, reference, result, note):
        application = WithdrawalApplication.objects.filter(reference=reference).first()
        if application is None:
            self.stderr.write(f"line {line}: no application {reference!r}")
            return "errors"
        try:
            if result == "paid":
                payout_mark_paid(application, note=note)
                return "paid"
            if result == "failed":
                payout_mark_failed(application, note=note)
                return "failed"
        except AlreadyDecided:
            self.stderr.write(f"line {line}: {reference} already paid; skipped")
            return "skipped"
        except DomainError as exc:
            self.stderr.write(f"line {line}: {reference}: {exc.code}: {exc.message}")
            return "errors"
        self.stderr.write(f"line {line}: result must be 'paid' or 'failed', not {result!r}")
        return "errors"
