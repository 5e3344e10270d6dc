"""Whole claims through the services: an heir after a death, a cardholder after emigrating."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from accounts.models import Account, LedgerEntry, LedgerTransaction
from tests.factories import (
    CardholderFactory,
    UserFactory,
    death_claim,
    fund,
    staff_with,
    upload,
    verify_applicant,
)
from withdrawals import selectors, services
from withdrawals.exceptions import AlreadyVerified, IneligibleError
from withdrawals.models import Status

pytestmark = pytest.mark.django_db


def system_balance(code):
    account = Account.objects.filter(kind="system", system_code=code).first()
    return account.balance if account else Decimal("0.00")


def assert_ledger_balanced():
    for txn in LedgerTransaction.objects.all():
        assert sum(e.amount for e in txn.entries.all()) == 0
    for account in Account.objects.all():
        total = sum((e.amount for e in account.entries.all()), Decimal("0.00"))
        assert account.balance == total, account


def test_heir_journey_from_draft_to_paid(django_capture_on_commit_callbacks, tmp_path):
    application = death_claim(pension="1000.00", medical="200.00")
    heir = application.applicant
    cardholder = application.cardholder
    reviewer = staff_with("review_application", "verify_life_event", username="rita")
    approver = staff_with("approve_application", "manage_payouts", username="alan")
    assert application.reference.startswith("WD-")
    assert application.schemes == ["pension", "medical"]
    assert application.status == Status.DRAFT

    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application, actor=heir)
    application.refresh_from_db()
    # The review task ran after commit (eager) and every document passed.
    assert application.status == Status.AWAITING_DECISION
    assert set(application.documents.values_list("finding", flat=True)) == {"passed"}

    services.cardholder_verify_death(
        application, actor=reviewer, date_of_death=date(2026, 1, 5), certificate_number="DC-1"
    )
    cardholder.refresh_from_db()
    assert cardholder.life_status == "deceased"
    assert cardholder.date_of_death == date(2026, 1, 5)
    verify_applicant(application)

    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(application, actor=approver)
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.amount == Decimal("1200.00")
    assert application.approved_by == approver
    assert application.decision_codes == []
    assert [d["stage"] for d in application.decisions] == ["precheck", "submission", "approval"]
    for account in cardholder.accounts.filter(kind="personal"):
        assert account.balance == Decimal("0.00")
        assert account.status == "closed"
    assert system_balance("payouts_payable") == Decimal("1200.00")
    assert application.payout_transaction.entries.count() == 3

    batch = tmp_path / "batch.csv"
    call_command("export_payouts", output=str(batch), stderr=io.StringIO())
    lines = batch.read_text().splitlines()
    assert (
        lines[1]
        == f"{application.reference},Heir Example,Bank of Example,6222 0202 0011 2233 445,1200.00"
    )
    results = tmp_path / "results.csv"
    results.write_text(f"reference,result,note\n{application.reference},paid,ok\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_payout_results", str(results), stdout=io.StringIO())
    application.refresh_from_db()
    assert application.status == Status.PAID
    assert system_balance("payouts_payable") == Decimal("0.00")
    assert system_balance("paid_out") == Decimal("1200.00")
    assert_ledger_balanced()

    # The applicant got one email per step that concerns them, in both languages.
    subjects = [m.subject for m in mail.outbox]
    assert [s.split("] ")[1] for s in subjects] == [
        "申请已收到 / Application received",
        "申请已批准 / Application approved",
        "款项已支付 / Payment made",
    ]
    assert all(m.to == [heir.email] for m in mail.outbox)
    assert "1,200.00" in mail.outbox[1].body and "尾号 3445" in mail.outbox[1].body

    steps = selectors.timeline(application)
    statuses = [e.new_status for e in steps.events if e.is_status_change]
    assert statuses == ["draft", "submitted", "in_review", "awaiting_decision", "approved", "paid"]
    assert "paid" in steps.next_step


def test_emigration_journey_with_the_pension_notice(django_capture_on_commit_callbacks):
    user = UserFactory()
    cardholder = CardholderFactory(user=user, name="Wang Fang")
    fund(cardholder, "pension", "5000.00")
    reviewer = staff_with("review_application", "verify_life_event")
    approver = staff_with("approve_application")
    application = services.application_create_draft(
        applicant=user,
        cardholder=cardholder,
        reason="emigration",
        relationship="self",
        schemes=["pension"],
        bank_name="Bank of Example",
        bank_account_holder="Wang Fang",
        bank_account_number="6222020200112233",
    )
    for kind in ("exit_certificate", "applicant_id", "nationality_proof"):
        services.document_add(
            application=application, kind=kind, uploaded_file=upload(), uploader=user
        )

    # Without the written confirmation the claim cannot be submitted.
    with pytest.raises(IneligibleError) as refused:
        services.application_submit(application, actor=user)
    assert refused.value.codes == ("notice_not_confirmed",)
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert application.decision_codes == ["notice_not_confirmed"]

    with pytest.raises(Exception) as wrong_name:
        services.application_confirm_notice(application, actor=user, full_name="Someone Else")
    assert wrong_name.value.code == "name_mismatch"
    services.application_confirm_notice(application, actor=user, full_name=" Wang  Fang ")
    application.refresh_from_db()
    assert application.notice_confirmed_name == "Wang Fang"
    assert application.notice_confirmed_at and application.notice_shown_at

    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application, actor=user)
    application.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION

    # Verified emigration but nationality kept: the pension account stays.
    services.cardholder_verify_emigration(
        application,
        actor=reviewer,
        date=date(2025, 12, 1),
        country="Canada",
        certificate_number="EX-77",
        nationality_given_up=False,
    )
    verify_applicant(application)
    with pytest.raises(IneligibleError) as kept:
        services.application_approve(application, actor=approver)
    assert kept.value.codes == ("nationality_not_given_up",)
    assert cardholder.accounts.get(scheme="pension", kind="personal").balance == Decimal("5000.00")

    # Other facts replace the first verification only as a correction, with its reason.
    with pytest.raises(AlreadyVerified):
        services.cardholder_verify_emigration(
            application,
            actor=reviewer,
            date=date(2025, 12, 1),
            country="Canada",
            certificate_number="EX-77",
            nationality_given_up=True,
        )
    cardholder.refresh_from_db()
    assert cardholder.nationality_given_up is False
    services.cardholder_verify_emigration(
        application,
        actor=reviewer,
        date=date(2025, 12, 1),
        country="Canada",
        certificate_number="EX-77",
        nationality_given_up=True,
        correction_reason="The renunciation certificate was on the second page.",
    )
    corrected = application.events.get(note_code="verification_corrected")
    assert corrected.note_params["before"]["given_up"] is False
    assert corrected.note_params["after"]["given_up"] is True
    with translation.override("en"):
        note = str(corrected.note)
    assert "PRC nationality kept" in note and "PRC nationality given up" in note
    services.application_approve(application, actor=approver)
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.amount == Decimal("5000.00")
    pension = cardholder.accounts.get(scheme="pension", kind="personal")
    assert (pension.balance, pension.status) == (Decimal("0.00"), "closed")
    # The medical account was not claimed and stays open.
    assert cardholder.accounts.get(scheme="medical", kind="personal").status == "open"
    assert LedgerEntry.objects.filter(account=pension, kind="payout").count() == 1
