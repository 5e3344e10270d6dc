"""Unemployment registration (SIL Art. 50): the API, the refusals, the overview."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Cardholder
from benefits import services
from benefits.models import UnemploymentRegistration
from tests.factories import CardholderFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/unemployment/registration/"


@pytest.fixture
def person():
    cardholder = CardholderFactory()
    cardholder.user = UserFactory()
    cardholder.save()
    return cardholder


def client_for(cardholder):
    client = APIClient()
    client.force_authenticate(cardholder.user)
    return client


def test_registration_is_recorded_and_sets_the_employment_status(person):
    ended = timezone.localdate() - timedelta(days=3)
    client = client_for(person)

    response = client.post(
        URL,
        {"job_ended_on": ended.isoformat(), "how_ended": "contract_expired", "seeking_work": True},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json() == {
        "job_ended_on": ended.isoformat(),
        "how_ended": "contract_expired",
        "seeking_work": True,
        "registered_on": timezone.localdate().isoformat(),
    }
    person.refresh_from_db()
    assert person.employment_status == Cardholder.EmploymentStatus.UNEMPLOYED
    assert client.get(URL).json()["how_ended"] == "contract_expired"


def test_no_registration_yet_is_a_404(person):
    assert client_for(person).get(URL).status_code == 404


@pytest.mark.parametrize(
    ("job_ended_on", "code"),
    [(None, "job_end_missing"), (date.today() + timedelta(days=30), "job_end_in_future")],
)
def test_refusals_name_the_field_and_write_nothing(person, job_ended_on, code):
    body = {"how_ended": "dismissed", "seeking_work": True}
    if job_ended_on is not None:
        body["job_ended_on"] = job_ended_on.isoformat()

    response = client_for(person).post(URL, body, format="json")

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert list(response.json()["fields"]) == ["job_ended_on"]
    assert not UnemploymentRegistration.objects.exists()
    person.refresh_from_db()
    assert person.employment_status == Cardholder.EmploymentStatus.EMPLOYED


def test_unknown_way_of_ending_is_a_400_naming_the_field(person):
    response = client_for(person).post(
        URL,
        {"job_ended_on": "2026-01-31", "how_ended": "quit", "seeking_work": True},
        format="json",
    )
    assert response.status_code == 400
    assert "how_ended" in response.json()["fields"]


def test_the_overview_shows_the_registration(person, client):
    services.registration_create(
        cardholder=person,
        actor=person.user,
        job_ended_on=date(2026, 10, 31),
        how_ended="employer_terminated",
        seeking_work=True,
        today=date(2026, 11, 2),
    )
    client.force_login(person.user)

    page = client.get("/").content.decode()

    assert 'data-testid="unemployment-registration"' in page
    assert "The employer ended the contract" in page
