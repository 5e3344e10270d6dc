"""POST /api/v1/benefits/unemployment/eligibility/ reads the record and the rules."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import contribution_post
from benefits.models import UnemploymentRegistration
from benefits.selectors import unemployment_contribution_months
from tests.factories import CardholderFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/benefits/unemployment/eligibility/"


def person_with(months, how_ended="employer_terminated"):
    cardholder = CardholderFactory()
    cardholder.user = UserFactory()
    cardholder.save()
    ended = timezone.localdate().replace(day=1) - timedelta(days=1)
    first = ended.replace(day=1)
    for back in range(months):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        contribution_post(
            cardholder=cardholder,
            scheme="unemployment",
            month=date(year, month + 1, 1),
            wage="6000.00",
        )
    UnemploymentRegistration.objects.create(
        cardholder=cardholder,
        job_ended_on=ended,
        how_ended=how_ended,
        registered_on=timezone.localdate(),
    )
    client = APIClient()
    client.force_authenticate(cardholder.user)
    return cardholder, client


def test_seven_years_of_contributions_give_18_months_at_the_regional_amount():
    cardholder, client = person_with(84)
    assert unemployment_contribution_months(cardholder, before=timezone.localdate()) == 84

    body = client.post(URL).json()

    assert body["allowed"] is True
    assert body["months_entitled"] == 18
    assert body["monthly_amount"] == "1800.00"
    assert body["reasons"] == []


def test_resignation_and_short_record_are_refused_with_codes():
    _, client = person_with(6, how_ended="resigned")

    body = client.post(URL).json()

    assert body["allowed"] is False
    assert [r["code"] for r in body["reasons"]] == ["contributions_too_short", "left_by_own_will"]
    assert all(r["legal_basis"].startswith("SIL Art.") for r in body["reasons"])
