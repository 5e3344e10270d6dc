"""The forecast for someone still working: the pure projection by hand, the API
contract and the page."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from pensions.forecast import forecast
from pensions.retirement import MALE
from tests.api.conftest import client_for
from tests.factories import CardholderFactory, EmployerFactory, UserFactory
from tests.web.conftest import post_months

ZERO = Decimal(0)


def test_at_retirement_the_forecast_is_the_formula():
    result = forecast(
        today=date(2025, 6, 15),
        birth_date=date(1964, 7, 15),
        category=MALE,
        region="110100",
        months_so_far=180,
        balance=Decimal("139000"),
        wage_bases={2023: Decimal("9000")},
        averages={2023: Decimal("9000"), 2024: Decimal("10000")},
        wage_growth=ZERO,
        crediting_rate=ZERO,
    )
    assert result.retirement_date == date(2024, 7, 15)
    assert result.months_at_retirement == 180
    # (10000 + 10000 × 1) / 2 × 15 × 1 % = 1500; 139000 / 139 = 1000
    assert result.pension.basic == Decimal("1500.00")
    assert result.pension.personal == Decimal("1000.00")
    # 12 more months: basic 1600; (139000 + 9000 × 8 % × 12) / 139 = 1062.158… → 1062.16
    assert result.one_more_year == Decimal("162.16")


def test_a_month_to_go_adds_its_contribution_and_its_index():
    result = forecast(
        today=date(2025, 1, 10),
        birth_date=date(1965, 1, 1),
        category=MALE,
        region="110100",
        months_so_far=180,
        balance=Decimal("1000"),
        wage_bases={2023: Decimal("9000")},
        averages={2023: Decimal("9000"), 2024: Decimal("10000")},
        wage_growth=ZERO,
        crediting_rate=ZERO,
    )
    assert result.retirement_date == date(2025, 2, 1)
    assert result.months_at_retirement == 181
    # index (1 + 0.9) / 2 = 0.95; (10000 + 9500) / 2 × 181/12 × 1 % = 1470.625
    assert result.pension.basic == Decimal("1470.63")
    # (1000 + 720) / 139 = 12.374…
    assert result.pension.balance == Decimal("1720.00")
    assert result.pension.personal == Decimal("12.37")


@pytest.fixture
def worker(db):
    user = UserFactory(username="wendy", first_name="Wendy Zhou")
    cardholder = CardholderFactory(
        user=user, name="Wendy Zhou", gender="M", date_of_birth=date(1980, 5, 1)
    )
    post_months(cardholder, EmployerFactory(), months=25)
    return user


def test_api_forecast_contract(worker):
    response = client_for(worker).get("/api/v1/pension/forecast/?wage_growth=2&crediting_rate=2")
    assert response.status_code == 200
    body = response.json()
    assert body["retirement_date"] == "2043-05-01"  # 60 years + 36 months
    assert body["contribution_months_so_far"] == 25
    assert body["divisor"] == 117
    assert body["assumptions"] == {
        "wage_growth": "2.00",
        "crediting_rate": "2.00",
        "todays_money": True,
    }
    total = Decimal(body["basic_monthly"]) + Decimal(body["personal_monthly"])
    assert Decimal(body["total_monthly"]) == total > 0
    assert Decimal(body["one_more_year_adds"]) > 0


def test_api_bad_assumption_is_a_field_error(worker):
    response = client_for(worker).get("/api/v1/pension/forecast/?wage_growth=abc")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["wage_growth"]


def test_api_needs_login_and_a_card(db):
    assert client_for().get("/api/v1/pension/forecast/").status_code in (401, 403)
    heir = UserFactory(username="harry")
    assert client_for(heir).get("/api/v1/pension/forecast/").status_code == 404


def test_api_missing_average_wage_is_refused_by_name(worker):
    worker.cardholder.region = "999999"
    worker.cardholder.save()
    response = client_for(worker).get("/api/v1/pension/forecast/")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "missing_regional_average_wage"
    assert body["missing"]["region"] == "999999"


def test_forecast_page_shows_the_estimate_and_the_assumptions(
    client, worker, django_assert_max_num_queries
):
    client.force_login(worker)
    # One more than the forecast's own: whether a retirement claim stands.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("pensions:forecast"), {"wage_growth": "1.5"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 May 2043" in page
    assert 'name="wage_growth"' in page and 'value="1.5"' in page
    assert "<svg" in page and "<polyline" in page
    assert "One more year of contributions adds" in page


def test_forecast_page_explains_a_bad_assumption(client, worker):
    client.force_login(worker)
    response = client.get(reverse("pensions:forecast"), {"crediting_rate": "99"})
    assert response.status_code == 400
    assert "crediting_rate" in response.content.decode()


def test_dashboard_links_to_the_forecast(client, worker):
    client.force_login(worker)
    assert reverse("pensions:forecast") in client.get("/").content.decode()


def test_api_pension_of_someone_still_working(worker):
    response = client_for(worker).get("/api/v1/pension/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "not_retired",
        "retirement_date": "2043-05-01",
        "contribution_years": "2.08",  # 25 months
        "balance_at_retirement": None,
        "divisor": None,
        "basic_monthly": None,
        "personal_monthly": None,
        "next_living_check_due": None,
        "payments": [],
        "arrears": [],
        "medical_credits": [],
    }
