"""One client address for login lockouts, staff actions' event rows and API rate
limits (`core.http.client_ip`): REMOTE_ADDR, unless the deployment names its proxy's
header; an X-Forwarded-For typed by the client never counts."""

import pytest
from axes.models import AccessFailureLog
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient

from core.http import client_ip

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"
CLIENT = "203.0.113.7"
TYPED = "198.51.100.66"


@pytest.fixture
def behind_one_proxy(settings):
    settings.SSCARD_CLIENT_IP_HEADERS = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.SSCARD_PROXY_COUNT = 1


def request(**meta):
    return RequestFactory().get("/", **meta)


def test_without_a_proxy_the_address_is_the_peers():
    assert client_ip(request(REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=TYPED)) == CLIENT


def test_behind_the_proxy_the_address_it_saw_is_taken(behind_one_proxy):
    # The proxy appends the address it saw, after anything the client typed.
    assert client_ip(request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)) == CLIENT
    forwarded = f"{TYPED}, {CLIENT}"
    assert client_ip(request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)) == CLIENT
    # No header at all (the request did not come through the proxy): the peer.
    assert client_ip(request(REMOTE_ADDR=PROXY)) == PROXY


def test_behind_two_proxies_the_outer_ones_entry_is_taken(behind_one_proxy, settings):
    settings.SSCARD_PROXY_COUNT = 2
    edge = "192.0.2.1"
    forwarded = f"{TYPED}, {CLIENT}, {edge}"
    assert client_ip(request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)) == CLIENT
    assert client_ip(request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=edge)) == PROXY


def test_no_valid_address_is_none():
    assert client_ip(request(REMOTE_ADDR="")) is None


def test_axes_counts_the_same_address(client, settings, behind_one_proxy):
    assert settings.AXES_CLIENT_IP_CALLABLE == "core.http.client_ip"
    client.post(
        "/login/",
        {"username": "someone", "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{TYPED}, {CLIENT}",
    )
    assert list(AccessFailureLog.objects.values_list("ip_address", flat=True)) == [CLIENT]


def test_a_typed_forwarded_for_does_not_dodge_the_api_rate_limit(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
        | {"token": "3/minute"},
    }
    cache.clear()
    statuses = [
        APIClient()
        .post(
            "/api/v1/auth/token/",
            {"username": f"user{n}", "password": "wrong"},
            format="json",
            REMOTE_ADDR=CLIENT,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        .status_code
        for n in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
