"""The services' refusals: identification, drafts, transitions, staff rules."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from accounts import ledger as accounts_ledger
from accounts.audit import run_audit
from accounts.exceptions import AccountClosed, DomainError, NotFound
from accounts.ledger import Leg
from accounts.models import Account, LedgerTransaction, fund_code
from tests.factories import (
    CardholderFactory,
    UserFactory,
    death_claim,
    fund,
    staff_with,
    verify_applicant,
)
from withdrawals import selectors, services
from withdrawals.exceptions import (
    AlreadyDecided,
    AlreadyVerified,
    IdentificationFailed,
    IllegalTransition,
    IneligibleError,
    SamePerson,
    TooManyAttempts,
)
from withdrawals.models import TRANSITIONS, ApplicationEvent, Status

pytestmark = pytest.mark.django_db

BANK = {
    "bank_name": "Bank of Example",
    "bank_account_holder": "Heir Example",
    "bank_account_number": "6222020200112233",
}


def reviewed(django_capture_on_commit_callbacks, **kwargs):
    """An heir's claim submitted and through the automated review."""
    application = death_claim(**kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION
    verify_applicant(application)
    return application


# --- identification ----------------------------------------------------------


def test_identify_needs_all_three_and_says_the_same_whatever_is_wrong():
    alice = CardholderFactory(name="Li Na")
    heir = UserFactory()
    found = services.cardholder_identify(
        national_id=alice.national_id.lower(),
        name=" Li Na ",
        card_number=alice.card_number,
        requester=heir,
    )
    assert found == alice
    messages = set()
    for national_id, name, card in [
        ("110105198001010000", "Li Na", alice.card_number),  # no such (or invalid) ID
        (alice.national_id, "Li Ni", alice.card_number),  # wrong name
        (alice.national_id, "Li Na", "T99999999"),  # wrong card
    ]:
        with pytest.raises(IdentificationFailed) as failed:
            services.cardholder_identify(
                national_id=national_id, name=name, card_number=card, requester=heir
            )
        assert failed.value.code == "identification_failed"
        messages.add(str(failed.value.message))
    assert len(messages) == 1


def test_identify_is_rate_limited_per_requester():
    alice = CardholderFactory(name="Li Na")
    mallory, bob = UserFactory(), UserFactory()
    for _ in range(services.IDENTIFY_MAX_ATTEMPTS):
        with pytest.raises(IdentificationFailed):
            services.cardholder_identify(
                national_id=alice.national_id, name="x", card_number="y", requester=mallory
            )
    with pytest.raises(TooManyAttempts) as limited:
        services.cardholder_identify(
            national_id=alice.national_id,
            name="Li Na",
            card_number=alice.card_number,
            requester=mallory,
        )
    assert (limited.value.code, limited.value.status) == ("too_many_attempts", 429)
    # Someone else is not affected.
    assert (
        services.cardholder_identify(
            national_id=alice.national_id,
            name="Li Na",
            card_number=alice.card_number,
            requester=bob,
        )
        == alice
    )


# --- drafts --------------------------------------------------------------------


def test_draft_defaults_to_the_funded_personal_accounts():
    cardholder = CardholderFactory()
    fund(cardholder, "medical", "80.00")
    application = services.application_create_draft(
        applicant=UserFactory(),
        cardholder=cardholder,
        reason="death",
        relationship="spouse",
        **BANK,
    )
    assert application.schemes == ["medical"]
    assert application.reference == f"WD-{application.created_at.year}-{application.pk:06d}"
    assert application.events.get().new_status == Status.DRAFT


@pytest.mark.parametrize(
    ("reason", "relationship", "schemes", "codes"),
    [
        ("unemployment", "child", ["pension"], ("reason_not_allowed",)),
        ("death", "child", ["unemployment"], ("scheme_has_no_personal_account",)),
        ("death", "self", ["pension"], ("not_an_heir",)),
        ("emigration", "child", ["pension"], ("applicant_not_cardholder",)),
        ("death", "child", ["medical"], ("account_empty",)),
    ],
)
def test_draft_refused_with_every_reason(reason, relationship, schemes, codes):
    cardholder = CardholderFactory()
    fund(cardholder, "pension", "10.00")
    with pytest.raises(IneligibleError) as refused:
        services.application_create_draft(
            applicant=UserFactory(),
            cardholder=cardholder,
            reason=reason,
            relationship=relationship,
            schemes=schemes,
            **BANK,
        )
    assert refused.value.code == "not_eligible"
    assert refused.value.codes == codes
    assert not cardholder.cases.exists()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("relationship", "neighbour", "invalid_choice"),
        ("schemes", ["gold"], "invalid_choice"),
        ("bank_name", "  ", "required"),
        ("bank_account_number", "12ab5678", "invalid_account_number"),
        ("bank_account_number", "1234", "invalid_account_number"),
    ],
)
def test_draft_input_errors_name_the_field(field, value, code):
    cardholder = CardholderFactory()
    fund(cardholder, "pension", "10.00")
    data = {"reason": "death", "relationship": "child", "schemes": None, **BANK, field: value}
    with pytest.raises(DomainError) as bad:
        services.application_create_draft(applicant=UserFactory(), cardholder=cardholder, **data)
    assert (bad.value.code, bad.value.field) == (code, field)


