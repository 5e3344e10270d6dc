"""Check a PDF issued by sscard offline: its signed code, and that its amounts are unchanged."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from pypdf.errors import PyPdfError

from core import signing
from verification import services


class Command(BaseCommand):
    help = "Check that a PDF issued by sscard is genuine (works offline with the public keys)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the PDF to check")
        parser.add_argument(
            "--keys",
            help="a file of published public keys (GET /verify/keys.txt); default: this "
            "installation's own keys",
        )

    def handle(self, *args, file, keys=None, **options):
        try:
            pdf = Path(file).read_bytes()
            published = signing.parse_published_keys(Path(keys).read_text()) if keys else None
        except OSError as exc:
            raise CommandError(f"cannot read {exc.filename}: {exc.strerror}") from exc
        except (ValueError, signing.InvalidCode) as exc:
            raise CommandError(f"{keys}: not a list of public keys") from exc
        try:
            verdict = services.check_pdf(pdf, published)
        except (PyPdfError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"{file}: not a readable PDF ({exc.__class__.__name__})") from exc
        if verdict.outcome == services.NO_CODE:
            raise CommandError(f"{file}: NOT GENUINE: it carries no verification code")
        if verdict.outcome == services.BAD_SIGNATURE:
            raise CommandError(f"{file}: NOT GENUINE: the signature does not match")
        if verdict.outcome == services.ALTERED:
            missing = ", ".join(verdict.missing_amounts)
            raise CommandError(f"{file}: NOT GENUINE: signed amounts not printed: {missing}")
        facts = verdict.facts
        which = facts.get("year") or facts.get("reference", "")
        self.stdout.write(
            f"{file}: genuine {facts.get('doc')} {which} for {facts.get('name')} "
            f"({facts.get('national_id')}), issued {facts.get('issued')}, key {facts.get('kid')}"
        )
