"""The card page: status, financial function and history as the cardholder sees them;
lifting one's own loss report with the password; a cancelled card on every page."""

import re
from datetime import datetime

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import Cardholder, CardStatusChange
from tests.factories import (
    PASSWORD,
    CardholderFactory,
    UserFactory,
    death_claim,
    emigration_claim_paid,
    verify_death,
)
from tests.web.conftest import TZ

pytestmark = pytest.mark.django_db

LIFT = "/card/lift-loss-report/"


def text(response):
    """The page's words, tags and runs of white space folded to single spaces."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def card_of(user):
    return Cardholder.objects.get(user=user)


def rows(user):
    return CardStatusChange.objects.filter(cardholder__user=user).count()


@pytest.fixture
def lost(alice):
    services.card_report_lost(cardholder=card_of(alice), actor=alice)
    return alice


# --- the card page ----------------------------------------------------------------------


def test_the_card_page_shows_status_financial_function_and_no_history_yet(alice_client, alice):
    response = alice_client.get("/card/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="card-status">Active<' in html
    assert card_of(alice).masked_card_number in html
    words = text(response)
    assert (
        "Not activated. To use the card as a bank card, take it and your ID card to a "
        "branch of the card's bank." in words
    )
    assert "No change of the card's status is recorded." in words
    assert 'href="/card/report-lost/"' in html
    assert LIFT not in html


def test_an_activated_financial_function_is_said_without_the_how_to(alice_client, alice):
    Cardholder.objects.filter(user=alice).update(card_financial_activated=True)
    words = text(alice_client.get("/card/"))
    assert "Activated: the card also works as a bank card." in words
    assert "branch of the card's bank" not in words


def test_the_history_is_newest_first_with_dates_as_the_reader_writes_them(alice_client, alice):
    cardholder = card_of(alice)
    for at, old, new, reason in [
        (datetime(2026, 3, 4, 9, 5, tzinfo=TZ), "active", "reported_lost", "reported_lost"),
        (datetime(2026, 3, 6, 17, 30, tzinfo=TZ), "reported_lost", "active", "loss_report_lifted"),
    ]:
        CardStatusChange.objects.create(
            cardholder=cardholder, from_status=old, to_status=new, reason=reason, at=at
        )
    words = text(alice_client.get("/card/"))
    newest = words.index("6 March 2026, 17:30 Reported lost → Active Loss report lifted by the")
    oldest = words.index("4 March 2026, 09:05 Active → Reported lost Reported lost")
    assert newest < oldest

    chinese = text(alice_client.get("/card/", HTTP_ACCEPT_LANGUAGE="zh-CN"))
    assert "2026年3月6日 17:30" in chinese and "2026年3月4日 09:05" in chinese


def test_the_dashboard_links_to_the_card_page(alice_client):
    html = alice_client.get("/").content.decode()
    assert 'href="/card/"' in html


# --- lifting one's own loss report ----------------------------------------------------------


def test_lift_with_the_right_password(client, lost):
    client.force_login(lost)
    page = client.get(LIFT)
    assert page.status_code == 200
    assert 'type="password"' in page.content.decode()

    response = client.post(LIFT, {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/card/"
    assert card_of(lost).card_status == "active"
    html = response.content.decode()
    assert "The loss report is lifted. Your card can be used for payments again." in html
    assert 'data-testid="card-status">Active<' in html
    assert "Loss report lifted by the cardholder" in text(response)
    assert rows(lost) == 2


@pytest.mark.parametrize("password", ["wrong-password", ""])
def test_lift_with_a_wrong_or_no_password_changes_nothing(client, lost, password):
    client.force_login(lost)
    response = client.post(LIFT, {"password": password})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    if password:
        assert "That is not your password." in html
    assert card_of(lost).card_status == "reported_lost"
    assert rows(lost) == 1


def test_wrong_passwords_are_limited_like_logins(client, lost, settings):
    client.force_login(lost)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(LIFT, {"password": "wrong"}).status_code == 400
    locked = client.post(LIFT, {"password": "wrong"})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    # Locked out now, even with the right password: the guessing stops here.
    assert client.post(LIFT, {"password": PASSWORD}).status_code == 429
    assert card_of(lost).card_status == "reported_lost"


def test_lift_is_refused_on_a_cancelled_card(client, lost):
    Cardholder.objects.filter(user=lost).update(card_status="cancelled")
    client.force_login(lost)
    page = client.get(LIFT)
    assert page.status_code == 200
    words = text(page)
    assert "Your card is cancelled" in words
    assert "cannot be put back in use" in words
    assert 'type="password"' not in page.content.decode()
    refused = client.post(LIFT, {"password": PASSWORD})
    assert refused.status_code == 409
    assert card_of(lost).card_status == "cancelled"
    assert rows(lost) == 1


def test_a_card_not_reported_lost_goes_back_to_the_card_page(alice_client):
    response = alice_client.get(LIFT)
    assert response.status_code == 302 and response["Location"] == "/card/"


def test_someone_without_a_card_cannot_lift_anything(client, charlie):
    client.force_login(charlie)
    assert client.post(LIFT, {"password": PASSWORD}).status_code == 302


def test_the_lost_card_pages_point_to_lifting(client, lost):
    client.force_login(lost)
    for url in ("/", "/card/", "/card/report-lost/"):
        html = client.get(url).content.decode()
        assert f'href="{LIFT}"' in html, url
        assert "Found your card? Lift the loss report" in html


# --- a cancelled card -------------------------------------------------------------------------


def test_a_verified_death_shows_the_card_cancelled(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    cardholder = CardholderFactory(user=user)
    application = death_claim(cardholder=cardholder, pension="300.00", medical=None)
    verify_death(application, django_capture_on_commit_callbacks)
    client.force_login(user)

    dashboard = client.get("/")
    html = dashboard.content.decode()
    assert 'data-testid="card-status">Cancelled<' in html
    assert "Your card is cancelled" in html
    assert 'href="/card/report-lost/"' not in html

    card = client.get("/card/")
    words = text(card)
    assert 'data-testid="card-status">Cancelled<' in card.content.decode()
    assert "It was cancelled after a verified death." in words
    assert "Not available: the card is cancelled." in words
    assert "Active → Cancelled Cancelled after a verified death" in words
    assert "branch of the card's bank" not in words

    report = client.post("/card/report-lost/", {"confirm": "on"})
    assert report.status_code == 409
    assert card_of(user).card_status == "cancelled"


def test_a_paid_emigration_shows_the_card_cancelled(
    client, alice, django_capture_on_commit_callbacks
):
    emigration_claim_paid(card_of(alice), django_capture_on_commit_callbacks)
    client.force_login(alice)
    assert 'data-testid="card-status">Cancelled<' in client.get("/").content.decode()
    words = text(client.get("/card/"))
    assert "Your card is cancelled" in words
    assert "paid out on settling abroad" in words
    today = timezone.localdate()
    assert f"{today.day} {today:%B} {today.year}" in words


def test_a_frozen_card_says_who_frees_it(client, alice):
    Cardholder.objects.filter(user=alice).update(card_status="frozen")
    client.force_login(alice)
    words = text(client.get("/card/"))
    assert "The card is frozen; only a service centre can put it back in use." in words
    assert LIFT not in client.get("/card/").content.decode()
    assert client.post(LIFT, {"password": PASSWORD}).status_code == 409
    assert card_of(alice).card_status == "frozen"