def test_a_second_claim_on_the_same_account_is_refused(django_capture_on_commit_callbacks):
    first = reviewed(django_capture_on_commit_callbacks)
    with pytest.raises(IneligibleError) as refused:
        services.application_create_draft(
            applicant=UserFactory(),
            cardholder=first.cardholder,
            reason="death",
            relationship="spouse",
            schemes=["pension"],
            **BANK,
        )
    assert refused.value.codes == ("account_already_claimed",)


def test_submission_needs_the_documents():
    application = death_claim()
    application.documents.filter(kind="death_certificate").delete()
    with pytest.raises(IneligibleError) as refused:
        services.application_submit(application, actor=application.applicant)
    assert refused.value.codes == ("missing_document",)
    assert refused.value.reasons[0].document == "death_certificate"
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert application.decision_codes == ["missing_document"]


# --- transitions -------------------------------------------------------------------


def test_transitions_table_matches_the_design():
    assert (Status.AWAITING_DECISION, Status.APPROVED) in TRANSITIONS
    assert (Status.DRAFT, Status.APPROVED) not in TRANSITIONS
    assert (Status.APPROVED, Status.WITHDRAWN) not in TRANSITIONS
    assert not any(
        old in (Status.PAID, Status.REJECTED, Status.WITHDRAWN) for old, _ in TRANSITIONS
    )


def test_illegal_transitions_are_refused(django_capture_on_commit_callbacks):
    application = death_claim()
    heir = application.applicant
    approver = staff_with("approve_application")
    reviewer = staff_with("review_application")
    with pytest.raises(IllegalTransition) as early:
        services.application_approve(application, actor=approver)
    assert early.value.code == "illegal_transition"
    with pytest.raises(IllegalTransition):
        services.application_reject(application, actor=reviewer, reason="no")
    with pytest.raises(IllegalTransition):
        services.payout_mark_paid(application)
    with pytest.raises(IllegalTransition):
        services._transition(application, (Status.DRAFT,), Status.PAID, heir)
    services.application_withdraw(application, actor=heir)
    with pytest.raises(AlreadyDecided):
        services.application_withdraw(application, actor=heir)
    with pytest.raises(IllegalTransition):
        services.application_submit(application, actor=heir)
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


def test_a_stale_copy_loses_the_compare_and_set():
    application = death_claim()
    stale = type(application).objects.get(pk=application.pk)
    services.application_withdraw(application, actor=application.applicant)
    with pytest.raises(IllegalTransition):
        services._transition(stale, (Status.DRAFT,), Status.SUBMITTED, stale.applicant)
    assert ApplicationEvent.objects.filter(case=application, new_status="submitted").count() == 0


def test_only_the_applicant_acts_on_their_claim():
    application = death_claim()
    mallory = UserFactory()
    for call in (
        lambda: services.application_submit(application, actor=mallory),
        lambda: services.application_withdraw(application, actor=mallory),
        lambda: services.application_confirm_notice(application, actor=mallory, full_name="x"),
    ):
        with pytest.raises(DomainError) as refused:
            call()
        assert (refused.value.code, refused.value.status) == ("forbidden", 403)
    with pytest.raises(NotFound):
        selectors.application_get_for_user(mallory, application.pk)


# --- staff ---------------------------------------------------------------------------


