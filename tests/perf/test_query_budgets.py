"""Query budgets: the hot pages and API calls run a small, fixed number of SQL queries,
the same for a cardholder with two months of history as for one with years of it."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import Account, Scheme
from tests.factories import CardholderFactory, EmployerFactory, InstitutionFactory, UserFactory
from tests.web.conftest import ensure_national_rates

# Django's database sessions in the tests: reading the session is one query (with the
# servers' Redis sessions it is none).
# The session, its user with the cardholder, the overview's version (the page cached).
DASHBOARD = 3
# The session, its user with the cardholder, the account by its holder, one page (a
# page seen before and unchanged since: the session, the user, the account's version).
HISTORY = 4
# The token with its user and cardholder, the account by its holder, one page (seen
# before and unchanged: the token with its user, the version).
TRANSACTIONS = 3


def _history(username, months, purchases):
    ensure_national_rates()
    user = UserFactory(username=username)
    cardholder = CardholderFactory(user=user)
    employer = EmployerFactory()
    for n in range(months):
        for scheme in (Scheme.PENSION, Scheme.MEDICAL, Scheme.UNEMPLOYMENT):
            services.contribution_post(
                cardholder=cardholder,
                scheme=scheme,
                month=date(2022 + n // 12, 1 + n % 12, 1),
                wage=Decimal("9000.00"),
                employer=employer,
            )
    institution = InstitutionFactory()
    for n in range(purchases):
        services.settlement_create(
            institution=institution,
            card_number=cardholder.card_number,
            amount=Decimal("1.50"),
            description="Pharmacy purchase",
            idempotency_key=f"{username}-{n}",
        )
    medical = cardholder.accounts.get(scheme=Scheme.MEDICAL, kind=Account.Kind.PERSONAL)
    return user, medical


@pytest.fixture
def short_and_long(db):
    """(user, personal medical account) for a short and a long history."""
    return {
        "short": _history("shorty", months=2, purchases=1),
        "long": _history("longy", months=36, purchases=45),
    }


def _count(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


def _page_queries(client, user, url):
    client.force_login(user)
    _count(client, url)  # first request may fill caches (content types, translations)
    count, _ = _count(client, url)
    client.logout()
    return count


def _api_queries(client, user, url):
    token, _ = Token.objects.get_or_create(user=user)
    header = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    _count(client, url, **header)
    count, response = _count(client, url, **header)
    return count, response


def test_dashboard_budget_is_fixed(client, short_and_long):
    counts = {
        name: _page_queries(client, user, "/") for name, (user, _account) in short_and_long.items()
    }
    assert counts["short"] == counts["long"] <= DASHBOARD, counts


def test_account_history_page_budget_is_fixed(client, short_and_long):
    counts = {
        name: _page_queries(client, user, f"/accounts/{account.pk}/")
        for name, (user, account) in short_and_long.items()
    }
    assert counts["short"] == counts["long"] <= HISTORY, counts


def test_account_list_api_budget_is_fixed(client, short_and_long):
    counts = {}
    for name, (user, _account) in short_and_long.items():
        counts[name], response = _api_queries(client, user, "/api/v1/accounts/")
        assert len(response.json()["results"]) == 7
    # The token with its user and cardholder, the accounts with their claims.
    assert counts["short"] == counts["long"] <= 2, counts


def test_transactions_api_budget_is_fixed(client, short_and_long):
    counts = {}
    for name, (user, account) in short_and_long.items():
        counts[name], response = _api_queries(
            client, user, f"/api/v1/accounts/{account.pk}/transactions/"
        )
        assert response.json()["results"]
    assert counts["short"] == counts["long"] <= TRANSACTIONS, counts


def test_a_deep_history_page_costs_the_same_queries_as_the_first(client, short_and_long, settings):
    # Pages as built, not kept: a page seen once more comes from the cache.
    settings.SSCARD_PAGE_CACHE_SECONDS = 0
    user, account = short_and_long["long"]
    token, _ = Token.objects.get_or_create(user=user)
    header = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    url = f"/api/v1/accounts/{account.pk}/transactions/?page_size=5"
    first, response = _api_queries(client, user, url)
    counts = []
    while response.json().get("next"):
        count, response = _count(client, response.json()["next"], **header)
        counts.append(count)
    assert len(counts) >= 10
    assert set(counts) == {first}, (first, counts)


def _last_page_cursor(account, size):
    from accounts.models import LedgerEntry
    from accounts.selectors import encode_cursor

    oldest = list(
        LedgerEntry.objects.filter(account=account).order_by("id").values_list("id", flat=True)
    )
    return encode_cursor(oldest[size])


@pytest.mark.parametrize("page", ["first", "last"])
def test_history_page_first_and_last_within_budget(
    client, short_and_long, page, django_assert_max_num_queries
):
    user, account = short_and_long["long"]
    url = f"/accounts/{account.pk}/"
    if page == "last":
        url += f"?cursor={_last_page_cursor(account, 20)}"
    client.force_login(user)
    client.get(url)
    with django_assert_max_num_queries(HISTORY):
        response = client.get(url)
    assert response.status_code == 200
    rows = response.content.decode().count(" data-entry=")
    assert rows == 20


@pytest.mark.parametrize("page", ["first", "last"])
def test_transactions_api_first_and_last_within_budget(
    client, short_and_long, page, django_assert_max_num_queries
):
    user, account = short_and_long["long"]
    token, _ = Token.objects.get_or_create(user=user)
    header = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    url = f"/api/v1/accounts/{account.pk}/transactions/"
    if page == "last":
        url += f"?cursor={_last_page_cursor(account, 20)}"
    client.get(url, **header)
    with django_assert_max_num_queries(TRANSACTIONS):
        response = client.get(url, **header)
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 20
    assert (body["next"] is None) == (page == "last")


def test_account_list_api_within_budget(client, short_and_long, django_assert_max_num_queries):
    user, _account = short_and_long["long"]
    token, _ = Token.objects.get_or_create(user=user)
    header = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    client.get("/api/v1/accounts/", **header)
    # The token and its user, the accounts with their claims: no session, no COUNT.
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/accounts/", **header)
    assert len(response.json()["results"]) == 7


def test_history_kept_costs_the_user_alone(client, short_and_long):
    """The account's version comes with the user. Built afresh, the page and the API
    answer then read what they show; kept, they read nothing more."""
    user, account = short_and_long["long"]
    page, api = f"/accounts/{account.pk}/", f"/api/v1/accounts/{account.pk}/transactions/"
    token, _ = Token.objects.get_or_create(user=user)
    header = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    client.force_login(user)
    client.get(page)
    client.get(api, **header)
    kept_page, _ = _count(client, page)
    kept_api, _ = _count(client, api, **header)
    # A purchase changes the account's version: both are built again.
    services.settlement_create(
        institution=InstitutionFactory(),
        card_number=user.cardholder.card_number,
        amount=Decimal("1.00"),
        description="Pharmacy purchase",
        idempotency_key="budget-built-1",
    )
    built_page, response = _count(client, page)
    assert "Pharmacy purchase" in response.content.decode()
    built_api, _ = _count(client, api, **header)
    # The session is a query with database sessions, none with the servers' Redis ones.
    session = 0 if settings.SESSION_ENGINE == "sscard.sessions" else 1
    assert (built_page, kept_page) == (session + 3, session + 1)
    assert (built_api, kept_api) == (TRANSACTIONS, 1)
