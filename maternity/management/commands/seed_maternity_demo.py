"""The demo's maternity case: the employer's average wage, the region's extra days
(an illustrative figure, labelled so) and a draft claim for a birth last month with its
birth certificate and bank account, ready to submit. Creates only what is missing."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Cardholder
from casework import services as casework
from maternity import selectors, services
from maternity.models import EmployerAverageWage, MaternityClaim, RegionalMaternityRule

DEMO_AVERAGE_WAGE = Decimal("9000.00")
# Jiangsu adds 30 days to a birth's leave; the demo carries it as an illustrative figure.
DEMO_EXTRA_DAYS = 30


def _birth_certificate():
    """A small, real one-page PDF standing for the scanned certificate."""
    text = b"BT /F1 18 Tf 72 720 Td (Birth medical certificate - demo) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class Command(BaseCommand):
    help = "Give a demo cardholder a birth last month and a maternity claim ready to submit."

    def add_arguments(self, parser):
        parser.add_argument("national_id")
        parser.add_argument("--today", default=None, help="YYYY-MM-DD (default: today)")

    @transaction.atomic
    def handle(self, *args, national_id, today=None, **options):
        today = date.fromisoformat(today) if today else date.today()
        cardholder = Cardholder.objects.with_national_id(national_id).first()
        if cardholder is None or cardholder.user is None:
            raise CommandError("no cardholder with a login has this ID number")
        last_month = (today.replace(day=1) - date.resolution).replace(day=15)
        employer = selectors.employer_before(cardholder, last_month)
        if employer is None:
            raise CommandError("the cardholder has no employer on record")
        EmployerAverageWage.objects.get_or_create(
            employer=employer,
            year=last_month.year - 1,
            defaults={
                "amount": DEMO_AVERAGE_WAGE,
                "source": "Illustrative demo figure (the employer's report)",
            },
        )
        RegionalMaternityRule.objects.get_or_create(
            region=cardholder.region,
            effective_from=date(2021, 11, 1),
            defaults={
                "extra_days": DEMO_EXTRA_DAYS,
                "source": "Illustrative demo figure (Jiangsu: 30 days added to a birth's leave)",
                "illustrative": True,
            },
        )
        if MaternityClaim.objects.filter(cardholder=cardholder).exists():
            return
        claim = services.maternity_claim_start(
            applicant=cardholder.user,
            cardholder=cardholder,
            event="birth",
            event_date=last_month,
            babies=1,
            bank_name="中国工商银行 ICBC Nanjing",
            bank_account_number="6222020200112233445",
            today=today,
        )
        casework.document_add(
            case=claim,
            kind="birth_certificate",
            uploaded_file=SimpleUploadedFile(
                "birth-certificate.pdf", _birth_certificate(), "application/pdf"
            ),
            uploader=cardholder.user,
        )
        self.stdout.write(f"{claim.reference}: draft, ready to submit")