def test_staff_need_their_permission(django_capture_on_commit_callbacks):
    application = reviewed(django_capture_on_commit_callbacks)
    clerk = staff_with()
    for call in (
        lambda: services.application_approve(application, actor=clerk),
        lambda: services.application_reject(application, actor=clerk, reason="x"),
        lambda: services.application_request_documents(application, actor=clerk, message="x"),
        lambda: services.cardholder_verify_death(
            application, actor=clerk, date_of_death=date(2026, 1, 1), certificate_number="1"
        ),
    ):
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.code == "forbidden"


def test_two_person_rule(django_capture_on_commit_callbacks):
    application = reviewed(django_capture_on_commit_callbacks)
    both = staff_with("verify_life_event", "approve_application")
    services.cardholder_verify_death(
        application, actor=both, date_of_death=date(2026, 1, 1), certificate_number="DC-9"
    )
    with pytest.raises(SamePerson) as refused:
        services.application_approve(application, actor=both)
    assert refused.value.code == "same_person"
    assert not LedgerTransaction.objects.filter(kind="payout").exists()
    services.application_approve(application, actor=staff_with("approve_application"))
    application.refresh_from_db()
    assert application.status == Status.APPROVED


def test_approval_needs_a_verified_death(django_capture_on_commit_callbacks):
    application = reviewed(django_capture_on_commit_callbacks)
    with pytest.raises(IneligibleError) as refused:
        services.application_approve(application, actor=staff_with("approve_application"))
    assert refused.value.codes == ("death_not_verified",)
    application.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION
    assert application.decisions[-1]["codes"] == ["death_not_verified"]
    assert not LedgerTransaction.objects.filter(kind="payout").exists()


def test_second_approval_changes_nothing(django_capture_on_commit_callbacks):
    application = reviewed(django_capture_on_commit_callbacks, pension="300.00", medical=None)
    services.cardholder_verify_death(
        application,
        actor=staff_with("verify_life_event"),
        date_of_death=date(2026, 1, 1),
        certificate_number="DC-2",
    )
    approver = staff_with("approve_application")
    services.application_approve(application, actor=approver)
    with pytest.raises(AlreadyDecided) as again:
        services.application_approve(application, actor=approver)
    assert (again.value.code, again.value.status) == ("already_decided", 409)
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    application.refresh_from_db()
    assert application.amount == Decimal("300.00")


def test_request_documents_then_resubmit(django_capture_on_commit_callbacks):
    from django.core import mail

    application = reviewed(django_capture_on_commit_callbacks)
    reviewer = staff_with("review_application")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_documents(
            application,
            actor=reviewer,
            message="The death certificate is cut off.",
            ip_address="10.0.0.9",
        )
    application.refresh_from_db()
    assert application.status == Status.NEEDS_DOCUMENTS
    assert application.reviewed_by == reviewer
    event = application.events.last()
    assert (event.actor, event.ip_address) == (reviewer, "10.0.0.9")
    assert "The death certificate is cut off." in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION
    assert application.request_message == ""


def test_a_claim_waiting_for_documents_can_be_rejected(django_capture_on_commit_callbacks):
    application = reviewed(django_capture_on_commit_callbacks)
    reviewer = staff_with("review_application")
    services.application_request_documents(
        application, actor=reviewer, message="Send the original certificate."
    )
    services.application_reject(
        application, actor=staff_with("review_application"), reason="The certificate is forged."
    )
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert application.rejection_reason == "The certificate is forged."
    assert LedgerTransaction.objects.filter(kind="payout").count() == 0


def test_reject_needs_a_reason_the_applicant_sees(django_capture_on_commit_callbacks):
    application = reviewed(django_capture_on_commit_callbacks)
    reviewer = staff_with("review_application")
    with pytest.raises(DomainError) as missing:
        services.application_reject(application, actor=reviewer, reason=" ")
    assert missing.value.field == "reason"
    services.application_reject(application, actor=reviewer, reason="Not an heir.")
    application.refresh_from_db()
    assert (application.status, application.rejection_reason) == (Status.REJECTED, "Not an heir.")
    with pytest.raises(AlreadyDecided):
        services.application_reject(application, actor=reviewer, reason="again")


def test_events_are_append_only():
    application = death_claim()
    event = application.events.first()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        ApplicationEvent.objects.filter(pk=event.pk).update(note_code="x")
    with pytest.raises(TypeError):
        ApplicationEvent.objects.filter(pk=event.pk).delete()


