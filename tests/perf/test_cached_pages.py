"""The overview is kept rendered in the cache; these tests hold it to never showing a
balance that a committed posting has changed, whichever way the money moved, and to
never showing one person's page to another. The account list API reads fresh in one
query; it is held to the same."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts import ledger, read_models, services, views
from accounts.importing import import_payroll
from accounts.models import Account, Cardholder, LedgerEntry, LedgerTransaction, Scheme
from tests.api.conftest import client_for
from tests.conftest import need, shared_cache_answers
from tests.factories import (
    CardholderFactory,
    EmployerFactory,
    InstitutionFactory,
    StaffFactory,
    UserFactory,
    WithdrawalApplicationFactory,
    fund,
)
from tests.perf.user_query import is_user_query
from tests.web.conftest import ensure_national_rates, money

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pages_in_memory():
    read_models._recent.pages.clear()


@pytest.fixture
def alice():
    user = UserFactory(username="alice", first_name="Alice Wang")
    cardholder = CardholderFactory(user=user, name="Alice Wang")
    fund(cardholder, Scheme.MEDICAL, "500.00")
    fund(cardholder, Scheme.PENSION, "2000.00")
    return cardholder


@pytest.fixture
def bob():
    user = UserFactory(username="bob", first_name="Bob Li")
    cardholder = CardholderFactory(user=user, name="Bob Li")
    fund(cardholder, Scheme.MEDICAL, "77.00")
    return cardholder


@pytest.fixture
def builds(monkeypatch):
    """How many times the overview was rendered rather than taken from the cache."""
    calls = []
    real = views._dashboard_page

    def counting(request, csrf_token=None):
        calls.append(request.user.pk)
        return real(request, csrf_token)

    monkeypatch.setattr(views, "_dashboard_page", counting)
    return calls


def overview(client, cardholder):
    client.force_login(cardholder.user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def shown(html, testid):
    marker = f'data-testid="{testid}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)]


def test_a_second_visit_is_served_from_the_cache(client, alice, builds):
    first = overview(client, alice)
    second = overview(client, alice)
    assert builds == [alice.user.pk]
    assert shown(second, "personal-medical") == shown(first, "personal-medical") == money("500")


def test_the_overview_shows_a_settlement_as_soon_as_it_commits(client, alice, builds):
    assert shown(overview(client, alice), "personal-medical") == money("500.00")
    services.settlement_create(
        institution=InstitutionFactory(),
        card_number=alice.card_number,
        amount=Decimal("12.50"),
        description="Pharmacy purchase",
        idempotency_key="cached-page-1",
    )
    html = overview(client, alice)
    assert shown(html, "personal-medical") == money("487.50")
    assert shown(html, "personal-total") == money("2487.50")
    assert len(builds) == 2


def test_the_overview_shows_a_contribution_as_soon_as_it_commits(client, alice):
    ensure_national_rates()
    before = overview(client, alice)
    services.contribution_post(
        cardholder=alice,
        scheme=Scheme.PENSION,
        month=date(2025, 3, 1),
        wage=Decimal("8000.00"),
        employer=EmployerFactory(),
    )
    after = overview(client, alice)
    pension = Account.objects.get(cardholder=alice, scheme=Scheme.PENSION, kind="personal")
    assert pension.balance == Decimal("2640.00")  # 8 % of 8000.00 on top of 2000.00
    assert shown(before, "personal-pension") == money("2000.00")
    assert shown(after, "personal-pension") == money("2640.00")
    assert shown(after, "contributed-pension") != shown(before, "contributed-pension")


def test_the_overview_shows_a_payroll_import_written_in_bulk(client, alice):
    """The import writes entries and balances with set-based SQL, past the ledger service."""
    ensure_national_rates()
    employer = EmployerFactory()
    overview(client, alice)
    summary = import_payroll(
        io.StringIO(
            "employer_credit_code,national_id,month,wage_base\n"
            f"{employer.credit_code},{alice.national_id},2026-01,10000.00\n"
        ),
        today=date(2026, 6, 15),
    )
    assert summary.rows_posted == 1
    html = overview(client, alice)
    assert shown(html, "personal-pension") == money("2800.00")
    assert shown(html, "pooled-pension") == money("1600.00")


def test_a_lost_card_and_a_frozen_account_show_at_once(client, alice):
    overview(client, alice)
    services.card_report_lost(cardholder=alice, actor=alice.user)
    assert "Your card is reported lost" in overview(client, alice)
    medical = Account.objects.get(cardholder=alice, scheme=Scheme.MEDICAL, kind="personal")
    services.account_freeze(account=medical, actor=StaffFactory())
    assert "Frozen" in overview(client, alice)


@pytest.mark.postgres
def test_an_entry_that_commits_after_a_newer_one_still_changes_the_version(alice):
    """Entry ids are drawn before commit: a posting on one account may commit after a
    higher-numbered one on another account was already seen. The version is per
    account, so the late posting still changes it."""
    medical = Account.objects.get(cardholder=alice, scheme=Scheme.MEDICAL, kind="personal")
    pension = Account.objects.get(cardholder=alice, scheme=Scheme.PENSION, kind="personal")
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('accounts_ledgerentry', 'id'))")
        (early_id,) = cursor.fetchone()
    fund(alice, Scheme.PENSION, "1.00")  # numbered after early_id, committed first
    seen = read_models.overview_state(alice.user)
    assert LedgerEntry.objects.filter(account=pension).latest("id").id > early_id

    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED)
    with transaction.atomic():
        txn = LedgerTransaction.objects.create(kind="contribution", idempotency_key="late-one")
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    id=early_id,
                    transaction=txn,
                    account=medical,
                    amount=Decimal("1.00"),
                    balance_after=medical.balance + 1,
                    kind="contribution",
                    posted_at=txn.posted_at,
                ),
                LedgerEntry(
                    transaction=txn,
                    account=received,
                    amount=Decimal("-1.00"),
                    balance_after=Decimal("0.00"),
                    kind="contribution",
                    posted_at=txn.posted_at,
                ),
            ]
        )
    assert read_models.overview_state(alice.user) != seen


def test_two_people_never_see_each_others_overview(client, alice, bob):
    for _round in range(2):  # the second round is served from the cache
        alice_page = overview(client, alice)
        bob_page = overview(client, bob)
        assert "Alice Wang" in alice_page and "Bob Li" not in alice_page
        assert "Bob Li" in bob_page and "Alice Wang" not in bob_page
        assert shown(alice_page, "personal-medical") == money("500.00")
        assert shown(bob_page, "personal-medical") == money("77.00")
        assert alice.masked_card_number in alice_page
        assert alice.masked_card_number not in bob_page


def test_each_language_has_its_own_overview(client, alice):
    english = overview(client, alice)
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get("/").content.decode()
    client.cookies["django_language"] = "en"
    again = client.get("/").content.decode()
    assert "我的社会保险" in chinese and "我的社会保险" not in english
    assert "Your social insurance" in again


def test_a_cached_overview_reads_only_the_user_and_the_version(client, alice):
    if settings.SESSION_ENGINE != "sscard.sessions" or not shared_cache_answers():
        # Sessions come from the cache only when it is shared (sscard/settings.py).
        need("a shared cache holding the sessions (set CACHE_URL=rediscache://...)")
    client.force_login(alice.user)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    sql = [q["sql"] for q in queries]
    # The session comes from the cache; then the user, read with the version.
    assert len(sql) == 1, sql
    assert is_user_query(sql[0])


def test_a_cached_overview_with_sessions_in_the_database_adds_only_the_session(
    client, alice, settings
):
    """Without a shared cache the session is read from the database; the page itself
    still costs only the user, read with the version, from whichever cache holds it."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client.force_login(alice.user)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    sql = [q["sql"] for q in queries]
    assert len(sql) == 2, sql
    assert 'FROM "django_session"' in sql[0]
    assert is_user_query(sql[1])


