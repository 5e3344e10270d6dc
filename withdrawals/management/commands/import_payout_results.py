"""Read the bank's results (reference, result paid|failed, note) and record each."""

from django.core.management.base import BaseCommand, CommandError

from withdrawals.payout_files import import_results


class Command(BaseCommand):
    help = "Mark payouts paid or failed from the bank's results CSV (reference,result,note)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV with columns reference, result (paid|failed), note")

    def handle(self, *args, file, **options):
        try:
            with open(file, newline="", encoding="utf-8-sig") as fh:
                counts, problems = import_results(fh)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        for problem in problems:
            self.stderr.write(problem)
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        if counts["errors"]:
            raise CommandError(f"finished with errors: {summary}")
        self.stdout.write(summary)
