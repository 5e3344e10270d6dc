"""The read paths' round trips: the session's user comes with their cardholder record in
one query, the account of a history page is one query by its holder, and the record's
employment history is one query whatever its length. Each budget is exactly what the
path reads, so a query added on the way shows here."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from accounts import record, services
from accounts.models import Cardholder, Scheme
from tests.factories import CardholderFactory, EmployerFactory, UserFactory
from tests.perf.user_query import is_user_query
from tests.web.conftest import ensure_national_rates

pytestmark = pytest.mark.django_db

# Django's database sessions (the test settings): reading the session is one query.
SESSION = 0 if settings.SESSION_ENGINE == "sscard.sessions" else 1


def _month(first, n):
    return date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1)


def pay(cardholder, employer, first, count, scheme=Scheme.PENSION):
    for n in range(count):
        services.contribution_post(
            cardholder=cardholder,
            scheme=scheme,
            month=_month(first, n),
            wage=Decimal("8000.00"),
            employer=employer,
        )


@pytest.fixture
def alice():
    ensure_national_rates()
    user = UserFactory(username="alice")
    CardholderFactory(user=user, name="Alice Wang")
    return user


def _queries(client, url, **headers):
    client.get(url, **headers)  # the first request fills the process's caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return [query["sql"] for query in queries], response


def test_the_session_user_and_their_cardholder_are_one_query(client, alice, settings):
    client.force_login(alice)
    pay(alice.cardholder, EmployerFactory(), date(2024, 1, 1), 2)
    medical = alice.cardholder.accounts.get(scheme=Scheme.PENSION, kind="personal")
    # Built each time (nothing kept): the session, the user with the cardholder, the
    # account by its holder, the page.
    settings.SSCARD_PAGE_CACHE_SECONDS = 0
    queries, response = _queries(client, f"/accounts/{medical.pk}/")
    assert len(queries) == SESSION + 3, queries
    user_query = queries[SESSION]
    assert is_user_query(user_query)
    assert response.content.decode().count(" data-entry=") == 2


def test_another_persons_account_is_not_found_with_the_cardholder_known(client, alice):
    bob = UserFactory(username="bob")
    theirs = CardholderFactory(user=bob).accounts.get(scheme=Scheme.PENSION, kind="personal")
    client.force_login(alice)
    assert client.get(f"/accounts/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/accounts/{theirs.pk}/transactions/").status_code == 404


def test_someone_without_a_card_reads_no_cardholder_again(client):
    heir = UserFactory(username="heir")
    client.force_login(heir)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert not any(q["sql"].lstrip().startswith('SELECT "accounts_cardholder"') for q in queries)


def test_a_session_whose_password_changed_is_logged_out(client, alice):
    client.force_login(alice)
    assert client.get("/").status_code == 200
    alice.set_password("another-Pass-2026")
    alice.save()
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_session_of_a_deactivated_user_is_anonymous(client, alice):
    client.force_login(alice)
    alice.is_active = False
    alice.save()
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_session_without_its_hash_is_ended(client, alice):
    client.force_login(alice)
    session = client.session
    del session[HASH_SESSION_KEY]
    session.save()
    assert client.get("/").status_code == 302


def test_the_transactions_api_with_a_token_is_at_most_three_queries(client, alice, settings):
    pay(alice.cardholder, EmployerFactory(), date(2024, 1, 1), 3)
    account = alice.cardholder.accounts.get(scheme=Scheme.PENSION, kind="personal")
    token, _ = Token.objects.get_or_create(user=alice)
    header = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    url = f"/api/v1/accounts/{account.pk}/transactions/"
    queries, response = _queries(client, url, **header)
    # Kept from the last request: the token with its user, cardholder and the
    # account's version; no session.
    assert len(queries) == 1, queries
    assert is_user_query(queries[0], by_token=True)
    assert len(response.json()["results"]) == 3
    # Built (nothing kept): the token with its user and cardholder, the account by its
    # holder, the page.
    settings.SSCARD_PAGE_CACHE_SECONDS = 0
    queries, response = _queries(client, url, **header)
    assert len(queries) == 3, queries
    assert len(response.json()["results"]) == 3


def test_a_token_without_a_card_reads_no_cardholder_again(client):
    heir = UserFactory(username="heir")
    token, _ = Token.objects.get_or_create(user=heir)
    header = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    queries, response = _queries(client, "/api/v1/accounts/", **header)
    assert response.json()["results"] == []
    assert not any(q.lstrip().startswith('SELECT "accounts_cardholder"') for q in queries)


def test_the_token_user_brings_the_whole_cardholder(alice):
    from accounts.authentication import TokenAuthentication

    token, _ = Token.objects.get_or_create(user=alice)
    user, _auth = TokenAuthentication().authenticate_credentials(token.key)
    expected = Cardholder.objects.get(user=alice)
    with CaptureQueriesContext(connection) as queries:
        cardholder = user.cardholder
        same = [getattr(cardholder, f.attname) for f in cardholder._meta.concrete_fields]
    assert not queries  # every column already read, the encrypted ID number decrypted
    assert same == [getattr(expected, f.attname) for f in expected._meta.concrete_fields]
    assert cardholder.national_id == expected.national_id
    assert cardholder.user is user


def _spells_in_python(cardholder):
    """The employment history as the months themselves say it, month by month."""
    from accounts.models import Contribution

    months = sorted(
        set(Contribution.objects.filter(cardholder=cardholder).values_list("employer_id", "month")),
        key=lambda row: (row[0] is not None, row[0] or 0, row[1]),
    )
    spells = []
    for employer_id, month in months:
        last = spells[-1] if spells else None
        if last and last[0] == employer_id and _month(last[2], 1) >= month:
            last[2] = month
        else:
            spells.append([employer_id, month, month])
    return sorted(((e, first, last) for e, first, last in spells), key=lambda s: s[1], reverse=True)


def test_the_employment_history_is_one_query_and_the_same_spells(alice):
    cardholder = alice.cardholder
    acme, beta = EmployerFactory(name="Acme Tools Ltd"), EmployerFactory(name="Beta Works")
    pay(cardholder, acme, date(2023, 11, 1), 14)  # across two new years
    pay(cardholder, acme, date(2023, 11, 1), 3, scheme=Scheme.MEDICAL)  # same months again
    pay(cardholder, beta, date(2025, 3, 1), 2)  # a gap of a month, another employer
    pay(cardholder, None, date(2025, 5, 1), 4)  # then flexibly employed
    pay(cardholder, acme, date(2025, 10, 1), 1)  # back with the first employer
    pay(cardholder, None, date(2026, 1, 1), 2)  # flexibly employed again after a gap
    with CaptureQueriesContext(connection) as queries:
        history = record.employment_history(cardholder)
    assert len(queries) == 1
    assert [(s.employer_id, s.first_month, s.last_month) for s in history] == [
        (None, date(2026, 1, 1), date(2026, 2, 1)),
        (acme.pk, date(2025, 10, 1), date(2025, 10, 1)),
        (None, date(2025, 5, 1), date(2025, 8, 1)),
        (beta.pk, date(2025, 3, 1), date(2025, 4, 1)),
        (acme.pk, date(2023, 11, 1), date(2024, 12, 1)),
    ]
    assert [(s.employer_id, s.first_month, s.last_month) for s in history] == (
        _spells_in_python(cardholder)
    )
    assert [(s.employer_name, s.credit_code, s.months) for s in history] == [
        ("", "", 2),
        ("Acme Tools Ltd", acme.credit_code, 1),
        ("", "", 4),
        ("Beta Works", beta.credit_code, 2),
        ("Acme Tools Ltd", acme.credit_code, 14),
    ]


def test_the_record_page_reads_the_history_in_one_query(client, alice):
    pay(alice.cardholder, EmployerFactory(), date(2022, 1, 1), 48)
    client.force_login(alice)
    queries, _ = _queries(client, "/record/")
    # One read of the contribution months with their employers, none of the employers apart.
    assert len([q for q in queries if "accounts_contribution" in q]) == 1, queries
    assert not any('FROM "accounts_employer"' in q for q in queries), queries
