"""The demo's work injury, taken through the real services from start to payment: an
accident at work some months ago; the recognition the employer's login filed two days
after it with the application form, the proof of the labour relationship and the
diagnosis (WIR Art. 17-18), checked by the document review, verified by the demo
reviewer and recognised by the demo approver (Art. 20); the worker's application for
the labour-capacity appraisal once his condition was stable, and the committee's
conclusion (Art. 21-25), which fixes his own wage (Art. 64) and pays the one-time
disability subsidy from the region's work-injury fund (Art. 35-37), sent to the bank in a
batch and confirmed by the bank's results. Creates only what
is missing: a worker with a recognition already gets none."""

import io
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Cardholder, EmployerLogin
from casework import payout_files
from casework import services as casework
from casework import tasks as casework_tasks
from workinjury import eligibility, selectors, services, subsidy_payouts
from workinjury.models import Filer, InjuryRecognition

# The accident happened this many days before the demo is seeded; the employer filed
# two days after it (within its 30 days, WIR Art. 17), the condition was stable after
# three months of treatment and the committee concluded ten days after the application.
ACCIDENT_DAYS_AGO = 120
FILED_AFTER_DAYS = 2
APPRAISAL_AFTER_DAYS = 95
CONCLUDED_AFTER_DAYS = 105
# The committee's conclusion: grade 7 (13 months of his own wage, Art. 37), and he can
# care for himself.
GRADE = 7
SELF_CARE = "none"
BANK_NOTE = "Credited to the social security card (demo bank)"
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
        "Give a demo worker an accident at work, recognised, appraised by the committee "
        "and paid its one-time disability subsidy, through the services staff use."
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
        staff = get_user_model().objects
        reviewer = staff.get(username="reviewer")
        approver = staff.get(username="approver")
        committee = staff.get(username="committee")
        accident = today - timedelta(days=ACCIDENT_DAYS_AGO)
        filed = accident + timedelta(days=FILED_AFTER_DAYS)
        claim = services.recognition_start(
            applicant=link.user,
            accident_date=accident,
            description=DESCRIPTION,
            filer=Filer.EMPLOYER,
            worker_national_id=national_id,
            worker_name=cardholder.name,
            today=filed,
        )
        for kind, filename, title in DOCUMENTS:
            casework.document_add(
                case=claim,
                kind=kind,
                uploaded_file=SimpleUploadedFile(filename, demo_pdf(title), "application/pdf"),
                uploader=link.user,
            )
        services.recognition_submit(claim, actor=link.user, today=filed)
        # The document check, run here rather than after the seed's transaction.
        casework_tasks.review(claim.pk)
        claim.refresh_from_db()
        services.recognition_verify(claim, actor=reviewer)
        services.recognition_recognise(claim, actor=approver)
        appraisal = services.appraisal_apply(
            claim,
            actor=cardholder.user,
            condition_stable=True,
            today=accident + timedelta(days=APPRAISAL_AFTER_DAYS),
        )
        if selectors.regional_average_row(cardholder.region, accident) is None:
            # The own wage needs the regional average wage of the year before the
            # injury (Art. 64): without it the appraisal waits, nothing is guessed.
            self.stdout.write(f"{claim.reference}: recognised; the appraisal waits")
            return
        services.appraisal_conclude(
            appraisal,
            actor=committee,
            grade=GRADE,
            self_care=SELF_CARE,
            today=accident + timedelta(days=CONCLUDED_AFTER_DAYS),
        )
        # The subsidy's line goes out in a bank batch and the bank confirms it, as the
        # operator's export and results import would (only this line: the demo's
        # other payments keep waiting for a real batch).
        reference = subsidy_payouts.subsidy_reference(appraisal.pk)
        payout_files.write_lines(
            io.StringIO(), subsidy_payouts.payouts_send(references=[reference])
        )
        subsidy_payouts.payout_record(reference, "paid", BANK_NOTE, actor=None)
        self.stdout.write(
            f"{claim.reference}: recognised; {appraisal.reference}: grade {GRADE}, "
            f"one-time disability subsidy paid ({reference})"
        )
