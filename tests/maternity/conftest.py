"""The maternity cast: mia gave birth on 10 November 2026 and her employer's 2025
average monthly wage is 9,000 yuan; rita reviews and verifies, amos approves."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from accounts.models import Contribution, LedgerTransaction, Scheme
from maternity.models import EmployerAverageWage
from tests.factories import CardholderFactory, EmployerFactory, StaffFactory, UserFactory

REGION = "320100"
TODAY = date(2026, 12, 2)
BIRTH = date(2026, 11, 10)
WAGE = Decimal("9000.00")


def maternity_staff(username, *codenames):
    user = StaffFactory(username=username, password=None)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="maternity", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)


def medical_record(cardholder, employer, first=date(2025, 1, 1), months=23):
    """Months of employee medical contributions paid through `employer`."""
    rows = []
    for n in range(months):
        index = first.month - 1 + n
        rows.append(date(first.year + index // 12, 1 + index % 12, 1))
    txns = LedgerTransaction.objects.bulk_create(
        LedgerTransaction(
            kind=LedgerTransaction.Kind.CONTRIBUTION,
            idempotency_key=f"test-medical:{cardholder.pk}:{month:%Y-%m}",
        )
        for month in rows
    )
    Contribution.objects.bulk_create(
        Contribution(
            cardholder=cardholder,
            employer=employer,
            scheme=Scheme.MEDICAL,
            month=month,
            payer="employee",
            wage_base_declared=Decimal("8000.00"),
            wage_base=Decimal("8000.00"),
            transaction=txn,
        )
        for month, txn in zip(rows, txns, strict=True)
    )


@pytest.fixture
def employer(db):
    return EmployerFactory(name="Changjiang Logistics", region=REGION)


@pytest.fixture
def wage(employer):
    return EmployerAverageWage.objects.create(
        employer=employer, year=2025, amount=WAGE, source="Employer report 2025"
    )


@pytest.fixture
def mia(db, employer, wage):
    user = UserFactory(username="mia", first_name="Mia Chen", password=None)
    cardholder = CardholderFactory(
        user=user, name="Mia Chen", gender="F", date_of_birth=date(1993, 4, 1), region=REGION
    )
    medical_record(cardholder, employer)
    return user


@pytest.fixture
def rita(db):
    return maternity_staff("rita", "view_maternityclaim", "review_maternityclaim")


@pytest.fixture
def amos(db):
    return maternity_staff("amos", "view_maternityclaim", "approve_maternityclaim")
