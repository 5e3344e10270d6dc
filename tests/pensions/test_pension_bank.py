"""Pensions paid to a bank account go out in the shared batch file and are answered by
the shared results file; a failed line is shown to the pensioner and sent again once by
the next run after the bank account is corrected."""

import io
from datetime import date
from decimal import Decimal

from django.core.management import call_command

from accounts import ledger
from accounts.models import Account, LedgerTransaction
from pensions import selectors
from pensions.models import PensionPayout
from tests.pensions.test_pension_run import audit_clean, claim, pay, pension_fund  # noqa: F401

D = Decimal


def export(tmp_path, name):
    path = tmp_path / name
    call_command("export_payouts", "-o", str(path), stderr=io.StringIO())
    return path.read_text(encoding="utf-8-sig").splitlines()


def results(tmp_path, name, *lines):
    path = tmp_path / name
    path.write_text("reference,result,note\n" + "\n".join(lines) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_payout_results", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def balance(code):
    return ledger.system_account(code).balance


def test_failed_then_corrected_then_paid_once(claim, tmp_path, client):  # noqa: F811
    pay("2026-08", today=date(2026, 8, 3))
    august = f"PP-{claim.pk}-202608"
    assert export(tmp_path, "b1.csv") == [
        "reference,payee,bank,account_number,amount",
        f"{august},Ray Sun,Bank of Example,6222 0202 0011 2233,2507.37",
    ]
    # Sent once: the next batch does not list it again.
    assert export(tmp_path, "b2.csv") == ["reference,payee,bank,account_number,amount"]

    assert "1 failed" in results(tmp_path, "r1.csv", f"{august},failed,account closed")
    payout = PensionPayout.objects.get(reference=august)
    assert (payout.status, payout.result_note) == ("failed", "account closed")
    # Nothing moved: the 2,507.37 waits in benefits payable.
    assert balance(Account.SystemCode.BENEFITS_PAYABLE) == D("2507.37")
    assert not LedgerTransaction.objects.filter(kind="payout_confirmed").exists()

    # The pensioner sees it, on the page and in the API.
    client.force_login(claim.applicant)
    page = client.get("/pension/claim/").content.decode()
    assert 'data-testid="payouts-failed"' in page
    assert f"2,507.37 ({august}) to account 6222 0202 0011 2233: account closed" in page
    body = selectors.pension_status(claim.cardholder, today=date(2026, 8, 20))
    assert body["payments"][0]["bank_status"] == "failed"

    # A run before the account is corrected sends nothing again.
    assert pay("2026-09", today=date(2026, 9, 1)).resent == 0
    response = client.post(
        "/pension/claim/bank-account/",
        {
            "bank_name": "Bank of Elsewhere",
            "bank_account_holder": "Ray Sun",
            "bank_account_number": "6228 4800 1234 5678",
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.bank_account_number == "6228 4800 1234 5678"

    # The next run queues August once more, to the corrected account.
    result = pay("2026-10", today=date(2026, 10, 1))
    assert result.resent == 1
    assert pay("2026-10", today=date(2026, 10, 1)).resent == 0
    lines = export(tmp_path, "b3.csv")
    assert f"{august}-2,Ray Sun,Bank of Elsewhere,6228 4800 1234 5678,2507.37" in lines
    assert len(lines) == 4  # the header, September, October and August again
    assert f"PP-{claim.pk}-202610,Ray Sun,Bank of Elsewhere,6228 4800 1234 5678,2507.37" in lines

    assert "1 paid" in results(tmp_path, "r2.csv", f"{august}-2,paid,")
    assert "1 skipped" in results(tmp_path, "r3.csv", f"{august}-2,paid,")
    resent = PensionPayout.objects.get(reference=f"{august}-2")
    assert resent.status == "paid"
    assert resent.replaces == payout
    txn = resent.transaction
    assert txn.idempotency_key == f"pension-payout:{august}-2"
    paid_out = ledger.system_account(Account.SystemCode.PAID_OUT)
    payable = ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE)
    assert {e.account_id: e.amount for e in txn.entries.all()} == {
        payable.pk: D("-2507.37"),
        paid_out.pk: D("2507.37"),
    }
    # Three months paid, August confirmed by the bank: two still payable.
    assert balance(Account.SystemCode.BENEFITS_PAYABLE) == 2 * D("2507.37")
    # August is no longer shown as failed, and it is not sent a third time.
    assert 'data-testid="payouts-failed"' not in client.get("/pension/claim/").content.decode()
    assert pay("2026-11", today=date(2026, 11, 2)).resent == 0
    assert PensionPayout.objects.filter(payment__month=date(2026, 8, 1)).count() == 2
    audit_clean()


def test_a_bad_account_number_is_a_form_error(claim, client):  # noqa: F811
    pay("2026-08", today=date(2026, 8, 3))
    client.force_login(claim.applicant)
    response = client.post(
        "/pension/claim/bank-account/",
        {"bank_name": "Bank", "bank_account_holder": "Ray Sun", "bank_account_number": "12ab"},
    )
    assert response.status_code == 400
    assert "Give the account number as 8 to 40 digits" in response.content.decode()
    claim.refresh_from_db()
    assert claim.bank_account_number == "6222 0202 0011 2233"


def test_card_payments_are_not_in_the_bank_batch(claim, tmp_path):  # noqa: F811
    type(claim.cardholder).objects.filter(pk=claim.cardholder_id).update(
        card_financial_activated=True
    )
    pay("2026-08", today=date(2026, 8, 3))
    assert export(tmp_path, "b.csv") == ["reference,payee,bank,account_number,amount"]