# --- the account list API ---------------------------------------------------------------


def balances_by_account(user):
    response = client_for(user).get("/api/v1/accounts/")
    assert response.status_code == 200
    return {(row["scheme"], row["kind"]): row for row in response.json()["results"]}


def test_the_account_list_shows_a_settlement_at_once(alice):
    assert balances_by_account(alice.user)[("medical", "personal")]["balance"] == "500.00"
    services.settlement_create(
        institution=InstitutionFactory(),
        card_number=alice.card_number,
        amount=Decimal("0.01"),
        description="Pharmacy purchase",
        idempotency_key="cached-api-1",
    )
    assert balances_by_account(alice.user)[("medical", "personal")]["balance"] == "499.99"


def test_the_account_list_follows_open_claims(alice):
    assert balances_by_account(alice.user)[("pension", "personal")]["withdrawable"] is True
    claim = WithdrawalApplicationFactory(cardholder=alice, claims_pension=True, status="submitted")
    rows = balances_by_account(alice.user)
    assert rows[("pension", "personal")]["withdrawable"] is False
    assert rows[("medical", "personal")]["withdrawable"] is True
    claim.status = "withdrawn"
    claim.save(update_fields=["status"])
    assert balances_by_account(alice.user)[("pension", "personal")]["withdrawable"] is True


