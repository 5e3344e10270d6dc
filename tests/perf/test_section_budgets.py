"""Query budgets of the pension, unemployment and record sections: each page and its
API answer runs a small, fixed number of SQL queries, the same for two years of
contributions as for fifteen."""

from datetime import date

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import CardholderFactory, UserFactory
from tests.pensions.conftest import AVERAGES, REGION, contribute

# Each path's budget: what it reads, counted once the first request filled the
# process's caches (content types, translations).
PAGES = {
    # session, the session's user with the cardholder, forecast (months, balance, wage
    # bases, averages), the standing claim
    "/pension/forecast/": 7,
    # session, the user with the cardholder, registration, latest claim
    "/unemployment/": 4,
    # session, the user with the cardholder, the employment spells with their employers
    # (one query), decisions, and one read per section that adds lines to the record
    # (accounts.extensions), the qualifications
    "/record/": 8,
    # session, the user with the cardholder, claims, contribution months, the region's
    # amounts
    "/unemployment/skill-subsidy/": 5,
    # session, the user with the cardholder, open courses, applications, registration
    "/training/": 5,
}
APIS = {
    # the token with its user and cardholder, then the same reads as the page less the
    # session and its user
    "/api/v1/pension/": 3,
    "/api/v1/benefits/unemployment/": 3,
    "/api/v1/me/record/": 7,
    "/api/v1/benefits/skill-subsidy/": 3,
    "/api/v1/training/courses/": 3,
    "/api/v1/training/applications/": 3,
}


def _person(username, months):
    from pensions.models import RegionalAverageWage

    for year, amount in AVERAGES.items():
        RegionalAverageWage.objects.get_or_create(
            region=REGION, year=year, defaults={"amount": amount, "source": "Test figure"}
        )
    user = UserFactory(username=username, password=None)
    cardholder = CardholderFactory(user=user, gender="M", region=REGION)
    contribute(cardholder, first=date(2011, 1, 1), months=months)
    return user


@pytest.fixture
def short_and_long(db):
    return {"short": _person("shorty", 24), "long": _person("longy", 180)}


@pytest.mark.parametrize("url", list(PAGES))
def test_section_page_budget_is_fixed(client, short_and_long, url, django_assert_max_num_queries):
    for user in short_and_long.values():
        client.force_login(user)
        client.get(url)
        with django_assert_max_num_queries(PAGES[url]):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert (
            response["Cache-Control"] == "private, no-store"
            or "no-store" in (response["Cache-Control"])
        )
        client.logout()


@pytest.mark.parametrize("url", list(APIS))
def test_section_api_budget_is_fixed(client, short_and_long, url, django_assert_max_num_queries):
    for user in short_and_long.values():
        token, _ = Token.objects.get_or_create(user=user)
        header = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
        first = client.get(url, **header)
        with django_assert_max_num_queries(APIS[url]):
            response = client.get(url, **header)
        assert response.status_code == first.status_code
        assert response.status_code in (200, 404), (url, response.status_code)
        assert response.json() == first.json()
