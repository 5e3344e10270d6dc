"""A claim through the staff admin in Chromium: review, preview, verify, approve, export."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import Account
from tests.conftest import totp_code
from tests.factories import PASSWORD, StaffFactory, death_claim
from withdrawals import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(chromium, live_server, user):
    """The admin login: password and the code of the staff member's authenticator."""
    context = chromium.new_context(accept_downloads=True, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", totp_code(user))
    page.click("input[type=submit]")
    page.wait_for_selector("#staff-dashboard")
    return context, page


def test_reviewer_verifies_approver_approves_and_the_batch_pays_it(
    chromium, live_server, screenshot
):
    call_command("setup_roles", stdout=io.StringIO())
    from django.contrib.auth.models import Group

    rita = StaffFactory(username="rita")
    rita.groups.add(Group.objects.get(name="reviewer"))
    alan = StaffFactory(username="alan")
    alan.groups.add(Group.objects.get(name="approver"))
    application = death_claim(pension="1000.00", medical="200.00")
    # Committed for real here: the document check runs after commit (in process).
    services.application_submit(application, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == "awaiting_decision"

    # The reviewer opens the queue, the claim, and previews the death certificate.
    context, page = log_in(chromium, live_server, rita)
    page.goto(f"{live_server.url}/admin/withdrawals/withdrawalapplication/")
    row = page.locator("#result_list tbody tr", has_text=application.reference)
    assert "¥1,200.00" in row.inner_text()
    screenshot(page, "queue")
    row.locator("a", has_text=application.reference).click()
    page.wait_for_selector("#eligibility")
    assert "not allowed" in page.inner_text("#eligibility")
    certificate = page.locator(".sscard-doc[data-kind=death_certificate]")
    frame = certificate.locator("iframe")
    src = frame.get_attribute("src")
    preview = context.request.get(f"{live_server.url}{src}")
    assert preview.status == 200
    assert preview.headers["content-type"] == "application/pdf"
    assert preview.headers["content-security-policy"].startswith("default-src 'none'")
    assert preview.headers["x-content-type-options"] == "nosniff"
    assert preview.body().startswith(b"%PDF")
    screenshot(page, "application")

    # …and verifies the death.
    form = page.locator("#action-verify_death")
    form.locator("input[type=date]").fill("2026-01-05")
    form.locator("input[name='verify_death-certificate_number']").fill("DC-2026-0105")
    form.locator("input[type=submit]").click()
    page.wait_for_selector(".messagelist")
    assert "Death verified" in page.inner_text(".messagelist")
    assert page.inner_text("#life-status") == "Deceased"
    assert "allowed" in page.inner_text("#eligibility")
    assert "not allowed" not in page.inner_text("#eligibility")
    assert page.locator("#action-approve").count() == 0  # not the reviewer's to press
    page.locator("#action-verify_applicant input[type=submit]").click()
    page.wait_for_selector(".messagelist")
    assert "identity is recorded as checked" in page.inner_text(".messagelist")
    screenshot(page, "verified")
    context.close()

    # The approver approves.
    context, page = log_in(chromium, live_server, alan)
    page.goto(f"{live_server.url}/admin/withdrawals/withdrawalapplication/{application.pk}/change/")
    page.locator("#action-approve a").click()
    # The confirmation page: amount, payee and accounts before anything moves.
    assert "¥1,200.00" in page.inner_text("#approval-confirmation")
    assert "Heir Example" in page.inner_text("#confirm-payee")
    page.locator("input[name='approve-confirm']").check()
    page.locator("#action-approve input[type=submit]").click()
    page.wait_for_selector(".messagelist")
    assert "Approved" in page.inner_text(".messagelist")
    assert page.get_attribute("#application-status", "data-status") == "approved"
    screenshot(page, "approved")

    # The payout batch contains the application.
    page.goto(f"{live_server.url}/admin/withdrawals/withdrawalapplication/payouts/")
    assert application.reference in page.inner_text("#payout-export")
    with page.expect_download() as download_info:
        page.click("#export-batch")
    batch = Path(download_info.value.path()).read_text()
    assert f"{application.reference},Heir Example,Bank of Example" in batch
    assert batch.strip().endswith("1200.00")
    page.locator("#mark-sent input[type=submit]").click()
    page.wait_for_selector(".messagelist")
    assert "marked as sent" in page.inner_text(".messagelist")
    screenshot(page, "payouts")
    context.close()

    application.refresh_from_db()
    assert application.status == "approved"
    assert application.payout_sent_at is not None
    for account in application.cardholder.accounts.filter(kind=Account.Kind.PERSONAL):
        assert account.balance == Decimal("0.00")
        assert account.status == Account.Status.CLOSED
    call_command("ledger_audit", stdout=io.StringIO())