def test_claimable_summary_and_queue(django_capture_on_commit_callbacks):
    application = reviewed(django_capture_on_commit_callbacks, pension="10.00", medical=None)
    rows = {row["scheme"]: row for row in selectors.claimable_summary(application.cardholder)}
    assert rows["pension"]["claimed_by"] == application.reference
    assert rows["pension"]["claimable"] is False
    assert rows["medical"]["claimable"] is False  # empty
    assert list(selectors.review_queue()) == [application]


def test_a_verified_death_cancels_the_card(django_capture_on_commit_callbacks):
    application = reviewed(django_capture_on_commit_callbacks, pension="300.00", medical=None)
    services.cardholder_verify_death(
        application,
        actor=staff_with("verify_life_event"),
        date_of_death=date(2026, 1, 1),
        certificate_number="DC-9",
    )
    application.cardholder.refresh_from_db()
    assert application.cardholder.card_status == "cancelled"


def test_a_verified_death_closes_the_pooled_accounts_and_leaves_the_personal_open(
    django_capture_on_commit_callbacks,
):
    application = reviewed(django_capture_on_commit_callbacks, pension="300.00", medical=None)
    person = application.cardholder
    pooled = Account.objects.get(cardholder=person, scheme="pension", kind="pooled")
    accounts_ledger.post(
        kind="contribution",
        idempotency_key="pooled-before-death",
        legs=[
            Leg(pooled.pk, Decimal("160.00")),
            Leg(accounts_ledger.system_account("contributions_received").pk, Decimal("-160.00")),
        ],
    )

    services.cardholder_verify_death(
        application,
        actor=staff_with("verify_life_event"),
        date_of_death=date(2026, 1, 1),
        certificate_number="DC-9",
    )

    statuses = dict(
        Account.objects.filter(cardholder=person, scheme="pension").values_list("kind", "status")
    )
    assert statuses == {"pooled": "closed", "personal": "open"}
    # The pooled record's balance went back to the region's pension fund, by a posting.
    pooled.refresh_from_db()
    assert pooled.balance == Decimal("0.00")
    returned = pooled.entries.get(kind="pooled_to_fund")
    assert returned.amount == Decimal("-160.00")
    fund = Account.objects.get(system_code=fund_code("pension", person.region))
    assert fund.balance == Decimal("160.00")
    assert run_audit().violations == []
    with pytest.raises(AccountClosed):
        accounts_ledger.post(
            kind="contribution",
            idempotency_key="pooled-after-death",
            legs=[
                Leg(pooled.pk, Decimal("160.00")),
                Leg(
                    accounts_ledger.system_account("contributions_received").pk, Decimal("-160.00")
                ),
            ],
        )


def test_a_second_death_verification_never_silently_overwrites_the_first(
    django_capture_on_commit_callbacks,
):
    application = reviewed(django_capture_on_commit_callbacks, pension="300.00", medical=None)
    reviewer = staff_with("verify_life_event")
    first = {"date_of_death": date(2026, 1, 1), "certificate_number": "DC-9"}
    services.cardholder_verify_death(application, actor=reviewer, **first)
    events = application.events.count()

    # The same facts again record nothing new.
    services.cardholder_verify_death(application, actor=reviewer, **first)
    assert application.events.count() == events

    # Other facts without a reason are refused and the first stay.
    with pytest.raises(AlreadyVerified) as refused:
        services.cardholder_verify_death(
            application, actor=reviewer, date_of_death=date(2026, 1, 2), certificate_number="DC-9"
        )
    assert (refused.value.code, refused.value.status) == ("already_verified", 409)
    person = application.cardholder
    person.refresh_from_db()
    assert person.date_of_death == date(2026, 1, 1)

    # With a reason they replace the first, and the timeline keeps both.
    services.cardholder_verify_death(
        application,
        actor=reviewer,
        date_of_death=date(2026, 1, 2),
        certificate_number="DC-9",
        correction_reason="The certificate gives the 2nd; the 1st was a typing slip.",
    )
    person.refresh_from_db()
    assert person.date_of_death == date(2026, 1, 2)
    corrected = application.events.get(note_code="verification_corrected")
    assert corrected.note_params["before"] == {"date": "2026-01-01", "number": "DC-9"}
    assert corrected.note_params["after"] == {"date": "2026-01-02", "number": "DC-9"}
    # The timeline shows the facts in the reader's language, not as stored.
    with translation.override("en"):
        assert "was 1 January 2026, certificate DC-9, now 2 January 2026" in str(corrected.note)
    with translation.override("zh-hans"):
        assert "2026年1月1日" in str(corrected.note)
