"""``/api/v1/benefits/maternity/``: the contract."""

import pytest
from rest_framework.test import APIClient

from tests.maternity.conftest import BIRTH

URL = "/api/v1/benefits/maternity/"


@pytest.fixture
def api(mia):
    client = APIClient()
    client.force_authenticate(mia)
    return client


def test_post_starts_a_claim_and_get_shows_the_figures(api):
    response = api.post(
        URL,
        {"event": "birth", "date": BIRTH.isoformat(), "babies": 1, "difficult_birth": False},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = api.get(URL).json()
    assert body["status"] == "draft"
    assert body["event"] == "birth" and body["date"] == "2026-11-10"
    assert body["average_wage"] == "9000.00" and body["days"] == 98
    assert body["amount"] == "29400.00" and body["amount_fixed"] is False


def test_documents_bank_and_submit_through_the_api(api):
    from tests.factories import upload

    body = {
        "event": "birth",
        "date": BIRTH.isoformat(),
        "bank_name": "Bank of Nanjing",
        "bank_account_number": "6222000011112222",
    }
    assert api.post(URL, body, format="json").status_code == 201
    refused = api.post(f"{URL}submit/")
    assert refused.status_code == 422
    assert [r["code"] for r in refused.json()["reasons"]] == ["maternity_missing_proof"]
    added = api.post(f"{URL}documents/", {"kind": "birth_certificate", "file": upload()})
    assert added.status_code == 201
    assert api.post(f"{URL}documents/", {"kind": "x-ray", "file": upload()}).status_code == 400
    answer = api.post(f"{URL}submit/")
    assert answer.status_code == 200 and answer.json()["status"] != "draft"
    assert answer.json()["bank_account_tail"] == "2222"


def test_a_refusal_is_422_with_every_code_and_how_to_contest(api):
    response = api.post(URL, {"event": "birth", "date": "2027-01-01"}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert [r["code"] for r in body["reasons"]] == ["maternity_date_in_future"]
    assert body["reasons"][0]["legal_basis"]
    assert "60 days" in body["how_to_contest"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"event": "birth"}, "date"),
        ({"event": "adoption", "date": "2026-11-10"}, "event"),
        ({"event": "birth", "date": "2026-11-10", "babies": 0}, "babies"),
        ({"event": "miscarriage", "date": "2026-11-10"}, "months"),
    ],
)
def test_bad_input_is_400_naming_the_field(api, payload, field):
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_get_without_a_claim_is_404(api):
    assert api.get(URL).status_code == 404


def test_anonymous_is_turned_away(db):
    assert APIClient().get(URL).status_code in (401, 403)
