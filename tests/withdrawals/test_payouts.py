"""The bank batch: export, results import, failed payouts re-queued."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account, LedgerTransaction
from tests.factories import approve_claim, death_claim, staff_with
from withdrawals import services
from withdrawals.models import Status

pytestmark = pytest.mark.django_db


def approved(django_capture_on_commit_callbacks, pension="400.00"):
    application = death_claim(pension=pension, medical=None)
    return approve_claim(application, django_capture_on_commit_callbacks)


def export(tmp_path, name="batch.csv"):
    target = tmp_path / name
    call_command("export_payouts", output=str(target), stderr=io.StringIO())
    return target.read_text(encoding="utf-8-sig").splitlines()


def payable():
    return Account.objects.get(kind="system", system_code="payouts_payable").balance


def test_export_marks_sent_and_never_lists_twice(django_capture_on_commit_callbacks, tmp_path):
    one = approved(django_capture_on_commit_callbacks, "400.00")
    two = approved(django_capture_on_commit_callbacks, "50.50")
    lines = export(tmp_path)
    assert lines[0] == "reference,payee,bank,account_number,amount"
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(
        [one.reference, two.reference]
    )
    assert {line.split(",")[-1] for line in lines[1:]} == {"400.00", "50.50"}
    one.refresh_from_db()
    assert one.payout_sent_at is not None
    assert export(tmp_path, "again.csv") == ["reference,payee,bank,account_number,amount"]
    with pytest.raises(CommandError):
        call_command("export_payouts", output=str(tmp_path / "batch.csv"))


def test_failed_payout_keeps_the_money_and_goes_out_again(
    django_capture_on_commit_callbacks, tmp_path
):
    application = approved(django_capture_on_commit_callbacks)
    export(tmp_path)
    results = tmp_path / "results.csv"
    results.write_text(f"{application.reference},failed,account closed\n")
    call_command("import_payout_results", str(results), stdout=io.StringIO())
    application.refresh_from_db()
    assert application.status == Status.PAYOUT_FAILED
    assert payable() == Decimal("400.00")  # nothing moved
    assert not LedgerTransaction.objects.filter(kind="payout_confirmed").exists()

    clerk = staff_with()
    with pytest.raises(Exception) as refused:
        services.payout_requeue(
            application,
            actor=clerk,
            bank_name="B",
            bank_account_holder="H",
            bank_account_number="12345678",
        )
    assert refused.value.code == "forbidden"
    # New bank details from staff need a second staff member's confirmation.
    for _person in range(2):
        services.payout_requeue(
            application,
            actor=staff_with("manage_payouts"),
            bank_name="Other Bank",
            bank_account_holder="Heir Example",
            bank_account_number="6222999900001111",
        )
    application.refresh_from_db()
    assert (application.status, application.payout_sent_at) == (Status.APPROVED, None)
    lines = export(tmp_path, "second.csv")
    assert lines[1].endswith("Other Bank,6222999900001111,400.00")

    results.write_text(f"{application.reference},paid,\n")
    call_command("import_payout_results", str(results), stdout=io.StringIO())
    # The same file imported twice pays once.
    call_command("import_payout_results", str(results), stdout=io.StringIO(), stderr=io.StringIO())
    application.refresh_from_db()
    assert application.status == Status.PAID
    assert payable() == Decimal("0.00")
    assert LedgerTransaction.objects.filter(kind="payout_confirmed").count() == 1


def test_import_reports_bad_lines_and_keeps_the_good(django_capture_on_commit_callbacks, tmp_path):
    good = approved(django_capture_on_commit_callbacks)
    unsent = approved(django_capture_on_commit_callbacks, "10.00")
    export(tmp_path)
    unsent.refresh_from_db()
    # A payout that was never sent cannot be confirmed.
    type(unsent).objects.filter(pk=unsent.pk).update(payout_sent_at=None)
    results = tmp_path / "results.csv"
    results.write_text(
        "reference,result,note\n"
        f"{good.reference},paid,\n"
        "WD-2026-999999,paid,\n"
        f"{good.reference},maybe,\n"
        f"{unsent.reference},paid,\n"
    )
    errors = io.StringIO()
    with pytest.raises(CommandError, match="3 errors"):
        call_command("import_payout_results", str(results), stdout=io.StringIO(), stderr=errors)
    report = errors.getvalue()
    assert "line 3: WD-2026-999999: no such application" in report
    assert "line 4: " in report and "the result must be paid or failed" in report
    assert f"line 5: {unsent.reference}: not_sent" in report
    good.refresh_from_db()
    assert good.status == Status.PAID


def test_setup_roles_is_idempotent():
    from django.contrib.auth.models import Group

    call_command("setup_roles", stdout=io.StringIO())
    call_command("setup_roles", stdout=io.StringIO())
    reviewer = Group.objects.get(name="reviewer")
    codes = set(reviewer.permissions.values_list("codename", flat=True))
    assert {"review_application", "verify_life_event", "view_supportingdocument"} <= codes
    assert "approve_application" not in codes
    approver = set(
        Group.objects.get(name="approver").permissions.values_list("codename", flat=True)
    )
    assert {"approve_application", "manage_payouts"} <= approver
    assert "verify_life_event" not in approver
    auditor = Group.objects.get(name="auditor").permissions.values_list("codename", flat=True)
    assert auditor and all(code.startswith("view_") for code in auditor)
