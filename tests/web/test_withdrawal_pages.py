"""The withdrawal pages as an heir or an emigrating cardholder uses them.

Cast: dora died with money in her pension and medical personal accounts; her son
henry claims it; erik emigrated and claims his own; mallory has a card of her own
and tries other people's URLs.
"""

import re

import pytest
from django.urls import reverse

from tests.factories import (
    CardholderFactory,
    UserFactory,
    death_claim,
    fund,
    pdf_bytes,
    png_bytes,
    upload,
)
from withdrawals import selectors
from withdrawals.models import Status, SupportingDocument, WithdrawalApplication

pytestmark = pytest.mark.django_db

BANK = {
    "bank_name": "Bank of Example, Beijing branch",
    "bank_account_holder": "Henry Zhao",
    "bank_account_number": "6222 0202 0011 2233 445",
}


@pytest.fixture
def dora(db):
    cardholder = CardholderFactory(name="Dora Zhao")
    fund(cardholder, "pension", "1234.56")
    fund(cardholder, "medical", "200.00")
    return cardholder


@pytest.fixture
def henry(db):
    return UserFactory(username="henry", first_name="Henry Zhao")


@pytest.fixture
def henry_client(client, henry):
    client.force_login(henry)
    return client


@pytest.fixture
def erik(db):
    user = UserFactory(username="erik", first_name="Erik Sun")
    cardholder = CardholderFactory(user=user, name="Erik Sun")
    fund(cardholder, "pension", "5000.00")
    return user


@pytest.fixture
def mallory(db):
    user = UserFactory(username="mallory", first_name="Mallory Qian")
    CardholderFactory(user=user, name="Mallory Qian")
    return user


def identify(client, cardholder, **overrides):
    data = {
        "national_id": cardholder.national_id,
        "name": cardholder.name,
        "card_number": cardholder.card_number,
        **overrides,
    }
    return client.post(reverse("withdrawals:new"), data)


def text(response):
    return response.content.decode()


def upload_post(client, application, kind, content, name="scan.pdf", **headers):
    return client.post(
        reverse("withdrawals:upload", args=[application.pk]),
        {"kind": kind, "file": upload(content, name=name)},
        **headers,
    )


def submit(client, application, django_capture_on_commit_callbacks):
    # The review task is queued after commit; eager Celery runs it right there.
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("withdrawals:review", args=[application.pk]))


# --- the heir's claim ---------------------------------------------------------------


def test_heir_wizard_end_to_end(henry_client, henry, dora, django_capture_on_commit_callbacks):
    assert henry_client.get(reverse("withdrawals:index")).status_code == 200
    response = identify(henry_client, dora)
    assert response.status_code == 302
    assert response.url == reverse("withdrawals:new_details")

    response = henry_client.get(response.url)
    page = text(response)
    assert "Dora Zhao" in page
    # Before staff verify the death, the heir learns which accounts exist, not amounts.
    assert "Pension" in page and "Medical" in page
    assert "1,234.56" not in page and "200.00" not in page

    response = henry_client.post(
        reverse("withdrawals:new_details"),
        {"relationship": "child", "schemes": ["pension", "medical"], **BANK},
    )
    application = WithdrawalApplication.objects.get(applicant=henry)
    assert response.status_code == 302
    assert response.url == reverse("withdrawals:heirs", args=[application.pk])
    assert application.status == Status.DRAFT
    assert application.schemes == ["pension", "medical"]

    # The draft is on "my applications", to be resumed.
    index = text(henry_client.get(reverse("withdrawals:index")))
    assert application.reference in index
    assert reverse("withdrawals:documents", args=[application.pk]) in index

    page = text(henry_client.get(reverse("withdrawals:documents", args=[application.pk])))
    assert "Death certificate" in page and "Proof of heirship or kinship" in page

    # Without the page's script: plain form posts.
    for kind in ("death_certificate", "heirship_proof"):
        response = upload_post(henry_client, application, kind, pdf_bytes(), name=f"{kind}.pdf")
        assert response.status_code == 302
    # With it: JSON.
    response = upload_post(
        henry_client,
        application,
        "applicant_id",
        png_bytes(),
        name="my id.png",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] is True
    assert answer["document"]["kind"] == "applicant_id"
    assert answer["document"]["name"] == "my id.png"
    assert answer["document"]["size"] > 0

    page = text(henry_client.get(reverse("withdrawals:review", args=[application.pk])))
    assert "Submit the application" in page
    assert "Please upload" not in page

    response = submit(henry_client, application, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("withdrawals:detail", args=[application.pk])
    application.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION
    assert application.amount is None  # nobody approved anything

    page = text(henry_client.get(response.url))
    assert "Awaiting decision" in page
    assert "A member of staff will verify the documents and decide." in page
    assert "Usually within 15 working days." in page
    assert "Passed the automated check" in page


def test_heir_draft_refused_shows_every_reason(henry_client, henry):
    empty = CardholderFactory(name="Wei Empty")
    identify(henry_client, empty)
    response = henry_client.get(reverse("withdrawals:new_details"))
    page = text(response)
    assert "The claim cannot be started, for these reasons" in page
    assert "Legal basis:" in page
    assert not WithdrawalApplication.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "Dora Zhou"},
        {"card_number": "T99999999"},
        {"national_id": "110105194912310021"},
        {"national_id": "not an id"},
    ],
    ids=["name", "card", "other-id", "malformed-id"],
)
def test_identification_refusal_is_generic(henry_client, dora, overrides):
    response = identify(henry_client, dora, **overrides)
    page = text(response)
    assert response.status_code == 400
    assert "We could not find a cardholder with these details." in page
    # What was typed is kept.
    assert f'value="{overrides.get("name", dora.name)}"' in page
    assert "withdrawals.claim" not in henry_client.session


