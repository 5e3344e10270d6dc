"""The cast of the API tests: alice and bob hold cards, harry is an heir, ruth
reviews, amos approves, audrey audits, and a pharmacy holds an API key."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Account, InstitutionAPIKey, Scheme
from tests.factories import (
    CardholderFactory,
    EmployerFactory,
    InstitutionFactory,
    StaffFactory,
    UserFactory,
)

ROLE_PERMISSIONS = {
    "reviewer": [
        "view_withdrawalapplication",
        "review_application",
        "verify_life_event",
    ],
    "approver": ["view_withdrawalapplication", "approve_application"],
    "auditor": ["view_withdrawalapplication"],
}


def staff_with_role(username, role):
    user = StaffFactory(username=username)
    group, _created = Group.objects.get_or_create(name=role)
    perms = Permission.objects.filter(codename__in=ROLE_PERMISSIONS[role])
    group.permissions.add(*perms)
    user.groups.add(group)
    return user


def client_for(user=None):
    client = APIClient()
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        if user.is_staff:  # a staff token carries its second factor
            from accounts.staff_otp import staff_token_issue
            from tests.conftest import staff_device

            token = staff_token_issue(user, staff_device(user))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def contribute(cardholder, months=3, wage="10000.00"):
    employer = EmployerFactory()
    for month in range(1, months + 1):
        for scheme in Scheme.values:
            services.contribution_post(
                cardholder=cardholder,
                scheme=scheme,
                month=date(2025, month, 1),
                wage=Decimal(wage),
                employer=employer,
            )


def personal(cardholder, scheme=Scheme.MEDICAL):
    return cardholder.accounts.get(scheme=scheme, kind=Account.Kind.PERSONAL)


class Cast:
    def __init__(self):
        self.alice = UserFactory(username="alice")
        self.alice_card = CardholderFactory(user=self.alice, name="Alice An")
        contribute(self.alice_card)
        self.bob = UserFactory(username="bob")
        self.bob_card = CardholderFactory(user=self.bob, name="Bob Bai")
        contribute(self.bob_card, months=1)
        self.harry = UserFactory(username="harry", first_name="Harry Heir")
        self.ruth = staff_with_role("ruth", "reviewer")
        self.amos = staff_with_role("amos", "approver")
        self.audrey = staff_with_role("audrey", "auditor")
        self.pharmacy = InstitutionFactory(name="Green Cross Pharmacy")
        self.pharmacy_key_obj, self.pharmacy_key = InstitutionAPIKey.objects.create_key(
            name="till 1", institution=self.pharmacy
        )

    def client(self, who):
        if who == "anonymous":
            return APIClient()
        if who == "institution":
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {self.pharmacy_key}")
            return client
        return client_for(getattr(self, who))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing passwords properly is slow by design; these tests are about access.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db):
    return Cast()
