"""A small cast for the page tests: alice has a card and two years of contributions,
bob has a card of his own, charlie is an heir without one."""

import importlib
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from accounts import ledger, services
from accounts.ledger import Leg
from accounts.models import Account, LedgerTransaction, Scheme
from tests.factories import CardholderFactory, EmployerFactory, UserFactory

TZ = ZoneInfo(settings.TIME_ZONE)
MONTHS = 25


def money(value):
    """How the pages print a sum: grouped, two decimals."""
    return f"¥{Decimal(value):,.2f}"


def ensure_national_rates():
    """The starting rates come from a data migration; a transactional test's flush
    removes them, so put them back (idempotent)."""
    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0003_national_default_rates")
    migration.forwards(apps, None)


def post_months(cardholder, employer, months=MONTHS, scheme=Scheme.PENSION, wage="8000.00"):
    ensure_national_rates()
    for n in range(months):
        services.contribution_post(
            cardholder=cardholder,
            scheme=scheme,
            month=date(2023 + n // 12, 1 + n % 12, 1),
            wage=Decimal(wage),
            employer=employer,
        )


def old_purchase(cardholder, amount="12.34", when=datetime(2020, 6, 1, 10, tzinfo=TZ)):
    """A medical purchase posted in 2020, for the year filter."""
    account = cardholder.accounts.get(scheme=Scheme.MEDICAL, kind=Account.Kind.PERSONAL)
    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED)
    payable = ledger.system_account(Account.SystemCode.SETTLEMENTS_PAYABLE)
    ledger.post(
        kind=LedgerTransaction.Kind.CONTRIBUTION,
        idempotency_key=f"old-credit:{account.pk}",
        legs=[Leg(received.id, Decimal("-100.00")), Leg(account.id, Decimal("100.00"))],
        posted_at=datetime(2020, 1, 10, 10, tzinfo=TZ),
    )
    ledger.post(
        kind=LedgerTransaction.Kind.SETTLEMENT,
        idempotency_key=f"old-purchase:{account.pk}",
        legs=[Leg(account.id, -Decimal(amount)), Leg(payable.id, Decimal(amount))],
        posted_at=when,
    )


@pytest.fixture
def alice(db):
    user = UserFactory(username="alice", first_name="Alice Wang")
    cardholder = CardholderFactory(user=user, name="Alice Wang")
    employer = EmployerFactory(name="Acme Tools Ltd")
    post_months(cardholder, employer)
    post_months(cardholder, employer, months=3, scheme=Scheme.MEDICAL)
    return user


@pytest.fixture
def bob(db):
    user = UserFactory(username="bob", first_name="Bob Li")
    CardholderFactory(user=user, name="Bob Li")
    return user


@pytest.fixture
def charlie(db):
    return UserFactory(username="charlie", first_name="Charlie Zhang")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client
