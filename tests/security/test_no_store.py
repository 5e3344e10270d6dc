"""Pages and API answers for a logged-in person or an authenticated client carry
`Cache-Control: private, no-store`: every route of the site (walked from the URL
resolver) as a cardholder, a reviewer in the admin and an API token holder."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import selectors
from tests.conftest import otp_login
from tests.security.test_permission_matrix import ROUTES, World, url_for

pytestmark = pytest.mark.django_db
SKIP = {"accounts:logout", "admin:logout", "set_language"}


def no_store(response):
    header = response.get("Cache-Control", "")
    return "no-store" in header and "private" in header and "public" not in header


def test_every_authenticated_answer_is_no_store():
    world = World()
    page = Client()
    page.force_login(world.a_user)
    # A few admin routes of third-party apps fail on an id that is not theirs; the
    # header must be there all the same.
    staff = otp_login(Client(raise_request_exception=False), world.users["reviewer"])
    api = APIClient()
    token, _ = Token.objects.get_or_create(user=world.a_user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    institution = APIClient()
    institution.credentials(HTTP_AUTHORIZATION=f"Api-Key {world.api_key}")
    failures = []
    checked = 0
    for name, path, params in ROUTES:
        if name in SKIP:
            continue
        url = url_for(world, name, path, params)
        if path.startswith("api/"):
            clients = [api, institution]
        elif path.startswith("admin/"):
            clients = [staff]
        else:
            clients = [page]
        for client in clients:
            response = client.get(url)
            checked += 1
            if not no_store(response):
                failures.append(f"{url} {response.status_code} {response.get('Cache-Control')}")
    assert checked > 40
    assert failures == [], "\n".join(failures)


def test_the_balance_pages_in_particular(client):
    world = World()
    client.force_login(world.a_user)
    # A year with a record: only those have a statement.
    year = selectors.record_years(world.a_user.cardholder)[0]
    for url in ("/", f"/accounts/{world.account.pk}/", "/contributions/", f"/statement/{year}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url
    # The statement PDF too, and the page saying a year has no statement.
    assert no_store(client.get(f"/statement/{year}.pdf"))
    assert no_store(client.get("/statement/1990/"))