def test_identification_is_rate_limited(henry_client, dora, settings):
    for _ in range(10):
        identify(henry_client, dora, name="Wrong Name")
    response = identify(henry_client, dora)
    assert response.status_code == 400
    assert "Too many attempts" in text(response)


def test_details_step_needs_an_identified_cardholder(henry_client):
    response = henry_client.get(reverse("withdrawals:new_details"))
    assert response.status_code == 302
    assert response.url == reverse("withdrawals:index")


def test_bad_bank_account_is_a_field_error_and_keeps_input(henry_client, dora):
    identify(henry_client, dora)
    response = henry_client.post(
        reverse("withdrawals:new_details"),
        {**BANK, "relationship": "spouse", "schemes": ["pension"], "bank_account_number": "12ab"},
    )
    page = text(response)
    assert response.status_code == 400
    assert "Enter the bank account number: 8 to 30 digits." in page
    assert 'value="12ab"' in page
    assert 'value="Bank of Example, Beijing branch"' in page
    assert not WithdrawalApplication.objects.exists()


def test_applicant_cannot_set_status_or_amount(henry_client, henry, dora):
    identify(henry_client, dora)
    henry_client.post(
        reverse("withdrawals:new_details"),
        {
            "relationship": "child",
            "schemes": ["pension"],
            "status": "approved",
            "amount": "99999.00",
            "reviewed_by": "1",
            **BANK,
        },
    )
    application = WithdrawalApplication.objects.get(applicant=henry)
    assert application.status == Status.DRAFT
    assert application.amount is None
    assert application.reviewed_by is None


# --- uploads ---------------------------------------------------------------------------


@pytest.fixture
def draft(henry, dora):
    return death_claim(heir=henry, cardholder=CardholderFactory(name="Lin Draft"))


def test_upload_refuses_a_wrong_type(henry_client, draft):
    response = upload_post(
        henry_client, draft, "death_certificate", b"just some text\n" * 20, name="note.txt"
    )
    assert response.status_code == 400
    assert "This kind of file is not accepted. Upload a PDF, JPEG or PNG." in text(response)
    assert draft.documents.count() == 3

    response = upload_post(
        henry_client,
        draft,
        "death_certificate",
        b"MZ\x90\x00" * 10,
        name="virus.pdf",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "code": "unsupported_type",
        "message": "This kind of file is not accepted. Upload a PDF, JPEG or PNG.",
    }


def test_upload_refuses_an_empty_file(henry_client, draft):
    response = upload_post(henry_client, draft, "heirship_proof", b"", name="empty.pdf")
    assert response.status_code == 400
    assert "The file is empty. Choose the file again." in text(response)
    response = upload_post(
        henry_client, draft, "heirship_proof", b"", HTTP_ACCEPT="application/json"
    )
    assert response.json()["code"] == "empty"


def test_upload_without_a_file_is_a_field_error(henry_client, draft):
    response = henry_client.post(
        reverse("withdrawals:upload", args=[draft.pk]), {"kind": "heirship_proof"}
    )
    assert response.status_code == 400
    assert "Choose a file to upload." in text(response)


