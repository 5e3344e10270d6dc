"""Unemployment in Chromium: a person whose employer ended her contract registers,
claims the benefit with the termination certificate, a reviewer verifies and an
approver approves in the admin, the monthly run pays, and she sees the payment."""

import importlib
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from benefits import payment_run
from benefits.models import BenefitPayment, UnemploymentClaim
from tests.benefits.conftest import contribute, last_day_of_last_month
from tests.browser.test_claim_journeys import log_in, pdf_file
from tests.browser.test_staff_review import log_in as staff_log_in
from tests.factories import CardholderFactory, EmployerFactory, StaffFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUN_LI = "110108198903120045"


@pytest.fixture
def regional_figures():
    """The demo benefit figures come from data migrations that a transactional test's
    flush removed: put them back."""
    from django.apps import apps

    for name in ("0003_seed_demo_benefit_amounts", "0005_seed_demo_unemployed_medical"):
        importlib.import_module(f"benefits.migrations.{name}").seed(apps, None)


def test_register_claim_approval_and_the_first_payment(
    chromium, live_server, screenshot, regional_figures
):
    base = live_server.url
    call_command("setup_roles", stdout=io.StringIO())
    rita = StaffFactory(username="rita")
    rita.groups.add(Group.objects.get(name="reviewer"))
    alan = StaffFactory(username="alan")
    alan.groups.add(Group.objects.get(name="approver"))
    user = UserFactory(username=SUN_LI, first_name="Sun Li")
    holder = CardholderFactory(user=user, name="Sun Li", national_id=SUN_LI, gender="F")
    ended = last_day_of_last_month()
    # Seven years of unemployment contributions up to the month the job ended.
    contribute(holder, months=84, last=ended.replace(day=1), employer=EmployerFactory())

    context = chromium.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    log_in(page, base, SUN_LI)
    page.goto(f"{base}/unemployment/")
    form = page.get_by_test_id("register-form")
    form.get_by_label("The day your job ended").fill(ended.isoformat())
    form.get_by_label("How the job ended").select_option("employer_terminated")
    form.get_by_label("I am seeking work and can start a suitable job").check()
    form.get_by_role("button", name="Register").click()
    page.get_by_test_id("start-claim").click()
    page.get_by_test_id("upload-form").wait_for()
    screenshot(page, "claim-started")
    upload_form = page.get_by_test_id("upload-form")
    upload_form.get_by_label("Kind of document").select_option("termination_certificate")
    upload_form.get_by_label("File").set_input_files(pdf_file("termination.pdf"))
    upload_form.get_by_role("button", name="Upload").click()
    assert "termination.pdf" in page.locator(".file-list").inner_text()
    page.get_by_test_id("submit").click()
    page.get_by_test_id("status").wait_for()
    claim = UnemploymentClaim.objects.get(cardholder=holder)
    assert claim.status == "awaiting_decision"

    # Two members of staff: one verifies, the other approves.
    change = f"{base}/admin/benefits/unemploymentclaim/{claim.pk}/change/"
    for person, action in ((rita, "verify"), (alan, "approve")):
        staff_context, staff_page = staff_log_in(chromium, live_server, person)
        staff_page.goto(change)
        staff_page.locator(f"#action-{action} input[type=submit]").click()
        staff_page.locator("#claim-summary").wait_for()
        staff_context.close()
    claim.refresh_from_db()
    assert (claim.status, claim.months_entitled) == ("in_payment", 18)

    payment_run.pay_month(f"{claim.starts_on:%Y-%m}")
    assert BenefitPayment.objects.filter(claim=claim).count() == 1

    page.goto(f"{base}/unemployment/")
    assert page.get_by_test_id("months-paid").inner_text() == "1"
    assert page.get_by_test_id("months-left").inner_text() == "17"
    payments = page.get_by_test_id("payments").inner_text()
    assert f"¥{claim.monthly_amount:,.2f}" in payments
    assert f"{claim.starts_on:%B %Y}" in payments  # "December 2026", not "2026-12"
    screenshot(page, "first-payment")
    assert errors == []
    context.close()
