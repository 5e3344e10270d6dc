"""The replacement card in the browser: asked for from the card page with the
password; the card page then shows the request, and after issue the new number
(masked) and the old one cancelled in the history."""

import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts import services
from accounts.models import Cardholder
from cards import services as cards
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

REQUEST = "/card/replacement/"


def text(response):
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_card_page_offers_a_replacement(alice_client):
    html = alice_client.get("/card/").content.decode()
    assert f'href="{REQUEST}"' in html


def test_asking_with_the_password_blocks_a_lost_card(alice_client, alice):
    page = alice_client.get(REQUEST)
    assert page.status_code == 200 and 'type="password"' in page.content.decode()
    response = alice_client.post(REQUEST, {"why": "lost", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/card/"
    card = text(alice_client.get("/card/"))
    assert "Waiting for the service centre" in card and "CR-" in card
    assert Cardholder.objects.get(user=alice).card_status == "reported_lost"


def test_a_wrong_password_is_an_error_on_the_field(alice_client, alice):
    response = alice_client.post(REQUEST, {"why": "damaged", "password": "wrong"})
    assert response.status_code == 400
    assert "That is not your password" in response.content.decode()
    assert not Cardholder.objects.get(user=alice).cases.exists()


def test_a_cancelled_card_is_not_offered_a_replacement(alice_client, alice):
    services.card_cancel_on_death(cardholder=Cardholder.objects.get(user=alice))
    assert f'href="{REQUEST}"' not in alice_client.get("/card/").content.decode()
    refused = alice_client.post(REQUEST, {"why": "lost", "password": PASSWORD})
    assert refused.status_code == 409
    assert "A cancelled card is not replaced." in text(refused)


def test_after_issue_the_page_shows_the_new_number_and_the_old_one_cancelled(alice_client, alice):
    call_command("setup_roles", stdout=io.StringIO())
    reviewer, approver = StaffFactory(username="rita"), StaffFactory(username="arno")
    reviewer.groups.add(Group.objects.get(name="reviewer"))
    approver.groups.add(Group.objects.get(name="approver"))
    holder = Cardholder.objects.get(user=alice)
    old = holder.masked_card_number
    case = cards.replacement_request(applicant=alice, why="damaged")
    cards.replacement_verify(case, actor=reviewer)
    cards.replacement_issue(case, actor=approver, new_card_number="B12345678")
    card = text(alice_client.get("/card/"))
    assert "B****5678" in card and "B12345678" not in card
    assert "New card issued" in card
    assert f"Replaced by a new card; this card number is cancelled {old}" in card
