"""The staff page with its buttons, the cardholder's page, and the wage file import."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from maternity.models import EmployerAverageWage, MaternityClaim
from maternity.wage_import import import_average_wages
from tests.conftest import otp_login
from tests.factories import upload
from tests.maternity.test_claim_services import submitted


@pytest.fixture
def claim(mia, django_capture_on_commit_callbacks):
    return submitted(mia, django_capture_on_commit_callbacks)


def action(client, claim, name, **data):
    url = reverse("admin:maternity_maternityclaim_action", args=[claim.pk, name])
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_one_verifies_another_approves_in_the_admin(client, claim, rita, amos):
    otp_login(client, rita)
    page = client.get(reverse("admin:maternity_maternityclaim_change", args=[claim.pk]))
    text = page.content.decode()
    assert 'id="action-verify"' in text and 'data-code="maternity_not_verified"' in text
    assert "98 days × 9,000.00 yuan" in text
    assert "recorded as verified" in action(client, claim, "verify")
    # The verifier holds no approval permission: nothing changes.
    action(client, claim, "approve")
    assert MaternityClaim.objects.get(pk=claim.pk).status == "awaiting_decision"
    otp_login(client, amos)
    assert "on its way to the bank" in action(client, claim, "approve")
    assert "confirmed by the bank" in action(client, claim, "mark_paid")
    assert MaternityClaim.objects.get(pk=claim.pk).status == "paid"


def test_the_cardholder_page_explains_the_amount(client, mia):
    client.force_login(mia)
    response = client.post(
        reverse("maternity:apply"),
        {
            "event": "birth",
            "date": "2026-11-10",
            "babies": "1",
            "bank_name": "Bank of Nanjing",
            "bank_account_number": "6222000011112222",
        },
    )
    assert response.status_code == 302
    text = client.get(reverse("maternity:claim")).content.decode()
    assert "29,400.00" in text and "98 days" in text
    assert 'data-code="maternity_missing_proof"' in text
    client.post(reverse("maternity:claim_upload"), {"kind": "birth_certificate", "file": upload()})
    client.post(reverse("maternity:claim_submit"))
    assert MaternityClaim.objects.get().status != "draft"


def test_a_refusal_on_the_page_names_the_rule(client, mia, wage):
    wage.delete()
    client.force_login(mia)
    response = client.post(
        reverse("maternity:apply"), {"event": "birth", "date": "2026-11-10", "babies": "1"}
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert 'data-code="maternity_missing_average_wage"' in text and "60 days" in text


def test_the_wage_file_reports_bad_rows_by_line(employer, wage):
    good = f"{employer.credit_code},2024,8500.00,Employer report"
    text = "\n".join(
        [
            "employer_credit_code,year,average_monthly_wage,source",
            good,
            "91110105000000099X,2024,1.00,x",
            f"{employer.credit_code},2999,1.00,x",
            f"{employer.credit_code},2023,12.345,x",
            f"{employer.credit_code},2023,0,x",
            good,
            f"{employer.credit_code},2025,9100.00,Employer report",
        ]
    )
    summary = import_average_wages(io.StringIO(text))
    codes = [(r.line, r.code) for r in summary.rejects]
    assert codes[0][0] == 3 and codes[0][1] in ("invalid_credit_code", "unknown_employer")
    assert codes[1:] == [
        (4, "future_year"),
        (5, "too_many_decimals"),
        (6, "zero_wage"),
        (7, "duplicate_row"),
        (8, "differs_from_record"),  # 2025 is recorded as 9000.00 by the fixture
    ]
    assert summary.rows_written == 1
    assert EmployerAverageWage.objects.get(employer=employer, year=2024).amount == 8500
    again = import_average_wages(io.StringIO(text))
    assert again.rows_written == 0 and again.rows_already_recorded == 1


def test_the_command(employer, wage, tmp_path):
    path = tmp_path / "wages.csv"
    path.write_text(
        "employer_credit_code,year,average_monthly_wage,source\n"
        f"{employer.credit_code},2024,8000.00,Report\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_average_wages", str(path), stdout=out)
    assert "1 recorded" in out.getvalue()
