"""The safeguards around a claim: the contest by the person named, two different
people behind each approval, the applicant's identity, the payee, one certificate
per death, payout diversion and the per-claim upload limit."""

import csv
import io
import re
from datetime import date

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.exceptions import DomainError, InvalidInput
from accounts.models import LedgerTransaction
from tests.conftest import otp_login
from tests.factories import (
    CardholderFactory,
    UserFactory,
    death_claim,
    fund,
    pdf_bytes,
    staff_with,
    upload,
    verify_applicant,
)
from withdrawals import claims_about_me, safeguards, services
from withdrawals.exceptions import IllegalTransition, IneligibleError, SamePerson
from withdrawals.models import ApplicationEvent, CertificateReuse, Status

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def reviewed(django_capture_on_commit_callbacks, **kwargs):
    application = death_claim(**kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION
    return application


def verify_death(application, actor=None, number="DC-1", **kwargs):
    return services.cardholder_verify_death(
        application,
        actor=actor or staff_with("verify_life_event"),
        date_of_death=date(2026, 1, 2),
        certificate_number=number,
        **kwargs,
    )


@pytest.fixture
def living(db):
    user = UserFactory(first_name="Lily Chen", email="lily@example.org")
    card = CardholderFactory(user=user, name="Lily Chen")
    fund(card, "pension", "500.00")
    return card


# --- the contest ----------------------------------------------------------------------


def test_claims_about_me_api_and_contest(living, django_capture_on_commit_callbacks):
    heir = UserFactory(first_name="Sam Stranger")
    application = death_claim(cardholder=living, heir=heir, pension=None, medical=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application, actor=heir)
    me = api(living.user)
    listing = me.get(f"{V1}/me/claims-about-me/")
    assert listing.status_code == 200
    [row] = listing.json()
    assert row["reference"] == application.reference
    assert (row["reason"], row["relationship"]) == ("death", "child")
    assert row["applicant_name"].startswith("S*") and "tranger" not in row["applicant_name"]
    assert row["status"] == "awaiting_decision" and row["submitted_at"]
    assert "amount" not in row
    # Nobody else sees it or can contest it.
    assert api(heir).get(f"{V1}/me/claims-about-me/").json() == []
    stranger = api(UserFactory())
    assert stranger.post(f"{V1}/me/claims-about-me/{application.pk}/contest/").status_code == 404

    verify_death(application)
    verify_applicant(application)
    url = f"{V1}/me/claims-about-me/{application.pk}/contest/"
    held = me.post(url, {"note": "I am alive and well"}, format="json")
    assert (held.status_code, held.json()["status"]) == (200, "contested")
    again = me.post(url, {}, format="json")
    assert (again.status_code, again.json()["status"]) == (200, "contested")
    assert (
        ApplicationEvent.objects.filter(case=application, new_status="contested")
        .filter(old_status="awaiting_decision")
        .count()
        == 1
    )

    # Approval is refused while it is held, even with everything else in place.
    with pytest.raises(IllegalTransition):
        services.application_approve(application, actor=staff_with("approve_application"))
    assert not LedgerTransaction.objects.filter(kind="payout").exists()
    # The staff detail shows the contest; the applicant's does not show the note.
    reviewer = staff_with("review_application")
    staff_view = api(reviewer).get(f"{V1}/withdrawals/{application.pk}/").json()
    assert staff_view["staff"]["contest"]["contested"] is True
    assert staff_view["staff"]["contest"]["note"] == "I am alive and well"
    own = api(heir).get(f"{V1}/withdrawals/{application.pk}/").json()
    assert "staff" not in own and "I am alive and well" not in str(own)

    # Only staff resolve it, with a reason; here back to where it was.
    assert me.post(
        f"{V1}/withdrawals/{application.pk}/resolve-contest/",
        {"outcome": "resume", "reason": "x"},
        format="json",
    ).status_code in (403, 404)
    missing = api(reviewer).post(
        f"{V1}/withdrawals/{application.pk}/resolve-contest/", {"outcome": "resume"}, format="json"
    )
    assert missing.status_code == 400
    resumed = api(reviewer).post(
        f"{V1}/withdrawals/{application.pk}/resolve-contest/",
        {"outcome": "resume", "reason": "Identity of the caller not proven; the death is real."},
        format="json",
    )
    assert resumed.json()["status"] == "awaiting_decision"


@pytest.mark.parametrize("note", ["alive\x00", "I am \u202ealive"])
def test_a_contest_note_with_control_characters_is_refused_and_holds_nothing(
    living, django_capture_on_commit_callbacks, note
):
    heir = UserFactory(first_name="Sam Stranger")
    application = death_claim(cardholder=living, heir=heir, pension=None, medical=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application, actor=heir)
    url = f"{V1}/me/claims-about-me/{application.pk}/contest/"
    refused = api(living.user).post(url, {"note": note}, format="json")
    assert (refused.status_code, list(refused.json()["fields"])) == (400, ["note"])
    # The service refuses them too, whichever door the note came through (the page).
    with pytest.raises(InvalidInput) as refusal:
        claims_about_me.claim_contest(application, actor=living.user, note=note)
    assert (refusal.value.code, refusal.value.field) == ("format_characters", "note")
    application.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION


def test_a_contest_can_end_in_rejection(living, django_capture_on_commit_callbacks):
    application = death_claim(cardholder=living, pension=None, medical=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application, actor=application.applicant)
    claims_about_me.claim_contest(application, actor=living.user)
    claims_about_me.claim_contest_resolve(
        application,
        actor=staff_with("review_application"),
        outcome="reject",
        reason="The cardholder came to the office in person.",
    )
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert application.rejection_reason == "The cardholder came to the office in person."
    with pytest.raises(DomainError) as late:
        claims_about_me.claim_contest(application, actor=living.user)
    assert late.value.status == 409


def test_emigration_claims_stay_the_cardholders_own(living):
    with pytest.raises(IneligibleError) as refused:
        services.application_create_draft(
            applicant=UserFactory(),
            cardholder=living,
            reason="emigration",
            relationship="child",
            bank_name="B",
            bank_account_holder="Heir Example",
            bank_account_number="62220202001122",
        )
    assert "applicant_not_cardholder" in refused.value.codes


# --- two different people --------------------------------------------------------------


def test_a_death_on_record_from_a_withdrawn_claim_is_not_enough(django_capture_on_commit_callbacks):
    first = reviewed(django_capture_on_commit_callbacks, pension="300.00", medical=None)
    verify_death(first)
    services.application_withdraw(first, actor=first.applicant)
    second = death_claim(cardholder=first.cardholder, pension=None, medical=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(second, actor=second.applicant)
    second.refresh_from_db()
    lone = staff_with("approve_application", "review_application")
    services.application_verify_applicant(second, actor=staff_with("review_application"))
    with pytest.raises(IneligibleError) as refused:
        services.application_approve(second, actor=lone)
    assert safeguards.VERIFICATION_NOT_FOR_THIS_CLAIM in refused.value.codes
    assert safeguards.TWO_PERSON_RULE in refused.value.codes
    assert not LedgerTransaction.objects.filter(kind="payout").exists()
    # The refusal is on the staff timeline.
    assert any(
        "two_person_rule" in event.note
        for event in ApplicationEvent.objects.filter(case=second, staff_only=True)
    )
    # Re-verified for this claim by someone else, the same approver may approve.
    verify_death(second, number="DC-1")
    services.application_approve(second, actor=lone)
    second.refresh_from_db()
    assert second.status == Status.APPROVED


def test_staff_who_file_a_claim_cannot_act_on_it(django_capture_on_commit_callbacks):
    insider = staff_with(
        "review_application", "verify_life_event", "approve_application", "manage_payouts"
    )
    insider.first_name = "Heir Example"
    insider.save()
    application = reviewed(django_capture_on_commit_callbacks, heir=insider)
    for call in (
        lambda: verify_death(application, actor=insider),
        lambda: services.application_verify_applicant(application, actor=insider),
        lambda: services.application_request_documents(application, actor=insider, message="x"),
        lambda: services.application_reject(application, actor=insider, reason="x"),
        lambda: services.application_approve(application, actor=insider),
    ):
        with pytest.raises(DomainError) as refused:
            call()
        assert (refused.value.code, refused.value.status) == ("own_claim", 403)
    # Verified and checked by others, the insider still cannot approve their own claim.
    verify_death(application)
    verify_applicant(application)
    with pytest.raises(DomainError) as refused:
        services.application_approve(application, actor=insider)
    assert refused.value.code == "own_claim"
    assert not LedgerTransaction.objects.filter(kind="payout").exists()


def test_who_last_asked_for_documents_cannot_approve(django_capture_on_commit_callbacks):
    application = reviewed(django_capture_on_commit_callbacks)
    both = staff_with("review_application", "approve_application")
    services.application_request_documents(application, actor=both, message="Clearer scan")
    services.document_add(
        application=application,
        kind="other",
        uploaded_file=upload(),
        uploader=application.applicant,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application, actor=application.applicant)
    verify_death(application)
    verify_applicant(application)
    with pytest.raises(SamePerson):
        services.application_approve(application, actor=both)


def test_decision_rules_table():
    base = {"approver": 4, "applicant": 1, "verifier": 2, "applicant_verified_by": 3}
    base["on_record"] = True
    cases = [
        ({}, set()),
        ({"approver": 2}, {"two_person_rule"}),
        ({"approver": 1}, {"two_person_rule"}),
        ({"documents_requested_by": 4}, {"two_person_rule"}),
        ({"cardholder_user": 4}, {"two_person_rule"}),
        ({"verifier": None}, {"verification_not_for_this_claim", "two_person_rule"}),
        ({"verifier": None, "on_record": False}, set()),  # eligibility says death_not_verified
        ({"applicant_verified_by": None}, {"applicant_identity_not_verified"}),
        ({"contested": True}, {"claim_contested"}),
    ]
    for change, codes in cases:
        reasons = safeguards.approval_reasons(safeguards.DecisionFacts(**{**base, **change}))
        assert {r.code for r in reasons} == codes, change
        assert all(r.legal_basis and r.message("zh") for r in reasons)


# --- the applicant's identity --------------------------------------------------------------


def test_approval_needs_the_applicant_identity_checked(django_capture_on_commit_callbacks):
    application = reviewed(django_capture_on_commit_callbacks)
    verify_death(application)
    approver = staff_with("approve_application")
    with pytest.raises(IneligibleError) as refused:
        services.application_approve(application, actor=approver)
    assert refused.value.codes == (safeguards.APPLICANT_IDENTITY_NOT_VERIFIED,)
    reviewer = staff_with("review_application")
    assert (
        api(approver).post(f"{V1}/withdrawals/{application.pk}/verify-applicant/").status_code
        == 403
    )
    checked = api(reviewer).post(f"{V1}/withdrawals/{application.pk}/verify-applicant/")
    assert checked.status_code == 200
    assert checked.json()["staff"]["applicant_identity_verified"] is True
    assert api(application.applicant).post(
        f"{V1}/withdrawals/{application.pk}/verify-applicant/"
    ).status_code in (403, 404)
    services.application_approve(application, actor=approver)


# --- the payee ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "holder, code",
    [
        ("Mallory Qian", "payee_not_applicant"),
        ("Heir\u202eelpmaxE", "format_characters"),
        ("Heir\u200bExample", "format_characters"),
        ("Heir\x07Example", "format_characters"),
    ],
)
def test_payee_must_be_the_applicant(holder, code):
    heir = UserFactory(first_name="Heir Example")
    card = CardholderFactory()
    fund(card, "pension", "10.00")
    response = api(heir).post(
        f"{V1}/withdrawals/",
        {
            "reason": "death",
            "relationship": "child",
            "cardholder": {
                "national_id": card.national_id,
                "name": card.name,
                "card_number": card.card_number,
            },
            "bank_name": "Bank",
            "bank_account_holder": holder,
            "bank_account_number": "62220202001122",
        },
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert "bank_account_holder" in response.json()["fields"]


def test_the_same_name_in_another_form_is_the_payee():
    assert safeguards.payee_matches("  heir   EXAMPLE ", "Heir Example")
    assert safeguards.payee_matches("Ｈｅｉｒ Example", "Heir Example")
    assert not safeguards.payee_matches("Heir Example", "")


def test_bank_details_changed_by_the_applicant_must_be_theirs():
    application = death_claim(pension="10.00", medical=None)
    with pytest.raises(InvalidInput) as refused:
        services.application_update_bank(
            application,
            actor=application.applicant,
            bank_name="B",
            bank_account_holder="Someone Else",
            bank_account_number="62220202001122",
        )
    assert (refused.value.code, refused.value.field) == (
        "payee_not_applicant",
        "bank_account_holder",
    )


# --- one death, one certificate ----------------------------------------------------------


def test_a_death_certificate_recorded_for_another_person_is_refused(
    django_capture_on_commit_callbacks,
):
    first = reviewed(django_capture_on_commit_callbacks, pension="10.00", medical=None)
    verify_death(first, number="DC-SAME")
    second = reviewed(django_capture_on_commit_callbacks, pension="10.00", medical=None)
    rita, bea = staff_with("verify_life_event"), staff_with("verify_life_event")
    response = api(rita).post(
        f"{V1}/withdrawals/{second.pk}/verify-death/",
        {"date_of_death": "2026-01-02", "certificate_number": "dc-same"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "death_certificate_reused"
    second.cardholder.refresh_from_db()
    assert second.cardholder.life_status == "living"
    assert CertificateReuse.objects.filter(application=second, flagged_by=rita).count() == 1
    # The same person cannot accept their own refusal.
    with pytest.raises(DomainError) as again:
        verify_death(second, actor=rita, number="dc-same", reuse_override_reason="sure")
    assert again.value.code == "death_certificate_reused"
    # A second staff member accepts it with a written reason.
    verify_death(second, actor=bea, number="dc-same", reuse_override_reason="Twins, one form")
    second.cardholder.refresh_from_db()
    assert second.cardholder.life_status == "deceased"
    reuse = CertificateReuse.objects.get(application=second, overridden_by=bea)
    assert reuse.override_reason == "Twins, one form"
    # Shown on both records (staff API), never to the applicants.
    reviewer = staff_with("review_application")
    for application in (first, second):
        staff = api(reviewer).get(f"{V1}/withdrawals/{application.pk}/").json()["staff"]
        assert staff["certificate_reuses"], application.reference
        own = api(application.applicant).get(f"{V1}/withdrawals/{application.pk}/").json()
        assert "staff" not in own
        assert not any("recorded for another" in e["note"] for e in own["timeline"])


def test_an_exit_certificate_recorded_for_another_person_is_refused():
    one = CardholderFactory()
    one.emigration_certificate_number = "EX-1"
    one.save()
    user = UserFactory(first_name="Erik Sun")
    card = CardholderFactory(user=user, name="Erik Sun")
    fund(card, "medical", "50.00")
    application = services.application_create_draft(
        applicant=user,
        cardholder=card,
        reason="emigration",
        relationship="self",
        schemes=["medical"],
        bank_name="B",
        bank_account_holder="Erik Sun",
        bank_account_number="62220202001122",
    )
    from withdrawals.models import WithdrawalApplication

    WithdrawalApplication.objects.filter(pk=application.pk).update(status=Status.IN_REVIEW)
    application.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.cardholder_verify_emigration(
            application,
            actor=staff_with("verify_life_event"),
            date=date(2026, 1, 1),
            country="NZ",
            certificate_number="EX-1",
            nationality_given_up=False,
        )
    assert (refused.value.code, refused.value.status) == ("exit_certificate_reused", 409)


# --- payout diversion ------------------------------------------------------------------------


def test_one_staff_member_cannot_divert_a_failed_payout(django_capture_on_commit_callbacks):
    application = reviewed(django_capture_on_commit_callbacks, pension="400.00", medical=None)
    verify_death(application)
    verify_applicant(application)
    services.application_approve(application, actor=staff_with("approve_application"))
    mallory = staff_with("manage_payouts", "approve_application")
    services.payout_mark_sent([application], actor=mallory)
    services.payout_mark_failed(application, actor=mallory, note="closed")
    # His own account: not the applicant's name.
    with pytest.raises(InvalidInput) as refused:
        services.payout_requeue(
            application,
            actor=mallory,
            bank_name="Mallory Bank",
            bank_account_holder="Mallory Qian",
            bank_account_number="6222999900001111",
        )
    assert refused.value.code == "payee_not_applicant"
    # In the applicant's name but his account number: only a proposal.
    details = {
        "bank_name": "Mallory Bank",
        "bank_account_holder": "Heir Example",
        "bank_account_number": "6222999900001111",
    }
    services.payout_requeue(application, actor=mallory, **details)
    application.refresh_from_db()
    assert application.status == Status.PAYOUT_FAILED
    assert application.bank_account_number == "6222 0202 0011 2233 445"
    with pytest.raises(SamePerson):
        services.payout_requeue(application, actor=mallory, **details)
    application.refresh_from_db()
    assert application.status == Status.PAYOUT_FAILED
    # A second staff member confirms; the timeline says who proposed and who confirmed.
    olga = staff_with("manage_payouts")
    services.payout_requeue(application, actor=olga, **details)
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    last = application.events.order_by("-id").first()
    assert mallory.username in last.note and olga.username in last.note


def test_the_applicant_gives_new_bank_details_after_a_failure(django_capture_on_commit_callbacks):
    application = reviewed(django_capture_on_commit_callbacks, pension="400.00", medical=None)
    verify_death(application)
    verify_applicant(application)
    services.application_approve(application, actor=staff_with("approve_application"))
    services.payout_mark_sent([application])
    services.payout_mark_failed(application, note="closed")
    services.payout_update_bank_by_applicant(
        application,
        actor=application.applicant,
        bank_name="New Bank",
        bank_account_holder="Heir Example",
        bank_account_number="6222111122223333",
    )
    application.refresh_from_db()
    assert (application.status, application.bank_name) == (Status.APPROVED, "New Bank")
    assert application.events.order_by("-id").first().actor == application.applicant


# --- uploads per claim --------------------------------------------------------------------------


def test_uploads_per_claim_are_bounded(settings):
    settings.SSCARD_CLAIM_MAX_DOCUMENTS = 4
    application = death_claim(pension="10.00", medical=None)  # three documents already
    services.document_add(
        application=application,
        kind="other",
        uploaded_file=upload(),
        uploader=application.applicant,
    )
    with pytest.raises(DomainError) as refused:
        services.document_add(
            application=application,
            kind="other",
            uploaded_file=upload(),
            uploader=application.applicant,
        )
    assert (refused.value.code, refused.value.status) == ("too_many_documents", 400)
    settings.SSCARD_CLAIM_MAX_DOCUMENTS = 50
    settings.SSCARD_CLAIM_MAX_DOCUMENT_BYTES = application.documents.first().size * 4 + 10
    with pytest.raises(DomainError) as too_big:
        services.document_add(
            application=application,
            kind="other",
            uploaded_file=upload(pdf_bytes(pages=3)),
            uploader=application.applicant,
        )
    assert too_big.value.code == "documents_too_large"
    assert application.documents.count() == 4


# --- people, not digests -----------------------------------------------------------------------


def test_staff_pages_and_the_audit_csv_show_people_not_digests(
    client, django_capture_on_commit_callbacks
):
    cache.clear()
    from accounts.validators import generate_national_id

    number = generate_national_id("110105", date(1990, 1, 1), 18, "M")
    heir = UserFactory(username=number, first_name="Heir Example")
    assert heir.national_id and len(heir.username) == 64
    application = reviewed(django_capture_on_commit_callbacks, heir=heir)
    auditor = staff_with("view_withdrawalapplication", "view_applicationevent")
    client = otp_login(client, auditor)
    digest = re.compile(r"\b[0-9a-f]{64}\b")
    from django.urls import reverse

    from withdrawals.admin_views import audit_csv_response, person_for_staff

    assert person_for_staff(heir) == f"{heir.masked_login} Heir Example"
    assert person_for_staff(auditor) == auditor.username
    rows = list(
        csv.reader(io.StringIO(audit_csv_response(application.events.all()).content.decode()))
    )
    assert any(heir.masked_login in row[2] for row in rows[1:])
    for url in (
        reverse("admin:index"),
        reverse("admin:withdrawals_applicationevent_changelist"),
        reverse("admin:withdrawals_withdrawalapplication_change", args=[application.pk]),
    ):
        page = client.get(url).content.decode()
        assert not digest.search(page), url
    assert not any(digest.search(",".join(row)) for row in rows)
