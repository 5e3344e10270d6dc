"""Import an employer payroll CSV: contributions for all five schemes, set-based."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from accounts.importing import DEFAULT_CHUNK_SIZE, HEADER, PayrollFileError, import_payroll


def count_lines(path):
    with open(path, "rb") as stream:
        return sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))


class Progress:
    """A one-line bar on stderr, redrawn after every chunk."""

    def __init__(self, stream, total):
        self.stream = stream
        self.total = max(total, 1)
        self.started = time.monotonic()

    def draw(self, done):
        share = min(done / self.total, 1)
        filled = int(share * 30)
        rate = done / max(time.monotonic() - self.started, 1e-9)
        self.stream.write(
            f"\r[{'#' * filled}{'-' * (30 - filled)}] {share:4.0%} "
            f"{done:,}/{self.total:,} rows {rate:,.0f} rows/s"
        )
        self.stream.flush()

    def clear(self):
        self.stream.write("\r\033[K")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        f"Post the contributions of an employer payroll CSV ({','.join(HEADER)}; month as "
        "YYYY-MM) for all five schemes. Bad rows are reported by line number and post nothing; "
        "re-running a file posts nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="payroll CSV file (UTF-8)")
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=DEFAULT_CHUNK_SIZE,
            help=f"rows per database transaction (default {DEFAULT_CHUNK_SIZE:,})",
        )
        parser.add_argument(
            "--progress", action="store_true", help="show the progress bar even when not a TTY"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="never show the progress bar"
        )
        parser.add_argument(
            "--strict", action="store_true", help="exit with status 1 if any row was rejected"
        )

    def handle(self, *args, file, chunk_size, progress, no_progress, strict, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1")
        show = not no_progress and (progress or sys.stderr.isatty())
        bar = None
        try:
            if show:
                bar = Progress(sys.stderr, count_lines(file) - 1)
            started = time.monotonic()
            with open(file, encoding="utf-8-sig", newline="") as stream:
                summary = import_payroll(
                    stream,
                    chunk_size=chunk_size,
                    on_chunk=lambda summary, rejects: self._chunk_done(bar, summary, rejects),
                )
        except FileNotFoundError:
            raise CommandError(f"no such file: {file}") from None
        except (PayrollFileError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: {exc}") from None
        elapsed = time.monotonic() - started
        if bar:
            bar.clear()
        rate = summary.rows_read / elapsed if elapsed else 0
        self.stdout.write(
            f"rows read: {summary.rows_read:,}\n"
            f"posted: {summary.rows_posted:,} rows ({summary.transactions_posted:,} transactions)\n"
            f"skipped as already posted: {summary.rows_already_posted:,}\n"
            f"rejected: {summary.rows_rejected:,}\n"
            f"time: {elapsed:.1f} s ({rate:,.0f} rows/s)"
        )
        if summary.rows_rejected and strict:
            raise CommandError(f"{summary.rows_rejected:,} rows rejected", returncode=1)

    def _chunk_done(self, bar, summary, rejects):
        if rejects and bar:
            bar.clear()
        for reject in rejects:
            self.stdout.write(f"rejected {reject}")
        if bar:
            bar.draw(summary.rows_read)
