"""A claim's decision letter and payout receipt: signed PDFs the applicant downloads and
anyone can check, at /verify/ or offline; a changed amount is refused."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core import signed_pdf, signing
from tests.factories import approve_claim, death_claim, staff_with
from verification import services as verification
from withdrawals import services
from withdrawals.letter_pdf import render_letter_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(django_capture_on_commit_callbacks):
    return approve_claim(
        death_claim(pension="1000.00", medical="200.00"), django_capture_on_commit_callbacks
    )


def download(client, application, name):
    client.force_login(application.applicant)
    return client.get(f"/withdrawals/{application.pk}/{name}.pdf")


def test_an_undecided_claim_has_no_letter(client, django_capture_on_commit_callbacks):
    application = death_claim()
    assert download(client, application, "decision-letter").status_code == 404
    page = client.get(f"/withdrawals/{application.pk}/").content.decode()
    assert 'data-testid="letters"' not in page


def test_the_approval_letter_is_signed_and_the_public_page_says_genuine(client, approved):
    client.force_login(approved.applicant)
    page = client.get(f"/withdrawals/{approved.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Decision letter (PDF)" in page.content.decode()
    assert "Payout receipt (PDF)" not in page.content.decode()  # not paid yet
    response = download(client, approved, "decision-letter")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"

    code, text = signed_pdf.read(response.content)
    facts = signing.verify(code)
    assert facts["doc"] == "decision_letter" and facts["decision"] == "approved"
    assert facts["reference"] == approved.reference
    assert facts["amounts"] == {"payout": "1200.00"}
    assert approved.cardholder.national_id not in text
    public = client.get(f"/verify/{code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This document is genuine." in public
    assert f"Decision on claim {approved.reference}" in public and "¥1200.00" in public


def test_the_receipt_exists_once_paid_and_the_command_checks_it(client, approved, tmp_path, capsys):
    assert download(client, approved, "payout-receipt").status_code == 404
    payouts = staff_with("manage_payouts")
    services.payout_mark_sent([approved], actor=payouts)
    services.payout_mark_paid(approved, actor=payouts)
    approved.refresh_from_db()
    response = download(client, approved, "payout-receipt")
    assert response.status_code == 200
    path = tmp_path / "receipt.pdf"
    path.write_bytes(response.content)
    call_command("verify_document", str(path))
    assert f"genuine payout_receipt {approved.reference}" in capsys.readouterr().out


def test_a_letter_with_a_changed_amount_is_refused(approved, tmp_path):
    genuine = render_letter_pdf(approved, "decision_letter")
    code, _text = signed_pdf.read(genuine)
    approved.amount = approved.amount + 1000
    altered = signed_pdf.embed_code(render_letter_pdf(approved, "decision_letter"), code)

    verdict = verification.check_pdf(altered)
    assert verdict.outcome == verification.ALTERED
    path = tmp_path / "altered.pdf"
    path.write_bytes(altered)
    with pytest.raises(CommandError, match=r"1200\.00"):
        call_command("verify_document", str(path))


def test_a_rejection_letter_says_why_and_how_to_contest(client, django_capture_on_commit_callbacks):
    application = death_claim()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application, actor=application.applicant)
    services.application_reject(
        application,
        actor=staff_with("review_application"),
        reason="The certificate is not legible.",
    )
    application.refresh_from_db()
    response = download(client, application, "decision-letter")
    code, text = signed_pdf.read(response.content)
    assert signing.verify(code)["decision"] == "rejected"
    compact = "".join(text.split())
    assert "Thecertificateisnotlegible." in compact
    assert "60" in compact
