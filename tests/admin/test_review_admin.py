"""The staff side in the admin: the queue, the application page, each action and each
role's limits, document preview, payout batches and the audit export."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, LedgerTransaction
from tests.conftest import otp_login
from tests.factories import StaffFactory, UserFactory, staff_with
from withdrawals import services
from withdrawals.models import ApplicationEvent, WithdrawalApplication

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:withdrawals_withdrawalapplication_changelist"


def change_url(application):
    return reverse("admin:withdrawals_withdrawalapplication_change", args=[application.pk])


def action_url(application, name):
    return reverse("admin:withdrawals_application_action", args=[application.pk, name])


def as_user(client, user):
    # Staff have passed the admin's second factor (TOTP).
    return otp_login(client, user)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


APPROVE = {"approve-confirm": "on"}  # the box ticked on the confirmation page


def check_applicant(client, application, user):
    """The reviewer checks the applicant's identity document (needed to approve)."""
    return as_user(client, user).post(action_url(application, "verify_applicant"))


def verify(client, application, user, when="2026-01-05"):
    return as_user(client, user).post(
        action_url(application, "verify_death"),
        {"verify_death-date_of_death": when, "verify_death-certificate_number": "DC-77"},
        REMOTE_ADDR="10.1.2.3",
        follow=True,
    )


def state(application):
    application.refresh_from_db()
    return application.status


# --- the queue --------------------------------------------------------------------------


def test_queue_lists_the_claim_with_masked_id_amount_and_counts(client, rita, awaiting):
    cardholder = awaiting.cardholder
    response = as_user(client, rita).get(reverse(CHANGELIST))
    assert response.status_code == 200
    page = response.content.decode()
    assert awaiting.reference in page
    assert cardholder.masked_national_id in page
    assert cardholder.name in page  # whom the claim is about: the deceased
    assert cardholder.national_id not in page
    assert "¥1,200.00" in page
    assert "3 passed" in page
    counts = {row["status"]: row["count"] for row in response.context["status_counts"]}
    assert counts["awaiting_decision"] == 1
    assert counts["approved"] == 0


def test_queue_search_matches_full_id_numbers_only(client, rita, awaiting):
    client = as_user(client, rita)
    national_id = awaiting.cardholder.national_id
    found = client.get(reverse(CHANGELIST), {"q": national_id})
    assert awaiting.reference in found.content.decode()
    partial = client.get(reverse(CHANGELIST), {"q": national_id[:10]})
    assert list(partial.context["cl"].result_list) == []
    by_card = client.get(reverse(CHANGELIST), {"q": awaiting.cardholder.card_number})
    assert list(by_card.context["cl"].result_list) == [awaiting]
    by_reference = client.get(reverse(CHANGELIST), {"q": awaiting.reference})
    assert list(by_reference.context["cl"].result_list) == [awaiting]


def test_overdue_filter_and_mark_follow_the_service_time(client, rita, awaiting, settings):
    settings.SSCARD_REVIEW_SLA_HOURS = 72
    client = as_user(client, rita)
    assert list(client.get(reverse(CHANGELIST), {"overdue": "yes"}).context["cl"].result_list) == []
    WithdrawalApplication.objects.filter(pk=awaiting.pk).update(
        submitted_at=timezone.now() - timedelta(hours=73)
    )
    response = client.get(reverse(CHANGELIST), {"overdue": "yes"})
    assert list(response.context["cl"].result_list) == [awaiting]
    assert "sscard-overdue" in response.content.decode()
    assert response.context["overdue_count"] == 1


def test_queue_is_oldest_first(client, rita, awaiting, django_capture_on_commit_callbacks):
    from tests.factories import death_claim

    newer = death_claim()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(newer, actor=newer.applicant)
    WithdrawalApplication.objects.filter(pk=newer.pk).update(
        submitted_at=awaiting.submitted_at - timedelta(days=2)
    )
    rows = list(as_user(client, rita).get(reverse(CHANGELIST)).context["cl"].result_list)
    assert [a.pk for a in rows[:2]] == [newer.pk, awaiting.pk]


# --- the application page ------------------------------------------------------------------


