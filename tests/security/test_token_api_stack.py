"""An API call with a token passes over the browsers' middleware (session, CSRF cookie,
messages, second factor, static files) and keeps everything else: the token alone says
who is asking, the answer carries the same security headers, and nothing about a
session is read or written."""

import pytest
from csp.utils import build_policy
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import Account
from tests.factories import CardholderFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _token(user):
    return Token.objects.get_or_create(user=user)[0].key


def test_a_token_call_answers_for_the_token_user_and_ignores_a_session():
    alice, bob = UserFactory(), UserFactory()
    CardholderFactory(user=alice)
    CardholderFactory(user=bob)
    client = Client()
    client.force_login(bob)  # a session of someone else rides along
    response = client.get("/api/v1/accounts/", HTTP_AUTHORIZATION=f"Token {_token(alice)}")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == set(Account.objects.filter(cardholder__user=alice).values_list("id", flat=True))
    # No session or CSRF cookie is set or refreshed, and the answer does not vary by them.
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_a_bad_token_is_refused_even_with_a_valid_session():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/accounts/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401
    response = client.get("/api/v1/accounts/", HTTP_AUTHORIZATION="token")
    assert response.status_code == 401


def test_token_answers_keep_the_security_headers():
    user = UserFactory()
    CardholderFactory(user=user)
    response = Client().get("/api/v1/accounts/", HTTP_AUTHORIZATION=f"Token {_token(user)}")
    assert response["Content-Security-Policy"] == build_policy()
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_staff_token_issued_without_the_second_factor_is_still_refused():
    staff = StaffFactory()
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {_token(staff)}")
    assert response.status_code == 401
    assert response.json()["code"] == "token_needs_second_factor"


def test_pages_still_use_the_session_whatever_the_header():
    user = UserFactory()
    CardholderFactory(user=user)
    client = Client()
    client.force_login(user)
    # Outside /api/ a token header changes nothing: the page is the session's.
    response = client.get("/", HTTP_AUTHORIZATION="Token whatever")
    assert response.status_code == 200
    anonymous = Client().get("/", HTTP_AUTHORIZATION=f"Token {_token(user)}")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_the_policy_built_once_follows_a_changed_setting(settings):
    client = Client()
    assert client.get("/login/")["Content-Security-Policy"] == build_policy()
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/login/")["Content-Security-Policy"] == "default-src 'none'"


def test_asking_for_a_token_with_a_stray_token_header_still_works():
    from tests.factories import PASSWORD

    user = UserFactory(username="staffless")
    response = Client().post(
        "/api/v1/auth/token/",
        {"username": "staffless", "password": PASSWORD},
        content_type="application/json",
        HTTP_AUTHORIZATION="Token left-over",
    )
    assert response.status_code == 200
    assert response.json()["token"] == _token(user)
