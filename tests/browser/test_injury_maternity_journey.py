"""The demo's work injury and maternity in Chromium, with the demo data as seeded: Wu
Gang sees his recognised injury, grade 7 and the one-time disability subsidy paid by the
bank, on his work-injury page and on his record (in English, then the page in Chinese); Zhou
Ting submits the maternity claim waiting for her and sees what happens next."""

import importlib
import io
import re

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from maternity.models import MaternityClaim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The seed reads the reference data the data migrations put in (average wages, yearly
# increases, funds, demo figures), which an earlier transactional test's flush removed:
# each of these steps is idempotent and puts its rows back.
DATA_MIGRATIONS = (
    ("pensions", "0002_illustrative_average_wages", "forwards"),
    ("pensions", "0005_national_pension_increases", "forwards"),
    ("pensions", "0006_living_check", "illustrative_wages"),
    ("pensions", "0008_retiree_medical_credit", "forwards"),
    ("benefits", "0003_seed_demo_benefit_amounts", "seed"),
    ("benefits", "0005_seed_demo_unemployed_medical", "seed"),
    ("benefits", "0007_seed_demo_skill_subsidy_amounts", "seed"),
    ("withdrawals", "0009_seed_demo_heir_notice_and_survivor_figures", "seed"),
    ("withdrawals", "0010_survivor_months_per_further_year_as_a_fraction", "national_structure"),
    ("workinjury", "0003_work_injury_funds", "forwards"),
    ("workinjury", "0005_illustrative_national_incomes", "forwards"),
    ("workinjury", "0007_demo_nursing_allowance_rates", "forwards"),
)


@pytest.fixture
def reference_data():
    from django.apps import apps

    for app, name, step in DATA_MIGRATIONS:
        getattr(importlib.import_module(f"{app}.migrations.{name}"), step)(apps, None)


WU_GANG = "440303198808090015"
ZHOU_TING = "320102199205060028"


def log_in(page, base, username):
    """Log in with the demo password, in whichever language the page speaks."""
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def new_page(chromium, language="en"):
    chinese = language == "zh-hans"
    context = chromium.new_context(
        locale="zh-CN" if chinese else "en-GB",
        extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9" if chinese else "en-GB,en"},
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_wu_gangs_injury_and_zhou_tings_maternity_claim(
    chromium, live_server, screenshot, settings, reference_data
):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    base = live_server.url
    errors = []

    context, page = new_page(chromium)
    page.on("pageerror", lambda error: errors.append(error))
    log_in(page, base, WU_GANG)
    page.goto(f"{base}/work-injury/")
    recognition = page.get_by_test_id("recognition")
    assert "Recognised as a work injury" in recognition.inner_text()
    assert page.get_by_test_id("grade").inner_text() == "7"
    benefits = page.get_by_test_id("benefits")
    assert page.get_by_test_id("own-wage").inner_text() == "11000.00"
    assert page.get_by_test_id("subsidy").inner_text() == "143000.00"
    assert "13 months × 11000.00 = 143000.00" in benefits.inner_text()
    paid = page.locator('[data-testid=payments] tr[data-kind="one_time_subsidy"]')
    assert paid.count() == 1
    assert "One-time disability subsidy" in paid.inner_text()
    assert "143,000.00" in paid.inner_text()
    # Sent to the bank in a batch and confirmed: the line says when the bank paid it.
    assert paid.get_attribute("data-status") == "paid"
    status = paid.get_by_test_id("payment-status").inner_text()
    assert re.fullmatch(r"paid on \d{4}-\d{2}-\d{2}", status), status
    assert re.search(r"WIS-\d{6}", paid.inner_text())
    screenshot(page, "work-injury")

    page.goto(f"{base}/record/")
    record = page.locator("main").inner_text()
    assert "Work injury recognised" in record and "disability grade 7" in record
    screenshot(page, "record")
    context.close()

    context, page = new_page(chromium, "zh-hans")
    log_in(page, base, WU_GANG)
    page.goto(f"{base}/work-injury/")
    assert "已认定为工伤" in page.get_by_test_id("recognition").inner_text()
    assert "伤残等级" in page.get_by_test_id("appraisal").inner_text()
    assert page.get_by_test_id("subsidy").inner_text() == "143000.00"
    screenshot(page, "work-injury-zh")
    context.close()

    context, page = new_page(chromium)
    page.on("pageerror", lambda error: errors.append(error))
    log_in(page, base, ZHOU_TING)
    page.goto(f"{base}/maternity/")
    assert page.get_by_test_id("status").inner_text() == "Draft"
    assert "98 by national rule + 30 added by your region = 128 days" in (
        page.get_by_test_id("allowance").inner_text()
    )
    screenshot(page, "maternity-ready")
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    # The documents are checked at once; staff decide next.
    assert page.get_by_test_id("status").inner_text() == "Awaiting decision"
    assert page.get_by_test_id("next-step").inner_text() == (
        "A member of staff will verify your claim and another will decide."
    )
    assert page.get_by_test_id("submit").count() == 0
    screenshot(page, "maternity-submitted")
    context.close()
    claim = MaternityClaim.objects.get(cardholder__card_number="A10000008")
    assert claim.status == "awaiting_decision"
    assert not errors, errors