def test_page_shows_live_decision_documents_timeline_and_the_reviewers_buttons(
    client, rita, awaiting
):
    response = as_user(client, rita).get(change_url(awaiting))
    assert response.status_code == 200
    page = response.content.decode()
    # Death not verified yet: the live decision says so, with its legal basis.
    decision = response.context["decision"]
    assert not decision.allowed
    assert decision.reasons
    for reason in decision.reasons:
        assert reason.message_en in page or reason.message_en.replace("'", "&#x27;") in page
        assert reason.code in page
    assert "Social Insurance Law" in page or decision.reasons[0].legal_basis in page
    for document in awaiting.documents.all():
        assert reverse("admin:withdrawals_document_preview", args=[document.pk]) in page
    assert "<iframe" in page
    assert "Passed the automated check" in page
    assert 'id="timeline"' in page and "Awaiting decision" in page
    names = {item["action"].name for item in response.context["staff_actions"]}
    assert names == {"verify_death", "verify_applicant", "request_documents", "reject"}
    # Read-only: no editable input for status or amount inside the change form.
    assert 'name="status"' not in page
    assert 'name="amount"' not in page


def test_approver_sees_approve_and_auditor_sees_no_buttons(client, alan, audrey, awaiting):
    names = {
        i["action"].name
        for i in as_user(client, alan).get(change_url(awaiting)).context["staff_actions"]
    }
    assert names == {"approve"}
    response = as_user(client, audrey).get(change_url(awaiting))
    assert response.status_code == 200
    assert response.context["staff_actions"] == []


