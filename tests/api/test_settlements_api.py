"""Medical settlements by institutions: API keys, idempotency, refusals."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Cardholder, InstitutionAPIKey, LedgerTransaction, Settlement
from tests.api.conftest import personal
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/settlements/"


def settle(client, key, **body):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(URL, body, format="json", **headers)


def test_settlement_debits_the_medical_account(cast):
    account = personal(cast.alice_card)

    response = settle(
        cast.client("institution"),
        "sale-1",
        card_number=cast.alice_card.card_number,
        amount="35.20",
        description="Cough syrup",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == "35.20"
    assert body["description"] == "Cough syrup"
    assert body["institution"] == cast.pharmacy.code
    assert body["card_number"] != cast.alice_card.card_number  # masked
    account.refresh_from_db()
    assert account.balance == Decimal("564.80")


def test_replay_with_the_same_body_returns_the_same_response_and_moves_nothing(cast):
    client = cast.client("institution")
    body = {"card_number": cast.alice_card.card_number, "amount": "10.00", "description": "x"}

    first = settle(client, "sale-2", **body)
    second = settle(client, "sale-2", **body)

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Settlement.objects.count() == 1
    assert personal(cast.alice_card).balance == Decimal("590.00")


def test_same_key_with_another_body_is_409(cast):
    client = cast.client("institution")
    card = cast.alice_card.card_number
    settle(client, "sale-3", card_number=card, amount="10.00", description="x")

    response = settle(client, "sale-3", card_number=card, amount="11.00", description="x")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "idempotency_conflict"
    assert "Idempotency-Key" in body["fields"]
    assert personal(cast.alice_card).balance == Decimal("590.00")


def test_the_same_key_at_two_institutions_are_two_settlements(cast):
    other = InstitutionFactory()
    _obj, other_key = InstitutionAPIKey.objects.create_key(name="k", institution=other)
    other_client = APIClient()
    other_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {other_key}")
    body = {"card_number": cast.alice_card.card_number, "amount": "1.00", "description": ""}

    assert settle(cast.client("institution"), "k1", **body).status_code == 201
    assert settle(other_client, "k1", **body).status_code == 201
    assert Settlement.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "abc"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "0.00"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "1e5"}, "amount"),
        ({"amount": None}, "amount"),
        ({"amount": ["1"]}, "amount"),
        ({"card_number": None}, "card_number"),
        ({"description": "x" * 256}, "description"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(cast, body, field):
    full = {"card_number": cast.alice_card.card_number, "amount": "1.00", "description": ""}
    full.update(body)
    full = {k: v for k, v in full.items() if v is not None}

    response = settle(cast.client("institution"), "bad-1", **full)

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert Settlement.objects.count() == 0


def test_missing_card_number_is_400(cast):
    response = settle(cast.client("institution"), "bad-2", amount="1.00")

    assert response.status_code == 400
    assert "card_number" in response.json()["fields"]


def test_missing_idempotency_key_is_400(cast):
    response = settle(
        cast.client("institution"), None, card_number=cast.alice_card.card_number, amount="1.00"
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("overdraft", "insufficient_balance"),
        ("lost", "card_not_active"),
        ("closed", "account_closed"),
        ("unknown", "unknown_card"),
    ],
)
def test_refusals_are_422_with_the_code_and_move_nothing(cast, change, code):
    card = cast.alice_card
    amount = "1.00"
    card_number = card.card_number
    if change == "overdraft":
        amount = "600.01"
    elif change == "lost":
        Cardholder.objects.filter(pk=card.pk).update(card_status="reported_lost")
    elif change == "closed":
        personal(card).__class__.objects.filter(pk=personal(card).pk).update(status="closed")
    else:
        card_number = "NO-SUCH-CARD"
    transactions = LedgerTransaction.objects.count()

    response = settle(
        cast.client("institution"), f"ref-{change}", card_number=card_number, amount=amount
    )

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert LedgerTransaction.objects.count() == transactions


@pytest.mark.parametrize("who", ["anonymous", "alice", "ruth", "amos", "audrey"])
def test_only_an_institution_key_may_settle(cast, who):
    response = settle(
        cast.client(who), "who-1", card_number=cast.alice_card.card_number, amount="1.00"
    )

    assert response.status_code in (401, 403)
    assert Settlement.objects.count() == 0


def test_revoked_or_wrong_keys_are_401(cast):
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Api-Key not.a-key")
    assert settle(wrong, "k", card_number="x", amount="1.00").status_code == 401

    InstitutionAPIKey.objects.filter(pk=cast.pharmacy_key_obj.pk).update(revoked=True)
    response = settle(
        cast.client("institution"), "k", card_number=cast.alice_card.card_number, amount="1.00"
    )
    assert response.status_code == 401


def test_an_institution_key_opens_nothing_else(cast):
    client = cast.client("institution")

    for url in ("/api/v1/me/", "/api/v1/accounts/", "/api/v1/contributions/"):
        assert client.get(url).status_code == 401


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_make_one_settlement(cast):
    body = {"card_number": cast.alice_card.card_number, "amount": "7.00", "description": "x"}
    results = []
    barrier = threading.Barrier(8)

    def worker():
        client = cast.client("institution")
        barrier.wait()
        try:
            response = settle(client, "race-1", **body)
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [status for status, _body in results] == [201] * 8
    assert len({str(body) for _status, body in results}) == 1
    assert Settlement.objects.count() == 1
    assert personal(cast.alice_card).balance == Decimal("593.00")


@pytest.mark.parametrize("length", [1, 187, 188, 195, 200])
def test_idempotency_keys_up_to_the_documented_200_characters_work(cast, length):
    key = ("k" * length)[:length]
    client = cast.client("institution")
    first = settle(client, key, card_number=cast.alice_card.card_number, amount="1.00")
    assert first.status_code == 201, first.content
    assert first.json()["idempotency_key"] == key
    again = settle(client, key, card_number=cast.alice_card.card_number, amount="1.00")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    other = settle(client, key, card_number=cast.alice_card.card_number, amount="2.00")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"


def test_an_idempotency_key_over_200_characters_is_400(cast):
    response = settle(
        cast.client("institution"), "k" * 201, card_number=cast.alice_card.card_number, amount="1"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"


def test_after_a_verified_death_a_purchase_is_refused_with_its_code(cast):
    from datetime import timedelta

    from django.utils import timezone

    Cardholder.objects.filter(pk=cast.alice_card.pk).update(
        life_status="deceased", date_of_death=timezone.localdate() - timedelta(days=2)
    )
    balance = personal(cast.alice_card).balance
    response = settle(
        cast.client("institution"),
        "after-death",
        card_number=cast.alice_card.card_number,
        amount="1",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "cardholder_deceased"
    assert personal(cast.alice_card).balance == balance
    assert not Settlement.objects.filter(idempotency_key="after-death").exists()
