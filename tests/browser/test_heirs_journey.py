"""A death claim with two heirs in Chromium: the lead heir names both (a refusal first),
the co-heir joins from the invitation page, a reviewer verifies and an approver
approves in the admin, and both heirs see their payments, the insured heir's medical
share in his own medical account."""

import io
import re
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import Account
from accounts.validators import generate_national_id
from tests.browser.test_claim_journeys import log_in, upload
from tests.browser.test_staff_review import log_in as staff_log_in
from tests.factories import CardholderFactory, StaffFactory, UserFactory, fund
from withdrawals.models import HeirPayout, Status, WithdrawalApplication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIU_YANG_ID = generate_national_id("440305", date(1982, 6, 11), 3, "M")
LIU_QIANG_ID = generate_national_id("440305", date(1954, 7, 11), 3, "M")
BANK = "Bank of Example"


def fill_heir(page, index, number, name, relationship, share):
    page.locator(f"input[name=heirs-{index}-national_id]").fill(number)
    page.locator(f"input[name=heirs-{index}-name]").fill(name)
    page.locator(f"select[name=heirs-{index}-relationship]").select_option(relationship)
    page.locator(f"input[name=heirs-{index}-share]").fill(share)


def test_two_heirs_declare_join_and_are_paid_by_share(chromium, live_server, screenshot):
    base = live_server.url
    call_command("setup_roles", stdout=io.StringIO())
    rita = StaffFactory(username="rita")
    rita.groups.add(Group.objects.get(name="reviewer"))
    alan = StaffFactory(username="alan")
    alan.groups.add(Group.objects.get(name="approver"))
    wang_fang = CardholderFactory(name="Wang Fang")
    fund(wang_fang, "pension", "1000.00")
    fund(wang_fang, "medical", "200.00")
    UserFactory(username=LIU_YANG_ID, first_name="Liu Yang")
    UserFactory(username=LIU_QIANG_ID, first_name="Liu Qiang")
    # Liu Yang is insured himself: his medical share goes into his own medical account.
    liu_yang_card = CardholderFactory(name="Liu Yang", national_id=LIU_YANG_ID)

    # --- Liu Yang, the lead heir -------------------------------------------------------
    lead = chromium.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en-GB"})
    page = lead.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    log_in(page, base, LIU_YANG_ID)
    page.goto(f"{base}/withdrawals/new/")
    page.get_by_label("Their national ID number").fill(wang_fang.national_id)
    page.get_by_label("Their full name").fill("Wang Fang")
    page.get_by_label("Their social security card number").fill(wang_fang.card_number)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/withdrawals/new/details/")
    page.get_by_label("Your relationship to the person who died").select_option("child")
    page.get_by_label("Bank", exact=True).fill(BANK)
    page.get_by_label("Name of the account holder").fill("Liu Yang")
    page.get_by_label("Bank account number").fill("6222 0202 0011 2233 445")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r".*/withdrawals/\d+/heirs/$"))
    application = WithdrawalApplication.objects.get(cardholder=wang_fang)

    # He is the first row already; the second row is blank.
    assert page.locator("input[name=heirs-0-national_id]").input_value() == LIU_YANG_ID
    page.locator("input[name=heirs-0-share]").fill("1/2")
    fill_heir(page, 1, LIU_QIANG_ID, "Liu Qiang", "spouse", "1/3")
    page.get_by_test_id("add-heir").click()
    assert page.locator("input[name=heirs-2-national_id]").count() == 1
    assert page.locator("input[name=heirs-1-share]").input_value() == "1/3"
    page.get_by_label("Agreement signed by every heir").check()
    page.get_by_test_id("save-heirs").click()
    summary = page.get_by_test_id("error-summary").inner_text()
    assert "The shares add up to 5/6" in summary
    screenshot(page, "heirs-refused")

    page.locator("input[name=heirs-1-share]").fill("1/2")
    page.get_by_test_id("save-heirs").click()
    page.wait_for_url(f"{base}/withdrawals/{application.pk}/documents/")
    screenshot(page, "documents")
    upload(page, "death_certificate", "death-certificate.pdf")
    upload(page, "heirship_proof", "household-register.pdf")
    upload(page, "applicant_id", "my-id.pdf")
    upload(page, "heirs_agreement", "agreement.pdf")
    page.get_by_test_id("documents-continue").click()
    page.wait_for_url(f"{base}/withdrawals/{application.pk}/review/")
    page.get_by_test_id("submit-application").click()
    page.wait_for_url(f"{base}/withdrawals/{application.pk}/")
    heirs_table = page.get_by_test_id("heirs").inner_text()
    assert "Liu Qiang" in heirs_table and "Not yet" in heirs_table
    screenshot(page, "submitted")

    # --- Liu Qiang joins from his invitations -------------------------------------------
    co = chromium.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en-GB"})
    co_page = co.new_page()
    co_page.on("pageerror", lambda error: errors.append(error))
    log_in(co_page, base, LIU_QIANG_ID)
    co_page.goto(f"{base}/withdrawals/invitations/")
    invitation = co_page.get_by_test_id(f"invitation-{application.pk}")
    assert invitation.get_by_test_id("my-share").inner_text() == "1/2"
    invitation.get_by_label("Bank", exact=True).fill(BANK)
    invitation.get_by_label("Account holder (your name, as on your identity card)").fill(
        "Liu Qiang"
    )
    invitation.get_by_label("Bank account number").fill("6222 0202 0099 8877 665")
    invitation.get_by_label("I confirm that these are the heirs and their shares.").check()
    invitation.get_by_test_id("join").click()
    co_page.wait_for_url(f"{base}/withdrawals/invitations/")
    assert "You have joined the claim" in co_page.inner_text("main")
    screenshot(co_page, "joined")

    # --- staff: rita verifies, alan approves --------------------------------------------
    context, admin = staff_log_in(chromium, live_server, rita)
    admin.goto(f"{base}/admin/withdrawals/withdrawalapplication/{application.pk}/change/")
    assert admin.locator("#heirs .heir-row").count() == 2
    form = admin.locator("#action-verify_death")
    form.locator("input[type=date]").fill("2026-01-05")
    form.locator("input[name='verify_death-certificate_number']").fill("DC-2026-0105")
    form.locator("input[type=submit]").click()
    admin.wait_for_selector(".messagelist")
    admin.locator("#action-verify_applicant input[type=submit]").click()
    admin.wait_for_selector(".messagelist")
    heir_form = admin.locator("#action-verify_heir")
    heir_form.locator("input[name='verify_heir-national_id']").fill(LIU_QIANG_ID)
    heir_form.locator("input[type=submit]").click()
    admin.wait_for_selector(".messagelist")
    assert "heir's identity is recorded as checked" in admin.inner_text(".messagelist")
    assert "rita" in admin.locator("#heirs .heir-row").nth(1).locator(".heir-verified").inner_text()
    screenshot(admin, "heirs-verified")
    context.close()

    context, admin = staff_log_in(chromium, live_server, alan)
    admin.goto(f"{base}/admin/withdrawals/withdrawalapplication/{application.pk}/change/")
    assert "Every rule is met" in admin.inner_text("#eligibility")
    admin.locator("#action-approve a").click()
    admin.locator("input[name='approve-confirm']").check()
    admin.locator("#action-approve input[type=submit]").click()
    admin.wait_for_selector(".messagelist")
    assert admin.get_attribute("#application-status", "data-status") == "approved"
    payouts = admin.locator("#heirs").inner_text()
    assert "own medical personal account" in payouts
    screenshot(admin, "approved")
    context.close()

    # --- both heirs see their payments ----------------------------------------------------
    page.goto(f"{base}/withdrawals/{application.pk}/")
    liu_yang_row = page.get_by_test_id("heir-1").inner_text()
    assert "Medical personal account: ¥100.00 — The heir's own medical personal account, Paid" in (
        liu_yang_row
    )
    assert "Pension personal account: ¥500.00 — Bank account" in liu_yang_row
    screenshot(page, "lead-payouts")
    co_page.goto(f"{base}/withdrawals/invitations/")
    mine = co_page.get_by_test_id("my-payouts").inner_text()
    assert "Pension personal account: ¥500.00" in mine
    assert "Medical personal account: ¥100.00" in mine
    screenshot(co_page, "co-heir-payouts")
    lead.close()
    co.close()

    application.refresh_from_db()
    assert application.status == Status.APPROVED
    own = liu_yang_card.accounts.get(kind=Account.Kind.PERSONAL, scheme="medical")
    assert own.balance >= 100
    assert HeirPayout.objects.filter(heir__application=application).count() == 4
    assert errors == []
    call_command("ledger_audit", stdout=io.StringIO())
