"""The demo's work injury: an accident at work a few days ago and the recognition the
employer's login started for it, with the application form, the proof of the labour
relationship and the diagnosis attached, ready for the employer to submit (WIR Art.
17-18). Creates only what is missing: a worker with a recognition already gets none."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Cardholder, EmployerLogin
from casework import services as casework
from workinjury import eligibility, services
from workinjury.models import Filer, InjuryRecognition

# The accident happened this many days before the demo is seeded: well within the
# employer's 30 days (WIR Art. 17).
ACCIDENT_DAYS_AGO = 5
DESCRIPTION = (
    "While installing servers in the company's machine room, the worker's right hand was "
    "caught between a rack and a falling rail; two fingers were fractured and treated at "
    "Haidian Hospital the same day."
)
DOCUMENTS = (
    (eligibility.APPLICATION_FORM, "recognition-application.pdf", "Work-injury application form"),
    (eligibility.LABOUR_PROOF, "labour-contract.pdf", "Labour contract - demo"),
    (eligibility.DIAGNOSIS, "diagnosis.pdf", "Medical diagnosis - demo"),
)


def demo_pdf(title):
    """A small, real one-page PDF standing for a scanned document."""
    text = b"BT /F1 18 Tf 72 720 Td (" + title.encode("ascii") + b") Tj ET"
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
    help = (
        "Give a demo worker an accident at work and the recognition their employer's "
        "login started for it, documents attached, ready to submit."
    )

    def add_arguments(self, parser):
        parser.add_argument("national_id")
        parser.add_argument("employer_login", help="the username of the employer's login")
        parser.add_argument("--today", default=None, help="YYYY-MM-DD (default: today)")

    @transaction.atomic
    def handle(self, *args, national_id, employer_login, today=None, **options):
        today = date.fromisoformat(today) if today else date.today()
        cardholder = Cardholder.objects.with_national_id(national_id).first()
        if cardholder is None:
            raise CommandError("no cardholder has this ID number")
        link = (
            EmployerLogin.objects.select_related("user")
            .filter(user__username=employer_login)
            .first()
        )
        if link is None:
            raise CommandError("no employer login has this username")
        if InjuryRecognition.objects.filter(cardholder=cardholder).exists():
            return
        claim = services.recognition_start(
            applicant=link.user,
            accident_date=today - timedelta(days=ACCIDENT_DAYS_AGO),
            description=DESCRIPTION,
            filer=Filer.EMPLOYER,
            worker_national_id=national_id,
            worker_name=cardholder.name,
            today=today,
        )
        for kind, filename, title in DOCUMENTS:
            casework.document_add(
                case=claim,
                kind=kind,
                uploaded_file=SimpleUploadedFile(filename, demo_pdf(title), "application/pdf"),
                uploader=link.user,
            )
        self.stdout.write(f"{claim.reference}: draft filed by the employer, ready to submit")