def test_the_account_list_is_only_ever_the_callers(alice, bob):
    mine = {row["id"] for row in balances_by_account(alice.user).values()}
    theirs = {row["id"] for row in balances_by_account(bob.user).values()}
    assert mine == set(
        Account.objects.filter(cardholder=alice).exclude(kind="system").values_list("id", flat=True)
    )
    assert not mine & theirs
    assert balances_by_account(bob.user)[("medical", "personal")]["balance"] == "77.00"


def test_the_account_list_pages_like_before(alice):
    response = client_for(alice.user).get("/api/v1/accounts/?page_size=3&page=3")
    body = response.json()
    assert body["count"] == 7
    assert len(body["results"]) == 1
    assert body["next"] is None and "page=2" in body["previous"]


def test_someone_without_a_card_has_an_empty_list(db):
    heir = UserFactory(username="harry")
    assert not Cardholder.objects.filter(user=heir).exists()
    body = client_for(heir).get("/api/v1/accounts/").json()
    assert (body["count"], body["results"]) == (0, [])


# --- what differs per request -------------------------------------------------------------


def test_a_cached_page_carries_a_working_csrf_token(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    overview(client, alice)
    html = overview(client, alice)  # from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert token != read_models.CSRF_PLACEHOLDER
    assert read_models.CSRF_PLACEHOLDER not in html
    response = client.post("/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # logged out: sent to the login page


def test_a_flash_message_is_shown_once_and_never_kept(client, alice, builds):
    overview(client, alice)
    overview(client, alice)  # the page is in the cache
    client.post("/card/report-lost/", {"confirm": "on"})
    notice = "No payment can be made with it any more."
    with_message = client.get("/").content.decode()
    assert notice in with_message
    assert 'data-testid="card-status">Reported lost<' in with_message
    later = [client.get("/").content.decode() for _ in range(2)]
    assert all(notice not in page for page in later)
    assert all('data-testid="card-status">Reported lost<' in page for page in later)
    # Built before the report, with the message (not kept), once more to keep.
    assert len(builds) == 3


def test_the_account_list_formats_money_as_the_serializer_fields_do():
    from rest_framework import serializers

    from accounts.serializers import AccountSerializer

    for balance in ("0.00", "0.10", "12.34", "99999999999.99"):
        row = {
            "id": 7,
            "scheme": "pension",
            "kind": "personal",
            "balance": Decimal(balance),
            "status": "open",
            "withdrawable": True,
        }
        by_fields = serializers.Serializer.to_representation(AccountSerializer(), row)
        assert AccountSerializer(row).data == by_fields
        assert AccountSerializer(row).data["balance"] == balance


# --- token authentication -----------------------------------------------------------------


def test_a_token_of_an_inactive_or_unknown_user_is_refused(alice):
    client = client_for(alice.user)
    assert client.get("/api/v1/accounts/").status_code == 200
    alice.user.is_active = False
    alice.user.save(update_fields=["is_active"])
    refused = client.get("/api/v1/accounts/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"
    unknown = client_for()
    unknown.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert unknown.get("/api/v1/accounts/").status_code == 401


def test_the_token_user_is_the_whole_user(alice):
    from rest_framework.authtoken.models import Token

    from accounts.authentication import TokenAuthentication

    key = Token.objects.create(user=alice.user).key
    user, auth = TokenAuthentication().authenticate_credentials(key)
    assert user == alice.user and auth.key == key and auth.user_id == alice.user.pk
    fresh = type(alice.user).objects.get(pk=alice.user.pk)
    for field in fresh._meta.concrete_fields:  # deferred columns load when read
        assert getattr(user, field.attname) == getattr(fresh, field.attname), field.name


def test_a_page_in_memory_is_not_used_once_the_balance_moved(client, alice, builds):
    """The copy a process keeps is checked against the version like the shared one."""
    overview(client, alice)
    from django.core.cache import cache

    cache.clear()  # only the in-process copy is left
    assert shown(overview(client, alice), "personal-medical") == money("500.00")
    assert len(builds) == 1
    fund(alice, Scheme.MEDICAL, "1.00")
    assert shown(overview(client, alice), "personal-medical") == money("501.00")
    assert len(builds) == 2


def test_the_page_is_rendered_when_the_cache_is_down(client, alice, monkeypatch, builds):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert shown(overview(client, alice), "personal-medical") == money("500.00")


# --- an account's history page -----------------------------------------------------


@pytest.fixture
def history_builds(monkeypatch):
    """How many times a history page was rendered rather than taken from the cache."""
    calls = []
    real = views._account_detail_page

    def counting(request, pk, csrf_token=None):
        calls.append((request.user.pk, pk, request.get_full_path()))
        return real(request, pk, csrf_token)

    monkeypatch.setattr(views, "_account_detail_page", counting)
    return calls


def history(client, cardholder, query=""):
    account = cardholder.accounts.get(scheme=Scheme.MEDICAL, kind=Account.Kind.PERSONAL)
    client.force_login(cardholder.user)
    response = client.get(f"/accounts/{account.pk}/{query}")
    return response.status_code, response.content.decode()


def without_tokens(html):
    """The page without its CSRF tokens (fresh on every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_a_history_page_is_kept_until_a_posting_commits_on_it(client, alice, history_builds):
    status, first = history(client, alice)
    assert status == 200 and shown(first, "account-balance") == money("500.00")
    assert without_tokens(history(client, alice)[1]) == without_tokens(first)
    assert len(history_builds) == 1
    services.settlement_create(
        institution=InstitutionFactory(),
        card_number=alice.card_number,
        amount=Decimal("12.50"),
        description="Pharmacy purchase",
        idempotency_key="cached-history-1",
    )
    status, html = history(client, alice)
    assert shown(html, "account-balance") == money("487.50")
    assert "Pharmacy purchase" in html
    assert html.count(" data-entry=") == first.count(" data-entry=") + 1
    assert len(history_builds) == 2


def test_each_filter_and_cursor_is_its_own_kept_page(client, alice, history_builds):
    this_year = date.today().year
    everything = history(client, alice)[1]
    other_year = history(client, alice, f"?year={this_year - 1}")[1]
    assert " data-entry=" in everything
    assert " data-entry=" not in other_year and "Nothing matches these filters." in other_year
    again = history(client, alice, f"?year={this_year - 1}")[1]
    assert without_tokens(again) == without_tokens(other_year)
    assert without_tokens(history(client, alice)[1]) == without_tokens(everything)
    assert len(history_builds) == 2
    # An unknown parameter or a bad value is rendered each time, never kept.
    assert history(client, alice, "?utm=1")[0] == 200
    assert history(client, alice, "?utm=1")[0] == 200
    assert history(client, alice, "?cursor=nonsense")[0] == 400
    assert history(client, alice, "?cursor=nonsense")[0] == 400
    assert len(history_builds) == 6


def test_nobody_is_served_another_persons_kept_history(client, alice, bob, history_builds):
    alices = alice.accounts.get(scheme=Scheme.MEDICAL, kind=Account.Kind.PERSONAL)
    assert history(client, alice)[0] == 200
    client.force_login(bob.user)
    assert client.get(f"/accounts/{alices.pk}/").status_code == 404
    assert "Bob Li" in history(client, bob)[1]
    assert "Alice Wang" not in history(client, bob)[1]


def test_a_kept_history_page_reads_only_the_session_and_the_user_with_the_version(client, alice):
    account = alice.accounts.get(scheme=Scheme.MEDICAL, kind=Account.Kind.PERSONAL)
    client.force_login(alice.user)
    client.get(f"/accounts/{account.pk}/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/accounts/{account.pk}/")
    assert response.status_code == 200
    assert shown(response.content.decode(), "account-balance") == money("500.00")
    sql = [q["sql"] for q in queries if 'FROM "django_session"' not in q["sql"]]
    # The user, read with the version; no account, entries or rendering.
    assert len(sql) == 1, sql
    assert is_user_query(sql[0])


# --- an account's transactions through the API -------------------------------------


def transactions(cardholder, query=""):
    account = cardholder.accounts.get(scheme=Scheme.MEDICAL, kind=Account.Kind.PERSONAL)
    return client_for(cardholder.user).get(f"/api/v1/accounts/{account.pk}/transactions/{query}")


def test_the_transactions_api_shows_a_settlement_as_soon_as_it_commits(alice):
    first = transactions(alice).json()
    assert transactions(alice).json() == first
    services.settlement_create(
        institution=InstitutionFactory(),
        card_number=alice.card_number,
        amount=Decimal("12.50"),
        description="Pharmacy purchase",
        idempotency_key="cached-api-1",
    )
    after = transactions(alice).json()
    assert len(after["results"]) == len(first["results"]) + 1
    assert after["results"][0]["amount"] == "-12.50"
    assert after["results"][0]["balance_after"] == "487.50"


def test_the_transactions_api_keeps_nobody_elses_answer(alice, bob):
    alices = alice.accounts.get(scheme=Scheme.MEDICAL, kind=Account.Kind.PERSONAL)
    assert transactions(alice).status_code == 200
    stranger = client_for(bob.user).get(f"/api/v1/accounts/{alices.pk}/transactions/")
    assert stranger.status_code == 404
    assert transactions(bob).json()["results"][0]["balance_after"] == "77.00"


def test_a_bad_parameter_is_refused_every_time_and_never_kept(alice):
    for _round in range(2):
        response = transactions(alice, "?page_size=abc")
        assert response.status_code == 400
        assert "page_size" in response.json()["fields"]
