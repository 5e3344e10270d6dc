"""Interest is visible: history rows, "of which interest", the statement, the API kind."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import interest_service, ledger
from accounts.models import Account, LedgerTransaction
from tests.factories import CardholderFactory, UserFactory
from tests.web.conftest import money

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(db):
    """10,000 in her pension account since June 2023; interest 2023 and 2024 credited."""
    user = UserFactory(username="carol", first_name="Carol Zhou")
    holder = CardholderFactory(user=user, name="Carol Zhou")
    pension = holder.accounts.get(scheme="pension", kind="personal")
    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED)
    ledger.post(
        kind=LedgerTransaction.Kind.CONTRIBUTION,
        idempotency_key="carol-open",
        legs=[
            ledger.Leg(received.pk, Decimal("-10000.00")),
            ledger.Leg(pension.pk, Decimal("10000.00")),
        ],
        posted_at=datetime(2023, 6, 15, 4, tzinfo=UTC),
    )
    for year in (2023, 2024):
        interest_service.interest_credit_year(year, today=date(2026, 12, 2))
    return user, pension


# 2023: 10,000 × 3.97 % × 7/12 = 231.58; 2024: 10,231.58 × 2.62 % = 268.07
INTEREST_2023, INTEREST_2024 = Decimal("231.58"), Decimal("268.07")


def test_history_shows_interest_rows_with_their_rate(client, carol):
    user, pension = carol
    client.force_login(user)
    html = client.get(f"/accounts/{pension.pk}/").content.decode()
    assert "Interest for 2024 at 2.62 %" in html
    assert "Interest for 2023 at 3.97 %" in html
    assert money(INTEREST_2024) in html


def test_dashboard_shows_of_which_interest(client, carol):
    user, _pension = carol
    client.force_login(user)
    html = client.get("/").content.decode()
    total = INTEREST_2023 + INTEREST_2024
    assert f'data-testid="interest-pension">of which interest {money(total)}<' in html
    assert 'data-testid="interest-medical"' not in html  # nothing credited there


def test_statement_has_an_interest_line_per_account_with_the_rate(client, carol):
    user, _pension = carol
    client.force_login(user)
    html = client.get("/statement/2024/").content.decode()
    assert f'data-testid="interest-pension">{money(INTEREST_2024)}<' in html
    assert "2.62 %" in html
    assert f'data-testid="interest-medical">{money(0)}<' in html
    assert "0.15 %" in html  # the medical demo rate of 2024
    pdf = client.get("/statement/2024.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_api_lists_interest_transactions_and_filters_by_kind(carol):
    user, pension = carol
    token, _ = Token.objects.get_or_create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    rows = api.get(f"/api/v1/accounts/{pension.pk}/transactions/?kind=interest").json()["results"]
    assert [(row["kind"], row["amount"]) for row in rows] == [
        ("interest", f"{INTEREST_2024}"),
        ("interest", f"{INTEREST_2023}"),
    ]
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    kinds = [
        enum
        for name, component in schema["components"]["schemas"].items()
        if "Kind" in name
        for enum in [component.get("enum", [])]
        if "payout_confirmed" in enum
    ]
    assert kinds and all("interest" in enum for enum in kinds)