def test_no_add_or_delete_for_anybody(client, awaiting, roles):
    admin_user = StaffFactory(is_superuser=True)
    client = as_user(client, admin_user)
    assert client.get(reverse("admin:withdrawals_withdrawalapplication_add")).status_code == 403
    delete = reverse("admin:withdrawals_withdrawalapplication_delete", args=[awaiting.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    event = awaiting.events.first()
    assert (
        client.post(
            reverse("admin:withdrawals_applicationevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert client.post(change_url(awaiting), {"status": "approved"}).status_code == 403
    assert WithdrawalApplication.objects.get(pk=awaiting.pk).status == "awaiting_decision"


# --- actions -------------------------------------------------------------------------------


def test_reviewer_verifies_death_recorded_with_who_and_where(client, rita, awaiting):
    response = verify(client, awaiting, rita)
    assert response.status_code == 200
    assert any("Death verified" in m for m in messages_of(response))
    cardholder = awaiting.cardholder
    cardholder.refresh_from_db()
    assert cardholder.life_status == "deceased"
    assert cardholder.date_of_death == date(2026, 1, 5)
    assert cardholder.death_certificate_number == "DC-77"
    event = awaiting.events.order_by("-id").first()
    assert event.actor == rita
    assert event.ip_address == "10.1.2.3"
    assert "DC-77" in event.note
    # The page now shows it on the timeline, and the live decision allows approval.
    page = client.get(change_url(awaiting))
    assert "10.1.2.3" in page.content.decode()
    assert page.context["decision"].allowed


def test_reviewer_cannot_approve(client, rita, awaiting):
    verify(client, awaiting, rita)
    response = client.post(action_url(awaiting, "approve"))
    assert response.status_code == 403
    assert state(awaiting) == "awaiting_decision"
    assert not LedgerTransaction.objects.filter(kind="payout").exists()


def test_approver_approves_after_anothers_verification(client, rita, alan, awaiting):
    verify(client, awaiting, rita)
    check_applicant(client, awaiting, rita)
    response = as_user(client, alan).post(
        action_url(awaiting, "approve"), APPROVE, REMOTE_ADDR="10.9.9.9", follow=True
    )
    assert any("Approved" in m for m in messages_of(response))
    awaiting.refresh_from_db()
    assert awaiting.status == "approved"
    assert awaiting.amount == Decimal("1200.00")
    assert awaiting.approved_by == alan
    for account in awaiting.cardholder.accounts.filter(kind=Account.Kind.PERSONAL):
        assert account.balance == Decimal("0.00")
        assert account.status == "closed"
    event = awaiting.events.get(new_status="approved", old_status="awaiting_decision")
    assert (event.actor, event.ip_address) == (alan, "10.9.9.9")


def test_a_decided_claim_shows_the_decision_as_made_not_as_it_would_be_now(
    client, rita, alan, awaiting
):
    verify(client, awaiting, rita)
    check_applicant(client, awaiting, rita)
    as_user(client, alan).post(action_url(awaiting, "approve"), APPROVE, follow=True)
    # The balances are paid out: worked out again, the claim would be refused now.
    page = as_user(client, alan).get(change_url(awaiting)).content.decode()

    recorded = page.split('data-testid="recorded-decision"')[1].split("</div>")[0]
    assert "Eligibility as decided" in recorded and "allowed" in recorded
    assert "not allowed" not in recorded
    assert "Eligibility now" not in page


def test_approver_cannot_approve_what_they_verified(client, roles, awaiting):
    both = StaffFactory(username="bea")
    both.groups.add(roles["reviewer"], roles["approver"])
    verify(client, awaiting, both)
    response = client.post(action_url(awaiting, "approve"), APPROVE, follow=True)
    assert any("Two different people" in m for m in messages_of(response))
    awaiting.refresh_from_db()
    assert awaiting.status == "awaiting_decision"
    assert awaiting.amount is None
    assert not LedgerTransaction.objects.filter(kind="payout").exists()


def test_refused_approval_shows_every_reason_and_changes_nothing(client, alan, awaiting):
    balances = list(awaiting.cardholder.accounts.order_by("id").values_list("balance", "status"))
    response = as_user(client, alan).post(action_url(awaiting, "approve"), APPROVE, follow=True)
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and "not allowed" in errors[0]
    assert state(awaiting) == "awaiting_decision"
    assert not LedgerTransaction.objects.filter(kind="payout").exists()
    assert (
        list(awaiting.cardholder.accounts.order_by("id").values_list("balance", "status"))
        == balances
    )


def test_request_documents_and_reject(client, rita, awaiting, django_capture_on_commit_callbacks):
    client = as_user(client, rita)
    response = client.post(
        action_url(awaiting, "request_documents"),
        {"request_documents-message": "The certificate scan is cut off."},
        follow=True,
    )
    assert any("asked for documents" in m for m in messages_of(response))
    awaiting.refresh_from_db()
    assert awaiting.status == "needs_documents"
    assert awaiting.request_message == "The certificate scan is cut off."
    # Asking again is refused by the state machine: nothing changes, the reason is shown.
    response = client.post(
        action_url(awaiting, "request_documents"),
        {"request_documents-message": "Again."},
        follow=True,
    )
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and "cannot become" in errors[0]
    assert state(awaiting) == "needs_documents"
    # A claim waiting for documents can still be rejected outright.
    response = client.post(
        action_url(awaiting, "reject"), {"reject-reason": "No heirship."}, follow=True
    )
    assert any("rejected" in m for m in messages_of(response))
    assert state(awaiting) == "rejected"


def test_reject_with_reason(client, rita, awaiting):
    response = as_user(client, rita).post(
        action_url(awaiting, "reject"), {"reject-reason": "Not a legal heir."}, follow=True
    )
    assert any("rejected" in m for m in messages_of(response))
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.rejection_reason) == ("rejected", "Not a legal heir.")
    assert awaiting.events.order_by("-id").first().actor == rita


def test_an_empty_reason_shows_the_form_again(client, rita, awaiting):
    response = as_user(client, rita).post(action_url(awaiting, "reject"), {"reject-reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert state(awaiting) == "awaiting_decision"


def test_auditor_changes_nothing(client, audrey, awaiting):
    client = as_user(client, audrey)
    events = ApplicationEvent.objects.count()
    posts = {
        "verify_death": {
            "verify_death-date_of_death": "2026-01-05",
            "verify_death-certificate_number": "X",
        },
        "verify_emigration": {},
        "request_documents": {"request_documents-message": "x"},
        "approve": {},
        "reject": {"reject-reason": "x"},
        "mark_payout_failed": {},
        "requeue_payout": {},
    }
    for name, data in posts.items():
        assert client.post(action_url(awaiting, name), data).status_code == 403, name
    assert client.post(change_url(awaiting), {"status": "approved"}).status_code == 403
    assert client.post(reverse("admin:withdrawals_payouts"), {"export": "1"}).status_code == 403
    assert ApplicationEvent.objects.count() == events
    assert state(awaiting) == "awaiting_decision"
    # …but sees everything.
    assert client.get(change_url(awaiting)).status_code == 200
    assert client.get(reverse(CHANGELIST)).status_code == 200
    assert client.get(reverse("admin:withdrawals_applicationevent_changelist")).status_code == 200


# --- document preview ------------------------------------------------------------------------


def preview_url(application):
    document = application.documents.get(kind="death_certificate")
    return document, reverse("admin:withdrawals_document_preview", args=[document.pk])


def test_preview_streams_the_file_inline_to_review_staff(client, rita, audrey, awaiting):
    from withdrawals import storage

    document, url = preview_url(awaiting)
    for user in (rita, audrey):
        response = as_user(client, user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].startswith("default-src 'none'")
        body = b"".join(response.streaming_content)
        assert body == storage.path_of(document.stored_name).read_bytes()
        assert body.startswith(b"%PDF")


def test_preview_refused_to_non_staff_cardholders_and_staff_without_rights(client, awaiting, roles):
    _document, url = preview_url(awaiting)
    assert client.get(url).status_code == 404  # anonymous
    cardholder_user = UserFactory()
    awaiting.cardholder.user = cardholder_user
    awaiting.cardholder.save(update_fields=["user"])
    assert as_user(client, cardholder_user).get(url).status_code == 404
    # Even the applicant gets nothing from the staff address.
    assert as_user(client, awaiting.applicant).get(url).status_code == 404
    assert as_user(client, StaffFactory()).get(url).status_code == 403
    assert as_user(client, staff_with("manage_payouts")).get(url).status_code == 403


# --- payouts --------------------------------------------------------------------------------


def send_batch(client):
    """Download the batch file, then mark what it lists as sent."""
    client.post(reverse("admin:withdrawals_payouts"), {"export": "1"})
    ids = reverse("admin:withdrawals_payouts")
    page = client.get(ids)
    return client.post(
        ids, {"mark_sent": "1", "application": page.context["waiting_ids"]}, follow=True
    )


def approved(client, rita, alan, application):
    verify(client, application, rita)
    check_applicant(client, application, rita)
    as_user(client, alan).post(action_url(application, "approve"), APPROVE)
    assert state(application) == "approved"
    return application


def test_payout_export_contains_the_approved_claim_once(client, rita, alan, awaiting):
    approved(client, rita, alan, awaiting)
    client = as_user(client, alan)
    page = client.get(reverse("admin:withdrawals_payouts"))
    assert awaiting.reference in page.content.decode()
    response = client.post(reverse("admin:withdrawals_payouts"), {"export": "1"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["reference", "payee", "bank", "account_number", "amount"]
    assert rows[1] == [
        awaiting.reference,
        "Heir Example",
        "Bank of Example",
        "6222 0202 0011 2233 445",
        "1200.00",
    ]
    # Downloading marks nothing: the same file comes again, until it is marked sent.
    again = client.post(reverse("admin:withdrawals_payouts"), {"export": "1"})
    assert again.content == response.content
    send_batch(client)
    awaiting.refresh_from_db()
    assert awaiting.payout_sent_at is not None
    again = client.post(reverse("admin:withdrawals_payouts"), {"export": "1"}, follow=True)
    assert any("No approved payout" in m for m in messages_of(again))


def test_bank_results_upload_marks_paid(client, rita, alan, awaiting):
    approved(client, rita, alan, awaiting)
    client = as_user(client, alan)
    send_batch(client)
    results = SimpleUploadedFile(
        "results.csv", f"reference,result,note\n{awaiting.reference},paid,ok\n".encode()
    )
    response = client.post(
        reverse("admin:withdrawals_payouts"), {"import": "1", "results": results}, follow=True
    )
    assert any("1 paid" in m for m in messages_of(response))
    awaiting.refresh_from_db()
    assert awaiting.status == "paid"
    assert awaiting.events.get(new_status="paid", old_status="approved").actor == alan
    assert Account.objects.get(system_code="paid_out").balance == Decimal("1200.00")


def test_payout_failed_then_requeued_with_corrected_details(client, rita, alan, awaiting):
    approved(client, rita, alan, awaiting)
    client = as_user(client, alan)
    # Not sent yet: the service refuses, nothing changes.
    response = client.post(
        action_url(awaiting, "mark_payout_failed"), {"mark_payout_failed-note": "x"}, follow=True
    )
    assert any("never sent" in m for m in messages_of(response))
    assert state(awaiting) == "approved"
    send_batch(client)
    client.post(
        action_url(awaiting, "mark_payout_failed"),
        {"mark_payout_failed-note": "Account closed at the bank"},
    )
    assert state(awaiting) == "payout_failed"
    details = {
        "requeue_payout-bank_name": "Other Bank",
        "requeue_payout-bank_account_holder": "Heir Example",
        "requeue_payout-bank_account_number": "6222000011112222",
    }
    # One staff member proposes the new details; a second one confirms them.
    proposed = as_user(client, staff_with("manage_payouts")).post(
        action_url(awaiting, "requeue_payout"), details, follow=True
    )
    assert any("second staff member" in m for m in messages_of(proposed))
    assert state(awaiting) == "payout_failed"
    client = as_user(client, alan)
    response = client.post(
        action_url(awaiting, "requeue_payout"),
        {
            "requeue_payout-bank_name": "Other Bank",
            "requeue_payout-bank_account_holder": "Heir Example",
            "requeue_payout-bank_account_number": "6222000011112222",
        },
        REMOTE_ADDR="10.7.7.7",
        follow=True,
    )
    assert any("next batch" in m for m in messages_of(response))
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.bank_name, awaiting.payout_sent_at) == (
        "approved",
        "Other Bank",
        None,
    )
    assert awaiting.events.order_by("-id").first().ip_address == "10.7.7.7"


def test_reviewer_has_no_payout_page(client, rita):
    assert as_user(client, rita).get(reverse("admin:withdrawals_payouts")).status_code == 403


# --- audit ------------------------------------------------------------------------------------


def test_audit_export_contains_the_staff_actions(client, rita, audrey, awaiting):
    verify(client, awaiting, rita)
    client = as_user(client, audrey)
    listing = client.get(
        reverse("admin:withdrawals_applicationevent_changelist"), {"actor__id__exact": rita.pk}
    )
    assert listing.status_code == 200
    assert [e.actor for e in listing.context["cl"].result_list] == [rita]
    response = client.get(reverse("admin:withdrawals_audit_export"), {"actor__id__exact": rita.pk})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["time", "application", "actor", "from", "to", "note", "ip_address"]
    assert len(rows) == 2
    assert rows[1][1:3] == [awaiting.reference, "rita"]
    assert "DC-77" in rows[1][5] and rows[1][6] == "10.1.2.3"
    # The admin action exports the selected rows, everything here.
    ids = list(awaiting.events.values_list("pk", flat=True))
    response = client.post(
        reverse("admin:withdrawals_applicationevent_changelist"),
        {"action": "export_csv", "_selected_action": ids},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + len(ids)
    assert {r[4] for r in rows[1:]} >= {"submitted", "in_review", "awaiting_decision"}


# --- dashboard -------------------------------------------------------------------------------


def test_dashboard_shows_counts_overdue_payouts_and_today(client, rita, alan, awaiting):
    approved(client, rita, alan, awaiting)
    response = as_user(client, alan).get(reverse("admin:index"))
    page = response.content.decode()
    assert 'id="staff-dashboard"' in page
    assert 'id="dashboard-payouts"' in page
    assert "<strong>1</strong> approved, not yet sent" in page
    assert "¥1,200.00" in page
    assert awaiting.reference in page  # today's activity
    assert reverse("admin:withdrawals_payouts") in page


def test_approve_shows_a_confirmation_before_anything_moves(client, rita, alan, awaiting):
    verify(client, awaiting, rita)
    check_applicant(client, awaiting, rita)
    client = as_user(client, alan)
    # The application page links to the confirmation; it holds no approve form itself.
    page = client.get(change_url(awaiting)).content.decode()
    assert action_url(awaiting, "approve") in page
    assert 'name="do-approve"' not in page
    confirm = client.get(action_url(awaiting, "approve")).content.decode()
    assert 'id="approval-confirmation"' in confirm
    assert "¥1,200.00" in confirm and "Heir Example" in confirm and "6222 0202" in confirm
    # Posting without ticking the box moves nothing.
    response = client.post(action_url(awaiting, "approve"))
    assert response.status_code == 200 and state(awaiting) == "awaiting_decision"
    assert not LedgerTransaction.objects.filter(kind="payout").exists()
    client.post(action_url(awaiting, "approve"), APPROVE)
    assert state(awaiting) == "approved"


def test_reviewer_records_the_applicant_identity_check(client, rita, awaiting):
    response = check_applicant(client, awaiting, rita)
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.applicant_verified_by == rita
    page = client.get(change_url(awaiting)).content.decode()
    assert 'id="applicant-identity"' in page and "Heir Example" in page