def test_remove_a_document(henry_client, draft):
    document = draft.documents.get(kind="applicant_id")
    response = henry_client.post(
        reverse("withdrawals:document_remove", args=[draft.pk, document.pk])
    )
    assert response.status_code == 302
    assert not SupportingDocument.objects.filter(pk=document.pk).exists()


def test_review_lists_what_is_missing(henry_client, draft):
    draft.documents.get(kind="applicant_id").delete()
    page = text(henry_client.get(reverse("withdrawals:review", args=[draft.pk])))
    assert "Before you can submit" in page
    assert "Please upload your own identity document." in page


def test_download_own_document(henry_client, draft):
    document = draft.documents.first()
    response = henry_client.get(reverse("withdrawals:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


# --- the emigrant's claim --------------------------------------------------------------


def test_emigrant_claim_with_notice(client, erik, django_capture_on_commit_callbacks):
    client.force_login(erik)
    page = text(client.get(reverse("withdrawals:new_emigration")))
    assert "Erik Sun" in page
    response = client.post(reverse("withdrawals:new_emigration"))
    assert response.url == reverse("withdrawals:new_details")
    page = text(client.get(response.url))
    assert 'name="relationship"' not in page  # the cardholder claims for themselves

    response = client.post(
        reverse("withdrawals:new_details"),
        {"schemes": ["pension"], **BANK, "bank_account_holder": "Erik Sun"},
    )
    application = WithdrawalApplication.objects.get(applicant=erik)
    assert application.relationship == "self" and application.reason == "emigration"
    for kind in ("exit_certificate", "applicant_id", "nationality_proof"):
        upload_post(client, application, kind, pdf_bytes())

    page = text(client.get(reverse("withdrawals:documents", args=[application.pk])))
    assert reverse("withdrawals:notice", args=[application.pk]) in page

    # Submitting before the confirmation is refused with the reason.
    response = submit(client, application, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "confirm in writing" in text(response)

    response = client.get(reverse("withdrawals:notice", args=[application.pk]))
    assert selectors.pension_notice("en").splitlines()[0] in text(response)
    application.refresh_from_db()
    assert application.notice_shown_at is not None

    response = client.post(
        reverse("withdrawals:notice", args=[application.pk]), {"full_name": "Erik"}
    )
    assert response.status_code == 400
    assert "Type your full name exactly as on your card to confirm." in text(response)
    assert 'value="Erik"' in text(response)

    response = client.post(
        reverse("withdrawals:notice", args=[application.pk]), {"full_name": "Erik  Sun"}
    )
    assert response.url == reverse("withdrawals:review", args=[application.pk])
    application.refresh_from_db()
    assert application.notice_confirmed_name == "Erik Sun"

    response = submit(client, application, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION


def test_emigrant_without_a_card(henry_client):
    page = text(henry_client.get(reverse("withdrawals:new_emigration")))
    assert "No card is linked to your login" in page


def test_notice_page_is_in_chinese(client, erik):
    client.force_login(erik)
    client.post(reverse("withdrawals:new_emigration"))
    client.post(
        reverse("withdrawals:new_details"),
        {"schemes": ["pension"], **BANK, "bank_account_holder": "Erik Sun"},
    )
    application = WithdrawalApplication.objects.get(applicant=erik)
    response = client.get(
        reverse("withdrawals:notice", args=[application.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert selectors.pension_notice("zh").splitlines()[0] in text(response)


# --- after submission ------------------------------------------------------------------


def test_withdraw_with_confirmation(henry_client, draft):
    response = henry_client.get(reverse("withdrawals:withdraw", args=[draft.pk]))
    assert "Yes, withdraw it" in text(response)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT  # a GET changes nothing

    response = henry_client.post(reverse("withdrawals:withdraw", args=[draft.pk]))
    assert response.url == reverse("withdrawals:detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN
    page = text(henry_client.get(response.url))
    assert "Withdrawn" in page
    assert "Withdraw the application" not in page


def test_needs_documents_shows_request_and_resubmits(
    henry_client, draft, django_capture_on_commit_callbacks
):
    from tests.factories import staff_with
    from withdrawals import services

    submit(henry_client, draft, django_capture_on_commit_callbacks)
    reviewer = staff_with("review_application")
    services.application_request_documents(
        draft, actor=reviewer, message="The death certificate is cut off; upload all pages."
    )
    page = text(henry_client.get(reverse("withdrawals:detail", args=[draft.pk])))
    assert "The death certificate is cut off; upload all pages." in page
    assert "More documents needed" in page

    upload_post(henry_client, draft, "death_certificate", pdf_bytes(pages=2))
    response = submit(henry_client, draft, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.AWAITING_DECISION


def test_rejection_reason_is_shown(henry_client, draft, django_capture_on_commit_callbacks):
    from tests.factories import staff_with
    from withdrawals import services

    submit(henry_client, draft, django_capture_on_commit_callbacks)
    services.application_reject(
        draft, actor=staff_with("review_application"), reason="You are not a legal heir."
    )
    page = text(henry_client.get(reverse("withdrawals:detail", args=[draft.pk])))
    assert "Your application was rejected" in page
    assert "You are not a legal heir." in page


# --- scoping -----------------------------------------------------------------------------


def test_someone_else_gets_404_everywhere(client, mallory, draft):
    client.force_login(mallory)
    document = draft.documents.first()
    for name in ("detail", "documents", "review", "withdraw", "bank", "notice"):
        assert client.get(reverse(f"withdrawals:{name}", args=[draft.pk])).status_code == 404
    assert client.post(reverse("withdrawals:withdraw", args=[draft.pk])).status_code == 404
    assert client.post(reverse("withdrawals:review", args=[draft.pk])).status_code == 404
    response = upload_post(client, draft, "death_certificate", pdf_bytes())
    assert response.status_code == 404
    response = client.post(reverse("withdrawals:document_remove", args=[draft.pk, document.pk]))
    assert response.status_code == 404
    response = client.get(reverse("withdrawals:document_download", args=[document.pk]))
    assert response.status_code == 404
    assert draft.reference not in text(client.get(reverse("withdrawals:index")))
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.documents.count() == 3


def test_anonymous_is_sent_to_log_in(client, draft):
    response = client.get(reverse("withdrawals:detail", args=[draft.pk]))
    assert response.status_code == 302
    assert "/login/" in response.url


# --- the eligibility check -----------------------------------------------------------------


def test_check_heir_allowed(henry_client, dora):
    response = henry_client.post(
        reverse("withdrawals:check"),
        {
            "reason": "death",
            "national_id": dora.national_id,
            "name": dora.name,
            "card_number": dora.card_number,
            "relationship": "spouse",
        },
    )
    page = text(response)
    assert "Yes, you can apply" in page
    assert "Start this claim" in page
    # The claim can start straight at step 2 with that cardholder.
    assert "Dora Zhao" in text(henry_client.get(reverse("withdrawals:new_details")))


def test_check_shows_every_reason_with_legal_basis(client, mallory):
    client.force_login(mallory)
    response = client.post(reverse("withdrawals:check"), {"reason": "emigration"})
    page = text(response)
    assert "Not at the moment" in page
    codes = re.findall(r'data-code="([a-z_]+)"', page)
    assert "no_accounts" in codes
    assert "Legal basis:" in page


def test_check_heir_needs_the_details(henry_client):
    response = henry_client.post(reverse("withdrawals:check"), {"reason": "death"})
    assert response.status_code == 400
    page = text(response)
    assert page.count('class="field__error"') == 4
    assert "This field is required." in page


def test_check_heir_generic_refusal(henry_client, dora):
    response = henry_client.post(
        reverse("withdrawals:check"),
        {
            "reason": "death",
            "national_id": dora.national_id,
            "name": "Someone Else",
            "card_number": dora.card_number,
            "relationship": "child",
        },
    )
    assert response.status_code == 400
    assert "We could not find a cardholder with these details." in text(response)


def test_check_emigration_without_card(henry_client):
    response = henry_client.post(reverse("withdrawals:check"), {"reason": "emigration"})
    assert "No card is linked to your login" in text(response)


def test_check_heir_applying_for_self_is_refused(client, erik):
    client.force_login(erik)
    cardholder = erik.cardholder
    response = client.post(
        reverse("withdrawals:check"),
        {
            "reason": "death",
            "national_id": cardholder.national_id,
            "name": cardholder.name,
            "card_number": cardholder.card_number,
            "relationship": "child",
        },
    )
    assert 'data-code="applicant_is_cardholder"' in text(response)


def test_pages_render_in_chinese(henry_client, draft):
    for name in ("detail", "documents", "review"):
        response = henry_client.get(
            reverse(f"withdrawals:{name}", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        assert response.status_code == 200
        assert 'lang="zh-Hans"' in text(response)
