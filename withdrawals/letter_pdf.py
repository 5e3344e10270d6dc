"""The decision letter and the payout receipt of a claim, as signed PDFs anyone can check
at /verify/ (the same signing and layout as the annual statement)."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus.flowables import KeepTogether

from accounts.statement_pdf import FONT, fact_table, register_font, styles_sheet
from core import formatting, signed_pdf, signing
from core.rights import how_to_contest
from withdrawals.models import Status

DECISION_LETTER = "decision_letter"
PAYOUT_RECEIPT = "payout_receipt"
APPROVED_STATES = (Status.APPROVED, Status.PAID, Status.PAYOUT_FAILED)


def letters_available(application):
    """Which documents the claim has now: a letter once decided, a receipt once paid."""
    kinds = []
    if application.status in (*APPROVED_STATES, Status.REJECTED) and application.decided_at:
        kinds.append(DECISION_LETTER)
    if application.status == Status.PAID:
        kinds.append(PAYOUT_RECEIPT)
    return kinds


def _paid_at(application):
    event = application.events.filter(new_status=Status.PAID).order_by("-created_at").first()
    return event.created_at if event else None


def facts(application, doc):
    """What the code signs: the document, the claim, whom it concerns (masked), the
    decision or payment, its date and the amount, as printed."""
    approved = application.status in APPROVED_STATES
    when = application.decided_at if doc == DECISION_LETTER else _paid_at(application)
    signed = {
        "doc": doc,
        "reference": application.reference,
        "name": signing.mask_name(application.applicant.get_full_name()),
        "national_id": application.cardholder.masked_national_id,
        "issued": f"{timezone.localtime(when):%Y-%m-%d}",
        "decision": "approved" if approved else "rejected",
    }
    if approved and application.amount is not None:
        key = "paid" if doc == PAYOUT_RECEIPT else "payout"
        signed["amounts"] = {key: f"{application.amount:.2f}"}
    return signed


def render_letter_pdf(application, doc, verify_base="/verify/"):
    """PDF bytes of the claim's decision letter or payout receipt, signed."""
    register_font()
    styles = styles_sheet()
    signed = facts(application, doc)
    title = _("Decision on your claim") if doc == DECISION_LETTER else _("Payout receipt")
    buffer = BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{title} {application.reference}",
        author=_("Social Security Card Self-Service"),
        # Not Helvetica, reportlab's default: every font in the file is embedded.
        initialFontName=FONT,
    )
    rows = [
        [_("Reference"), application.reference],
        [_("Applicant"), application.applicant.get_full_name()],
        [_("The claim is about"), application.cardholder.display_name()],
        [_("ID number"), application.cardholder.masked_national_id],
        [_("Issued on"), signed["issued"]],
    ]
    if application.amount is not None and signed["decision"] == "approved":
        label = _("Amount paid") if doc == PAYOUT_RECEIPT else _("Amount approved")
        rows.append([label, formatting.money(application.amount)])
        rows.append([_("Paid to"), _masked_account(application)])
    story = [
        Paragraph(_("Social Security Card Self-Service"), styles["small"]),
        Paragraph(escape(title), styles["title"]),
        Spacer(1, 4 * mm),
        fact_table(rows, [46 * mm, 120 * mm], header_rows=0),
        Spacer(1, 4 * mm),
    ]
    story += _decision_paragraphs(application, doc, signed, styles)
    code = signing.sign(signed)
    story.append(Spacer(1, 6 * mm))
    story.append(
        KeepTogether(
            signed_pdf.verification_block(
                code,
                verify_base,
                _("Check that this document is genuine: scan the code or open"),
                styles["small"],
            )
        )
    )
    pdf.build(story)
    return signed_pdf.embed_code(buffer.getvalue(), code)


def _masked_account(application):
    number = "".join(application.bank_account_number.split())
    return f"{application.bank_name} · {application.bank_account_holder} · ****{number[-4:]}"


def _decision_paragraphs(application, doc, signed, styles):
    body = styles["body"]
    if doc == PAYOUT_RECEIPT:
        return [Paragraph(_("The bank confirmed this payment."), body)]
    if signed["decision"] == "approved":
        return [
            Paragraph(
                _("Your claim is approved. The amount is paid to the bank account shown."), body
            )
        ]
    return [
        Paragraph(_("Your claim is rejected, for this reason:"), body),
        Paragraph(escape(application.rejection_reason or ""), body),
        Spacer(1, 3 * mm),
        Paragraph(escape(how_to_contest()), body),
    ]
