"""Pages say what is true: nothing chosen for the person, "not now" for someone living
in China, no statement for a year without a record, the project's own error pages."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Cardholder
from casework import notes
from tests.factories import CardholderFactory, UserFactory, fund
from tests.web.test_withdrawal_pages import text
from withdrawals import notes as withdrawal_notes


@pytest.fixture
def resident(db):
    """Working and living in China, with a pension balance."""
    user = UserFactory(username="wendy", first_name="Wendy Zhou")
    cardholder = CardholderFactory(user=user, name="Wendy Zhou")
    assert cardholder.life_status == Cardholder.LifeStatus.LIVING
    fund(cardholder, "pension", "5000.00")
    return user


def test_the_check_preselects_no_answer(client, resident):
    client.force_login(resident)
    page = client.get(reverse("withdrawals:check"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="reason"' in page
    assert "checked" not in page
    # Without JavaScript the death fields stay, under a legend saying when they apply.
    assert 'data-show-for-reason="death"' in page
    assert "Only after a death" in page


def test_a_living_resident_asking_about_emigration_is_told_not_now(client, resident):
    client.force_login(resident)
    response = client.post(
        reverse("withdrawals:check"), {"reason": "emigration"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    page = text(response)
    assert "Yes, you can apply" not in page
    assert "Not now" in page
    assert 'data-code="still_resident"' in page
    assert "living in China" in page
    assert "Legal basis:" in page and "Order No. 13" in page


def test_not_now_in_chinese_too(client, resident):
    client.force_login(resident)
    response = client.post(
        reverse("withdrawals:check"), {"reason": "emigration"}, HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert 'data-code="still_resident"' in response.content.decode()


def test_a_year_without_a_record_has_no_statement(alice_client):
    index = alice_client.get("/statement/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/statement/1900/" not in index
    for url in ("/statement/1900/", "/statement/1900.pdf"):
        response = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        page = response.content.decode()
        assert 'data-testid="no-record"' in page
        assert "No record for 1900" in page


def test_a_year_with_a_record_has_its_statement(alice_client):
    index = alice_client.get("/statement/").content.decode()
    years = re.findall(r'href="/statement/(\d{4})/"', index)
    assert years
    for year in years:
        assert alice_client.get(f"/statement/{year}/").status_code == 200


def test_a_cleared_cookie_gets_the_projects_csrf_page(db, resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.post(
        reverse("withdrawals:check"), {"reason": "emigration"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert 'data-testid="csrf-failure"' in page
    assert "This form has expired" in page
    assert "CSRF" not in page


@pytest.mark.parametrize("url", ["/no-such-page/", "/statement/notayear/"])
def test_the_demo_with_debug_on_shows_the_projects_404(client, settings, url, db):
    settings.DEBUG = True
    settings.SSCARD_DEMO = True
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Using the URLconf" not in page
    assert "Error 404" in page
    assert "Page not found" in page


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "The bank could not make the payment."), ("zh-hans", "银行无法完成付款。")],
)
def test_the_banks_own_remark_is_for_staff_not_for_the_applicant(language, message):
    params = {"text": "ACCT CLOSED R03 ref 88812"}
    assert notes.render(withdrawal_notes.PAYOUT_FAILED, params) == params["text"]
    with translation.override(language):
        shown = notes.render(withdrawal_notes.PAYOUT_FAILED, params, for_applicant=True)
    assert shown == message
