"""``/api/v1/benefits/work-injury/``: the contract."""

import pytest
from rest_framework.test import APIClient

from tests.factories import upload

URL = "/api/v1/benefits/work-injury/"


@pytest.fixture
def api(wu):
    client = APIClient()
    client.force_authenticate(wu)
    return client


def test_file_follow_and_no_appraisal_yet(api):
    response = api.post(
        URL, {"accident_date": "2026-11-20", "description": "Burnt hand."}, format="json"
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    body = api.get(URL).json()
    assert body["status"] == "draft" and body["filer"] == "worker"
    for key in ("grade", "own_wage", "one_time_subsidy", "monthly_allowance"):
        assert body[key] is None
    assert body["payments"] == []
    for kind in ("application_form", "labour_relationship_proof", "diagnosis"):
        answer = api.post(f"{URL}{pk}/documents/", {"kind": kind, "file": upload()})
        assert answer.status_code == 201
    submitted = api.post(f"{URL}{pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["decide_by"]
    answer = api.post(f"{URL}{pk}/appraisal/")
    assert answer.status_code == 409
    assert answer.json()["code"] == "appraisal_not_available"
    assert answer.json()["message"] == "appraisal not yet available"


def test_a_late_filing_is_422_with_the_code(api):
    response = api.post(URL, {"accident_date": "2020-01-01", "description": "Old."}, format="json")
    assert response.status_code == 422
    assert [r["code"] for r in response.json()["reasons"]] == ["injury_filed_too_late"]


def test_bad_input_names_the_field(api):
    response = api.post(URL, {"description": "No date."}, format="json")
    assert response.status_code == 400 and "accident_date" in response.json()["fields"]


def test_someone_elses_recognition_is_not_found(api, hal):
    other = APIClient()
    other.force_authenticate(hal)
    assert other.get(URL).status_code == 404
    assert other.post(f"{URL}999/appraisal/").status_code == 404
