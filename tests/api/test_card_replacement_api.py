"""A replacement card over the API: asked for with the password; the card body keeps
its fields and adds the request."""

import pytest

from accounts import services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CARD = "/api/v1/me/card/"
REPLACE = "/api/v1/me/card/replacement/"


def test_the_card_says_a_replacement_may_be_asked_for(cast):
    body = cast.client("alice").get(CARD).json()
    assert body["replacement"] is None and body["can_request_replacement"] is True
    assert {"masked_card_number", "card_status", "history", "can_report_lost"} <= set(body)


def test_asking_with_the_password(cast):
    response = cast.client("alice").post(
        REPLACE, {"why": "lost", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["card_status"] == "reported_lost"
    assert body["replacement"]["status"] == "submitted"
    assert body["replacement"]["requested_at"]
    assert body["can_request_replacement"] is False
    again = cast.client("alice").post(REPLACE, {"why": "lost", "password": PASSWORD}, format="json")
    assert again.status_code == 422 and again.json()["code"] == "replacement_request_open"


def test_a_wrong_password_names_the_field(cast):
    response = cast.client("alice").post(
        REPLACE, {"why": "lost", "password": "nope"}, format="json"
    )
    assert response.status_code == 400 and "password" in str(response.json())
    assert cast.client("alice").get(CARD).json()["replacement"] is None


def test_a_cancelled_card_answers_its_code(cast):
    services.card_cancel_on_death(cardholder=cast.alice_card)
    response = cast.client("alice").post(
        REPLACE, {"why": "damaged", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "replacement_card_cancelled" and body["how_to_contest"]


def test_a_bad_reason_names_the_field(cast):
    response = cast.client("alice").post(
        REPLACE, {"why": "bored", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400 and "why" in str(response.json())
