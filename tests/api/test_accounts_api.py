"""Token login, the card, balances, history and contributions over the API."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Account, Scheme
from tests.api.conftest import personal
from tests.factories import PASSWORD, CardholderFactory, UserFactory

pytestmark = pytest.mark.django_db

MONEY = re.compile(r"^-?\d+\.\d{2}$")
V1 = "/api/v1"


def error_shape(response):
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    return body


# --- token -------------------------------------------------------------------------


def test_cardholder_gets_a_token_with_the_national_id_and_uses_it():
    card = CardholderFactory(national_id="11010519491231002X", date_of_birth="1949-12-31")
    card.user = UserFactory(username="11010519491231002X")
    card.save()
    client = APIClient()

    response = client.post(
        f"{V1}/auth/token/",
        {"username": "11010519491231002x", "password": PASSWORD},
        format="json",
    )

    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get(f"{V1}/me/").json()
    assert me["cardholder"]["masked_national_id"] == "110105********002X"
    assert me["user"]["username"] == "110105********002X"


def test_wrong_password_is_400_with_a_code_and_no_token():
    UserFactory(username="alice")

    response = APIClient().post(
        f"{V1}/auth/token/", {"username": "alice", "password": "nope"}, format="json"
    )

    assert response.status_code == 400
    assert error_shape(response)["code"] == "invalid_credentials"


def test_missing_password_names_the_field():
    response = APIClient().post(f"{V1}/auth/token/", {"username": "alice"}, format="json")

    assert response.status_code == 400
    assert "password" in error_shape(response)["fields"]


def test_token_endpoint_is_throttled(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
        | {"token": "3/minute"},
    }
    cache.clear()
    client = APIClient()
    statuses = [
        client.post(
            f"{V1}/auth/token/", {"username": "x", "password": "y"}, format="json"
        ).status_code
        for _ in range(4)
    ]

    assert statuses == [400, 400, 400, 429]


# --- me and accounts -------------------------------------------------------------------


def test_me_shows_the_card_masked(cast):
    body = cast.client("alice").get(f"{V1}/me/").json()

    card = body["cardholder"]
    assert card["name"] == "Alice An"
    assert card["masked_card_number"] != cast.alice_card.card_number
    assert cast.alice_card.national_id not in str(body)
    assert card["card_status"] == "active"
    assert card["life_status"] == "living"
    assert card["employment_status"] == "employed"


def test_me_for_an_heir_has_no_card(cast):
    body = cast.client("harry").get(f"{V1}/me/").json()

    assert body["user"]["username"] == "harry"
    assert body["cardholder"] is None


def test_accounts_lists_only_mine_with_money_as_strings(cast):
    response = cast.client("alice").get(f"{V1}/accounts/")

    assert response.status_code == 200
    body = response.json()
    rows = body["results"]
    assert body["count"] == 7
    assert {row["id"] for row in rows} == set(cast.alice_card.accounts.values_list("id", flat=True))
    by_key = {(row["scheme"], row["kind"]): row for row in rows}
    assert by_key[("medical", "personal")]["balance"] == "600.00"
    assert by_key[("pension", "personal")]["balance"] == "2400.00"
    for row in rows:
        assert isinstance(row["balance"], str) and MONEY.match(row["balance"])
    # Pooled money is never withdrawable; a personal account with money is.
    assert by_key[("medical", "personal")]["withdrawable"] is True
    assert all(not row["withdrawable"] for row in rows if row["kind"] == "pooled")


def test_an_empty_personal_account_is_not_withdrawable(cast):
    card = CardholderFactory(user=UserFactory(username="newbie"))
    body = cast.client("alice").get(f"{V1}/accounts/").json()
    assert all(
        row["id"] not in card.accounts.values_list("id", flat=True) for row in body["results"]
    )

    from tests.api.conftest import client_for

    rows = client_for(card.user).get(f"{V1}/accounts/").json()["results"]
    assert rows and not any(row["withdrawable"] for row in rows)


def test_accounts_for_a_user_without_a_card_is_an_empty_page(cast):
    body = cast.client("harry").get(f"{V1}/accounts/").json()

    assert body["count"] == 0
    assert body["results"] == []


# --- transactions ------------------------------------------------------------------------


def test_transactions_of_my_account(cast):
    account = personal(cast.alice_card)

    response = cast.client("alice").get(f"{V1}/accounts/{account.id}/transactions/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["amount"] for row in rows] == ["200.00", "200.00", "200.00"]
    assert [row["balance_after"] for row in rows] == ["600.00", "400.00", "200.00"]
    assert rows[0]["kind"] == "contribution"
    assert "contribution" in rows[0]["description"].lower()
    assert response.json()["next"] is None


def test_someone_elses_account_is_404_like_a_missing_one(cast):
    bobs = personal(cast.bob_card)
    missing = Account.objects.order_by("-id").first().id + 1000

    for account_id in (bobs.id, missing):
        response = cast.client("alice").get(f"{V1}/accounts/{account_id}/transactions/")
        assert response.status_code == 404
        assert error_shape(response)["code"] == "not_found"


def test_transactions_follow_the_cursor_without_repeats(cast):
    account = cast.alice_card.accounts.get(scheme=Scheme.PENSION, kind=Account.Kind.POOLED)
    client = cast.client("alice")
    seen, url = [], f"{V1}/accounts/{account.id}/transactions/?page_size=2"
    pages = 0
    while url:
        body = client.get(url).json()
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]
        pages += 1

    assert pages == 2
    assert len(seen) == len(set(seen)) == 3
    assert seen == sorted(seen, reverse=True)


def test_signed_amounts_after_a_settlement(cast):
    account = personal(cast.alice_card)
    response = cast.client("institution").post(
        f"{V1}/settlements/",
        {"card_number": cast.alice_card.card_number, "amount": "12.50", "description": "Aspirin"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="till-1-0001",
    )
    assert response.status_code == 201

    rows = cast.client("alice").get(f"{V1}/accounts/{account.id}/transactions/").json()["results"]

    assert rows[0]["kind"] == "settlement"
    assert rows[0]["amount"] == "-12.50"
    assert rows[0]["balance_after"] == "587.50"
    assert "Green Cross Pharmacy" in rows[0]["description"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=abc", "year"),
        ("year=1200", "year"),
        ("kind=bonus", "kind"),
        ("cursor=%21%21", "cursor"),
    ],
)
def test_bad_history_filters_are_400_naming_the_field(cast, query, field):
    account = personal(cast.alice_card)

    response = cast.client("alice").get(f"{V1}/accounts/{account.id}/transactions/?{query}")

    assert response.status_code == 400
    assert field in error_shape(response)["fields"]


def test_history_filters_by_year_and_kind(cast):
    account = personal(cast.alice_card)
    client = cast.client("alice")

    assert (
        len(client.get(f"{V1}/accounts/{account.id}/transactions/?year=2019").json()["results"])
        == 0
    )
    this_year = client.get(f"{V1}/accounts/{account.id}/transactions/?kind=contribution").json()
    assert len(this_year["results"]) == 3
    assert (
        client.get(f"{V1}/accounts/{account.id}/transactions/?kind=settlement").json()["results"]
        == []
    )


# --- contributions -----------------------------------------------------------------------


def test_contributions_monthly_records(cast):
    body = cast.client("alice").get(f"{V1}/contributions/?scheme=medical&year=2025").json()

    assert body["count"] == 3
    first = body["results"][0]
    assert first["month"] == "2025-03-01"
    assert first["scheme"] == "medical"
    assert first["to_personal"] == "200.00"
    # The employer part with the merged maternity 0.8 % goes to the pool since 2022.
    assert first["to_pooled"] == "880.00"
    assert first["total"] == "1080.00"
    assert first["wage_base"] == "10000.00"


def test_contributions_are_only_mine(cast):
    alice = cast.client("alice").get(f"{V1}/contributions/").json()
    bob = cast.client("bob").get(f"{V1}/contributions/").json()
    harry = cast.client("harry").get(f"{V1}/contributions/").json()

    assert alice["count"] == 12  # four schemes a month: maternity is collected with medical
    assert bob["count"] == 4
    assert harry["count"] == 0


def test_contributions_bad_scheme_is_400(cast):
    response = cast.client("alice").get(f"{V1}/contributions/?scheme=lottery")

    assert response.status_code == 400
    assert "scheme" in error_shape(response)["fields"]


def test_money_totals_stay_exact(cast):
    rows = cast.client("alice").get(f"{V1}/accounts/").json()["results"]

    total = sum(Decimal(row["balance"]) for row in rows)
    assert total == sum(a.balance for a in cast.alice_card.accounts.all())
