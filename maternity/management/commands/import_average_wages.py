"""Import employers' average monthly wages (the maternity allowance's base)."""

from django.core.management.base import BaseCommand, CommandError

from maternity.wage_import import HEADER, WageFileError, import_average_wages


class Command(BaseCommand):
    help = (
        f"Record employers' average monthly wages from a CSV ({','.join(HEADER)}). Bad rows "
        "are reported by line number and write nothing; re-running a file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8)")
        parser.add_argument(
            "--strict", action="store_true", help="exit with status 1 if any row was rejected"
        )

    def handle(self, *args, file, strict, **options):
        try:
            with open(file, encoding="utf-8-sig", newline="") as stream:
                summary = import_average_wages(stream)
        except FileNotFoundError:
            raise CommandError(f"no such file: {file}") from None
        except WageFileError as exc:
            raise CommandError(str(exc)) from None
        for reject in summary.rejects:
            self.stderr.write(str(reject))
        self.stdout.write(
            f"{summary.rows_read} rows read, {summary.rows_written} recorded, "
            f"{summary.rows_already_recorded} already recorded, "
            f"{len(summary.rejects)} rejected"
        )
        if strict and summary.rejects:
            raise CommandError("some rows were rejected")
