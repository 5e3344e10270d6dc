"""The move of withdrawals onto casework, run forward on a database holding
applications in every state, with events, documents and notifications."""

from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import CardholderFactory, UserFactory
from withdrawals.models import Status

BEFORE = [("withdrawals", "0002_event_append_only")]
AFTER = [("withdrawals", "0004_drop_moved_tables")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


PO_FILE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
CHINESE = {e.msgid: e.msgstr for e in polib.pofile(str(PO_FILE)) if e.msgstr}


def zh(text):
    """The Chinese the code wrote (the old notes were written in the active language)."""
    assert text in CHINESE, text
    return CHINESE[text]


# (old note, the status change it came with, the code and parameters it becomes)
NOTES = [
    ("Application started.", ("", "draft"), "started", {}),
    ("Submitted for review.", ("draft", "submitted"), "submitted", {}),
    (zh("Submitted for review."), ("draft", "submitted"), "submitted", {}),
    (
        "Document added: Death certificate.",
        ("draft", "draft"),
        "document_added",
        {"kind": "death_certificate"},
    ),
    (
        zh("Document added: %(kind)s.") % {"kind": zh("Proof of heirship or kinship")},
        ("draft", "draft"),
        "document_added",
        {"kind": "heirship_proof"},
    ),
    (
        "Automated document check finished: 3 checked, 1 with problems. "
        "1 file(s) also used for another cardholder.",
        ("in_review", "awaiting_decision"),
        "review_finished",
        {"n": 3, "failed": 1, "duplicates": 1},
    ),
    (
        zh("Death verified: died on %(date)s, certificate %(number)s.")
        % {"date": "2026-01-05", "number": "DC-77"},
        ("awaiting_decision", "awaiting_decision"),
        "death_verified",
        {"date": "2026-01-05", "number": "DC-77"},
    ),
    (
        "Emigration verified: settled in Canada on 2025-03-01, certificate EX-1; "
        "PRC nationality given up: yes.",
        ("in_review", "in_review"),
        "emigration_verified",
        {"country": "Canada", "date": "2025-03-01", "number": "EX-1", "given_up": True},
    ),
    (
        "Eligibility check (submission) refused: documents_missing, not_an_heir",
        ("draft", "draft"),
        "eligibility_refused",
        {"stage": "submission", "codes": ["documents_missing", "not_an_heir"]},
    ),
    (
        "Approved: 1200.00 yuan to be paid to Heir Example.",
        ("awaiting_decision", "approved"),
        "approved",
        {"amount": "1200.00", "holder": "Heir Example"},
    ),
    (
        "Automatic withdrawals.review_application gave up after 5 retries "
        "(OperationalError); a staff member must look at it.",
        ("submitted", "submitted"),
        "task_gave_up",
        {"task": "withdrawals.review_application", "retries": 5, "error": "OperationalError"},
    ),
    # Staff's and the bank's own words stay as they typed them.
    (
        "Please upload a clearer scan.",
        ("in_review", "needs_documents"),
        "documents_requested",
        {"text": "Please upload a clearer scan."},
    ),
    (
        "不是合法继承人。",
        ("awaiting_decision", "rejected"),
        "rejected",
        {"text": "不是合法继承人。"},
    ),
    ("ok", ("approved", "paid"), "paid", {"text": "ok"}),
    ("Paid: the bank confirmed the transfer.", ("approved", "paid"), "paid", {}),
    # Anything unknown is kept as free text.
    ("手工备注：电话联系过", ("submitted", "submitted"), "text", {"text": "手工备注：电话联系过"}),
    ("", ("submitted", "submitted"), "", {}),
]


@pytest.mark.django_db(transaction=True)
def test_every_row_moves_onto_casework_with_its_id():
    heir, rita = UserFactory(), UserFactory()
    cardholders = [CardholderFactory() for _ in Status]
    old_apps = migrate(BEFORE)
    try:
        _check_the_move(old_apps, heir, rita, cardholders)
    finally:
        migrate(latest())


def _check_the_move(old_apps, heir, rita, cardholders):
    Application = old_apps.get_model("withdrawals", "WithdrawalApplication")
    OldEvent = old_apps.get_model("withdrawals", "ApplicationEvent")
    OldDocument = old_apps.get_model("withdrawals", "SupportingDocument")
    OldNotification = old_apps.get_model("withdrawals", "EventNotification")
    submitted = timezone.now() - timedelta(days=4)
    applications = []
    for n, (status, cardholder) in enumerate(zip(Status.values, cardholders, strict=True)):
        applications.append(
            Application.objects.create(
                id=100 + n,
                reference=f"WD-2026-{100 + n:06d}",
                cardholder_id=cardholder.pk,
                applicant_id=heir.pk,
                reason="death" if n % 2 else "emigration",
                relationship="child" if n % 2 else "self",
                claims_pension=True,
                claims_medical=bool(n % 3),
                bank_name="Bank of Example",
                bank_account_holder="Heir Example",
                bank_account_number="6222020200112233445",
                status=status,
                amount="1200.00" if status in ("approved", "paid", "payout_failed") else None,
                rules_version="2026.1",
                decision_stage="submission",
                decision_codes=["documents_missing"],
                decisions=[{"stage": "precheck", "allowed": True, "codes": []}],
                notice_confirmed_name="Chen Jie" if n % 2 == 0 else "",
                request_message="Please upload a clearer scan."
                if status == "needs_documents"
                else "",
                rejection_reason="不是合法继承人。" if status == "rejected" else "",
                reviewed_by_id=rita.pk if status != "draft" else None,
                submitted_at=submitted if status != "draft" else None,
                review_attempts=n,
            )
        )
    events = []
    for n, (note, (old, new), _code, _params) in enumerate(NOTES):
        events.append(
            OldEvent.objects.create(
                id=500 + n,
                application_id=applications[n % len(applications)].pk,
                actor_id=rita.pk if n % 2 else None,
                old_status=old,
                new_status=new,
                note=note,
                ip_address="10.1.2.3" if n % 2 else None,
            )
        )
    documents = [
        OldDocument.objects.create(
            id=700 + n,
            application_id=application.pk,
            kind="death_certificate",
            stored_name=f"ab/{n:032x}.bin",
            original_name="certificate.pdf",
            size=1000 + n,
            sha256=f"{n:064x}",
            content_type="application/pdf",
            uploaded_by_id=heir.pk,
            finding="passed" if n % 2 else "pending",
            finding_codes=["too_small"] if n % 2 else [],
        )
        for n, application in enumerate(applications)
    ]
    notified = [
        OldNotification.objects.create(id=900 + n, event_id=event.pk, recipient="heir@example.org")
        for n, event in enumerate(events[:5])
    ]
    event_times = {e.pk: OldEvent.objects.get(pk=e.pk).created_at for e in events}
    uploaded_at = {d.pk: OldDocument.objects.get(pk=d.pk).uploaded_at for d in documents}

    new_apps = migrate(AFTER)

    Case = new_apps.get_model("casework", "Case")
    Withdrawal = new_apps.get_model("withdrawals", "WithdrawalApplication")
    Event = new_apps.get_model("casework", "Event")
    Document = new_apps.get_model("casework", "Document")
    Notification = new_apps.get_model("casework", "Notification")

    assert Case.objects.count() == len(applications)
    for old in applications:
        case = Case.objects.get(pk=old.pk)
        claim = Withdrawal.objects.get(pk=old.pk)
        assert case.kind == "withdrawal"
        for name in (
            "reference",
            "cardholder_id",
            "applicant_id",
            "status",
            "rules_version",
            "decision_stage",
            "decision_codes",
            "decisions",
            "request_message",
            "rejection_reason",
            "reviewed_by_id",
            "submitted_at",
            "review_attempts",
        ):
            assert getattr(case, name) == getattr(old, name), name
        for name in (
            "reason",
            "relationship",
            "claims_pension",
            "claims_medical",
            "bank_name",
            "bank_account_holder",
            "bank_account_number",
            "notice_confirmed_name",
        ):
            assert getattr(claim, name) == getattr(old, name), name
        assert (claim.amount is None) == (old.amount is None)
    assert sorted(Case.objects.values_list("status", flat=True)) == sorted(Status.values)

    assert Event.objects.count() == len(NOTES)
    for event, (_note, (old, new), code, params) in zip(events, NOTES, strict=True):
        moved = Event.objects.get(pk=event.pk)
        assert (moved.case_id, moved.kind) == (event.application_id, "withdrawal")
        assert (moved.old_status, moved.new_status) == (old, new)
        assert (moved.note_code, moved.note_params) == (code, params), event.note
        assert moved.actor_id == event.actor_id
        assert moved.ip_address == event.ip_address
        assert moved.created_at == event_times[event.pk]

    assert Document.objects.count() == len(documents)
    for document in documents:
        moved = Document.objects.get(pk=document.pk)
        assert moved.case_id == document.application_id
        assert (moved.stored_name, moved.size, moved.sha256) == (
            document.stored_name,
            document.size,
            document.sha256,
        )
        assert (moved.finding, moved.finding_codes) == (document.finding, document.finding_codes)
        assert moved.uploaded_at == uploaded_at[document.pk]

    assert sorted(Notification.objects.values_list("id", "event_id")) == sorted(
        (n.pk, n.event_id) for n in notified
    )

    # New rows continue after the moved ones.
    case = Case.objects.create(
        kind="withdrawal",
        reference="WD-2026-NEW",
        cardholder_id=cardholders[0].pk,
        applicant_id=heir.pk,
        status="draft",
    )
    assert case.pk > max(a.pk for a in applications)
    event = Event.objects.create(case=case, kind="withdrawal", new_status="draft")
    assert event.pk > max(e.pk for e in events)
