"""The one-time disability subsidy in the shared bank batch: its line goes out once, the
bank's confirmation moves payouts payable to paid out once (a results file read again
changes nothing), a failure moves nothing and the line goes out again; the worker's page
and API say where each line is; the ledger audit stays clean."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts import audit, ledger
from accounts.models import Account, LedgerEntry, LedgerTransaction
from tests.conftest import otp_login
from tests.factories import StaffFactory
from tests.workinjury.conftest import TODAY, recognised, wages
from withdrawals import payout_files
from workinjury import services
from workinjury.models import InjurySubsidyPayment

pytestmark = pytest.mark.django_db

CONCLUDED = date(2026, 12, 10)
SUBSIDY = Decimal("104000.00")  # grade 7: 13 × 8 000.00


@pytest.fixture
def appraisal(gang, rita, dora, cora, django_capture_on_commit_callbacks):
    wages(gang.cardholder, [Decimal("8000.00")] * 12)
    claim = recognised(gang, rita, dora, django_capture_on_commit_callbacks)
    appraisal = services.appraisal_apply(claim, actor=gang, condition_stable=True, today=TODAY)
    return services.appraisal_conclude(
        appraisal, actor=cora, grade=7, self_care="none", today=CONCLUDED
    )


def balance(code):
    return ledger.system_account(code).balance


def clean_audit():
    test_records = set(
        LedgerTransaction.objects.filter(description="test record").values_list("pk", flat=True)
    )
    return [v for v in audit.run_audit().violations if v.transaction_id not in test_records]


def payments(user):
    api = APIClient()
    api.force_authenticate(user)
    body = api.get("/api/v1/benefits/work-injury/", HTTP_ACCEPT_LANGUAGE="en").json()
    return [p for p in body["payments"] if p["kind"] == "one_time_subsidy"]


def test_the_conclusion_leaves_one_line_waiting_for_the_batch(appraisal, gang):
    payment = InjurySubsidyPayment.objects.get()
    assert (payment.reference, payment.amount, payment.status) == (
        f"WIS-{appraisal.pk:06d}",
        SUBSIDY,
        "waiting",
    )
    # The conclusion's posting is unchanged and is the line's.
    assert payment.transaction == appraisal.subsidy_transaction
    assert payment.transaction.idempotency_key == f"injury-subsidy:{appraisal.pk}"
    assert (payment.payee, payment.bank_name, payment.account_number) == (
        "Wu Gang",
        "social security card",
        gang.cardholder.card_number,
    )
    assert balance(Account.SystemCode.PAYOUTS_PAYABLE) == SUBSIDY
    [row] = payments(gang)
    assert (row["status"], row["bank_reference"], row["reference"]) == (
        "waiting",
        payment.reference,
        appraisal.reference,
    )


def test_the_batch_lists_the_line_once_and_the_bank_confirms_it_once(appraisal, gang, client):
    out = io.StringIO()
    lines = payout_files.export_batch(out)
    reference = f"WIS-{appraisal.pk:06d}"
    assert [line.reference for line in lines] == [reference]
    assert out.getvalue().count(reference) == 1
    assert "104000.00" in out.getvalue() and "social security card" in out.getvalue()
    assert payout_files.export_batch(io.StringIO()) == []
    assert payments(gang)[0]["status"] == "sent"

    results = [f"{reference},paid,credited"]
    counts, problems = payout_files.import_results(results)
    assert (counts["paid"], problems) == (1, [])
    # The same results file again changes nothing.
    counts, problems = payout_files.import_results(results)
    assert (counts["paid"], counts["skipped"]) == (0, 1)
    assert problems == [f"line 1: {reference}: already answered; skipped"]

    payment = InjurySubsidyPayment.objects.get()
    assert payment.status == "paid"
    assert payment.confirmation.idempotency_key == f"injury-subsidy-payout:{reference}"
    legs = {
        entry.account.system_code: entry.amount
        for entry in LedgerEntry.objects.filter(transaction=payment.confirmation).select_related(
            "account"
        )
    }
    assert legs == {"payouts_payable": -SUBSIDY, "paid_out": SUBSIDY}
    assert balance(Account.SystemCode.PAYOUTS_PAYABLE) == Decimal("0.00")
    assert balance(Account.SystemCode.PAID_OUT) == SUBSIDY
    assert LedgerTransaction.objects.filter(kind="payout_confirmed").count() == 1
    assert payout_files.export_batch(io.StringIO()) == []
    assert appraisal.events.filter(note_code="subsidy_paid").count() == 1
    assert clean_audit() == []

    [row] = payments(gang)
    paid_on = row["paid_on"]
    assert (row["status"], row["status_text"]) == ("paid", f"paid on {paid_on}")
    client.force_login(gang)
    page = client.get("/work-injury/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-status="paid"' in page and f"paid on {paid_on}" in page
    assert reference in page


def test_a_failed_line_stays_payable_and_goes_out_again(appraisal, gang, client):
    reference = payout_files.export_batch(io.StringIO())[0].reference
    results = [f"{reference},failed,card account frozen"]
    counts, _problems = payout_files.import_results(results)
    assert counts["failed"] == 1
    counts, _problems = payout_files.import_results(results)
    assert counts["skipped"] == 1
    assert balance(Account.SystemCode.PAYOUTS_PAYABLE) == SUBSIDY
    assert balance(Account.SystemCode.PAID_OUT) == Decimal("0.00")
    assert appraisal.events.filter(note_code="injury_subsidy_failed").count() == 1
    [row] = payments(gang)
    assert (row["status"], row["failure_reason"]) == ("failed", "card account frozen")
    assert row["status_text"] == "failed: card account frozen — we will send it again"
    client.force_login(gang)
    page = client.get("/work-injury/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "failed: card account frozen — we will send it again" in page

    # The next batch sends it again, once; this time the bank pays it.
    out = io.StringIO()
    assert [line.reference for line in payout_files.export_batch(out)] == [reference]
    assert out.getvalue().count(reference) == 1
    assert payout_files.export_batch(io.StringIO()) == []
    payment = InjurySubsidyPayment.objects.get()
    assert (payment.status, payment.sendings) == ("sent", 2)
    counts, problems = payout_files.import_results([f"{reference},paid,ok"])
    assert (counts["paid"], problems) == (1, [])
    assert balance(Account.SystemCode.PAYOUTS_PAYABLE) == Decimal("0.00")
    assert balance(Account.SystemCode.PAID_OUT) == SUBSIDY
    assert clean_audit() == []


def test_a_line_not_yet_sent_cannot_be_answered(appraisal):
    reference = InjurySubsidyPayment.objects.get().reference
    counts, problems = payout_files.import_results([f"{reference},paid,ok"])
    assert counts["errors"] == 1 and len(problems) == 1
    assert InjurySubsidyPayment.objects.get().status == "waiting"
    assert balance(Account.SystemCode.PAID_OUT) == Decimal("0.00")


def test_a_more_severe_re_appraisal_sends_only_the_top_up(appraisal, gang, cora):
    again = services.appraisal_apply(
        appraisal.recognition,
        actor=gang,
        round="reappraisal",
        condition_stable=True,
        today=CONCLUDED + timedelta(days=15),
    )
    services.appraisal_conclude(
        again, actor=cora, grade=5, self_care="none", today=date(2026, 12, 30)
    )
    # 18 × 8 000.00 = 144 000.00, of which 104 000.00 was paid: 40 000.00 more.
    lines = payout_files.export_batch(io.StringIO())
    assert [(line.reference, line.amount) for line in lines] == [
        (f"WIS-{appraisal.pk:06d}", SUBSIDY),
        (f"WIS-{again.pk:06d}", Decimal("40000.00")),
    ]
    payout_files.import_results([f"{line.reference},paid,ok" for line in lines])
    assert balance(Account.SystemCode.PAID_OUT) == Decimal("144000.00")
    assert balance(Account.SystemCode.PAYOUTS_PAYABLE) == Decimal("0.00")
    assert [p["status"] for p in payments(gang)] == ["paid", "paid"]
    assert clean_audit() == []


def test_staff_see_the_lines_and_cannot_change_them(appraisal, client):
    staff = StaffFactory(username="sam", password=None, is_superuser=True)
    otp_login(client, staff)
    listing = client.get("/admin/workinjury/injurysubsidypayment/?status=waiting")
    assert listing.status_code == 200
    assert f"WIS-{appraisal.pk:06d}" in listing.content.decode()
    payment = InjurySubsidyPayment.objects.get()
    change = client.post(
        f"/admin/workinjury/injurysubsidypayment/{payment.pk}/change/", {"status": "paid"}
    )
    assert change.status_code == 403
    assert InjurySubsidyPayment.objects.get().status == "waiting"
