"""Sessions live in the shared cache and the database (sscard.sessions): a cache outage
keeps people logged in, and a logout can never be undone by a copy left in the cache."""

import pytest
from django.core.cache import cache
from django.test import Client

from sscard.sessions import SessionStore
from tests.factories import CardholderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cached_sessions(settings):
    settings.SESSION_ENGINE = "sscard.sessions"


@pytest.fixture
def alice():
    user = UserFactory(username="alice", first_name="Alice Wang")
    CardholderFactory(user=user, name="Alice Wang")
    return user


@pytest.fixture
def cache_down(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    def stop():
        for name in ("get", "set", "delete", "has_key", "__contains__"):
            monkeypatch.setattr(type(cache._connections[cache._alias]), name, down)

    return stop


def logged_in(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_the_session_is_read_from_the_cache(alice):
    client = logged_in(alice)
    key = client.cookies["sessionid"].value
    assert cache.get(SessionStore.cache_key_prefix + key) is not None
    assert client.get("/").status_code == 200


def test_pages_keep_working_while_the_cache_is_down(alice, cache_down):
    client = logged_in(alice)
    cache.clear()  # nothing cached: the session must come from the database
    cache_down()
    response = client.get("/")
    assert response.status_code == 200
    assert "Alice Wang" in response.content.decode()


def test_a_logout_ends_the_session_everywhere(alice):
    client = logged_in(alice)
    key = client.cookies["sessionid"].value
    assert client.post("/logout/").status_code == 302
    assert cache.get(SessionStore.cache_key_prefix + key) is None
    old = Client()
    old.cookies["sessionid"] = key
    assert old.get("/").status_code == 302  # to the login page


def test_a_logout_while_the_cache_is_down_fails_whole(alice, cache_down, monkeypatch):
    client = logged_in(alice)
    key = client.cookies["sessionid"].value
    assert client.get("/").status_code == 200  # the session is in the cache
    cache_down()
    refused = client.post("/logout/")
    assert refused.status_code == 503 and refused["Retry-After"]
    monkeypatch.undo()  # the cache is back
    # Not half ended: the session still works, and logging out now ends it for good.
    assert client.get("/").status_code == 200
    assert client.post("/logout/").status_code == 302
    old = Client()
    old.cookies["sessionid"] = key
    assert old.get("/").status_code == 302
