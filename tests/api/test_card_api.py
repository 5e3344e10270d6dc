"""The card over the API: its history, and lifting one's own loss report with the password."""

import pytest

from accounts import services
from accounts.models import Cardholder, CardStatusChange
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CARD = "/api/v1/me/card/"
LIFT = "/api/v1/me/card/lift-loss-report/"


def test_the_card_with_its_history_newest_first(cast):
    services.card_report_lost(cardholder=cast.alice_card, actor=cast.alice)
    services.card_lift_loss_report(cardholder=cast.alice_card, actor=cast.alice)
    response = cast.client("alice").get(CARD)
    assert response.status_code == 200
    body = response.json()
    assert body["card_status"] == "active"
    assert body["masked_card_number"] == cast.alice_card.masked_card_number
    assert body["card_financial_activated"] is False
    assert (body["can_report_lost"], body["can_lift_loss_report"]) == (True, False)
    assert [(row["from_status"], row["to_status"], row["reason"]) for row in body["history"]] == [
        ("reported_lost", "active", "loss_report_lifted"),
        ("active", "reported_lost", "reported_lost"),
    ]
    assert body["history"][0]["reason_label"] == "Loss report lifted by the cardholder"
    assert cast.alice_card.card_number not in str(body)


def test_the_existing_me_card_fields_are_unchanged(cast):
    card = cast.client("alice").get("/api/v1/me/").json()["cardholder"]
    assert set(card) == {
        "name",
        "masked_national_id",
        "masked_card_number",
        "card_status",
        "card_financial_activated",
        "life_status",
        "employment_status",
    }


def test_an_heir_has_no_card(cast):
    assert cast.client("harry").get(CARD).status_code == 404
    assert cast.client("harry").post(LIFT, {"password": PASSWORD}).status_code == 404
    assert cast.client("anonymous").get(CARD).status_code in (401, 403)


def test_lift_with_the_password(cast):
    services.card_report_lost(cardholder=cast.alice_card, actor=cast.alice)
    response = cast.client("alice").post(LIFT, {"password": PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["card_status"] == "active"
    assert body["history"][0]["reason"] == "loss_report_lifted"
    assert Cardholder.objects.get(pk=cast.alice_card.pk).card_status == "active"


@pytest.mark.parametrize("data", [{"password": "not-it"}, {}])
def test_lift_with_a_wrong_or_missing_password_names_the_field(cast, data):
    services.card_report_lost(cardholder=cast.alice_card, actor=cast.alice)
    response = cast.client("alice").post(LIFT, data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert list(body["fields"]) == ["password"]
    assert Cardholder.objects.get(pk=cast.alice_card.pk).card_status == "reported_lost"
    assert CardStatusChange.objects.filter(cardholder=cast.alice_card).count() == 1


def test_wrong_passwords_lock_out_like_logins(cast, settings):
    services.card_report_lost(cardholder=cast.alice_card, actor=cast.alice)
    client = cast.client("alice")
    statuses = [
        client.post(LIFT, {"password": "not-it"}, format="json").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = client.post(LIFT, {"password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert Cardholder.objects.get(pk=cast.alice_card.pk).card_status == "reported_lost"


def test_lift_on_a_cancelled_card_is_refused(cast):
    Cardholder.objects.filter(pk=cast.alice_card.pk).update(card_status="cancelled")
    response = cast.client("alice").post(LIFT, {"password": PASSWORD}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "card_cancelled"
    assert list(body["fields"]) == ["card_status"]
    assert "cannot be used again" in body["message"]
    assert Cardholder.objects.get(pk=cast.alice_card.pk).card_status == "cancelled"
