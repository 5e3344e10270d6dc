"""A cardholder logs in, checks balances against the ledger, pages through history and
switches to Chinese, in a real (headless) browser."""

import re

import pytest

from accounts.models import Account, Cardholder, Scheme
from tests.factories import PASSWORD, CardholderFactory, EmployerFactory, UserFactory
from tests.web.conftest import money, post_months

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cardholder():
    cardholder = CardholderFactory(name="Alice Wang")
    user = UserFactory(username=cardholder.national_id, first_name="Alice Wang")
    Cardholder.objects.filter(pk=cardholder.pk).update(user=user)
    employer = EmployerFactory(name="Acme Tools Ltd")
    post_months(cardholder, employer)
    post_months(cardholder, employer, months=3, scheme=Scheme.MEDICAL)
    return cardholder


def test_cardholder_journey(live_server, page, screenshot, cardholder):
    page.goto(live_server.url + "/")
    assert "/login/" in page.url
    screenshot(page, "login")

    # The ID typed with a lower-case x where it has one, as people do.
    page.get_by_label("National ID number or staff username").fill(cardholder.national_id.lower())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your social insurance"
    screenshot(page, "dashboard")

    for account in Account.objects.filter(cardholder=cardholder):
        shown = page.get_by_test_id(f"{account.kind}-{account.scheme}").inner_text()
        assert shown == money(account.balance)
    pension = Account.objects.get(cardholder=cardholder, scheme="pension", kind="personal")
    assert page.get_by_test_id("personal-pension").inner_text() == money("16000.00")

    # Keyboard users reach the skip link first.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"

    page.locator(f'a[href="/accounts/{pension.pk}/"]').click()
    page.wait_for_url(re.compile(rf".*/accounts/{pension.pk}/$"))
    rows = page.locator("tr[data-entry]")
    assert rows.count() == 20
    first_page = set(rows.evaluate_all("rows => rows.map(r => r.dataset.entry)"))
    screenshot(page, "history-page-1")

    page.get_by_test_id("next").click()
    page.wait_for_url(re.compile(r".*cursor=.*"))
    assert rows.count() == 5
    second_page = set(rows.evaluate_all("rows => rows.map(r => r.dataset.entry)"))
    assert not first_page & second_page
    assert page.get_by_test_id("next").count() == 0
    screenshot(page, "history-page-2")

    page.get_by_test_id("newest").click()
    assert rows.count() == 20

    page.get_by_test_id("language-zh-hans").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "明细" in page.get_by_role("heading", level=2).first.inner_text()
    page.get_by_role("link", name="首页").first.click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "我的社会保险"
    # Chinese pages group thousands as English ones do.
    assert page.get_by_test_id("personal-pension").inner_text() == "¥16,000.00"
    screenshot(page, "dashboard-zh")

    page.get_by_test_id("language-en").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Your social insurance"


def test_phone_layout_has_no_sideways_scroll(live_server, chromium, screenshot, cardholder):
    context = chromium.new_context(viewport={"width": 375, "height": 740}, locale="en-GB")
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.get_by_label("National ID number or staff username").fill(cardholder.national_id)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    screenshot(page, "dashboard-phone")
    context.close()
