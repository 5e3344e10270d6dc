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


def test_file_follow_and_no_appraisal_before_recognition(api):
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
    answer = api.post(f"{URL}{pk}/appraisal/", {"condition_stable": True}, format="json")
    assert answer.status_code == 409
    assert answer.json()["code"] == "appraisal_no_recognised_injury"
    assert "Art. 21" in answer.json()["legal_basis"]


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


def test_the_appraisal_contract(gang, rita, dora, cora, django_capture_on_commit_callbacks):
    from decimal import Decimal

    from tests.workinjury.conftest import recognised, wages
    from workinjury import services
    from workinjury.models import LabourCapacityAppraisal

    wages(gang.cardholder, [Decimal("8000.00")] * 12)
    claim = recognised(gang, rita, dora, django_capture_on_commit_callbacks)
    client = APIClient()
    client.force_authenticate(gang)
    unstable = client.post(f"{URL}{claim.pk}/appraisal/", {}, format="json")
    assert unstable.status_code == 400
    assert unstable.json()["code"] == "appraisal_condition_not_stable"
    made = client.post(f"{URL}{claim.pk}/appraisal/", {"condition_stable": True}, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["status"] == "applied" and made.json()["round"] == "initial"
    again = client.post(f"{URL}{claim.pk}/appraisal/", {"condition_stable": True}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "appraisal_open"
    services.appraisal_conclude(
        LabourCapacityAppraisal.objects.get(pk=made.json()["id"]),
        actor=cora,
        grade=7,
        self_care="none",
    )
    body = client.get(URL).json()
    assert body["status"] == "recognised" and body["grade"] == 7
    assert (body["own_wage"], body["one_time_subsidy"], body["monthly_allowance"]) == (
        "8000.00",
        "104000.00",
        "0.00",
    )
    assert [(p["kind"], p["amount"]) for p in body["payments"]] == [
        ("one_time_subsidy", "104000.00")
    ]
    assert body["working"]["subsidy_months"] == 13
    assert "13 months × 8000.00 = 104000.00" in body["working"]["lines"][1]
    for key in ("reference", "filer", "decide_by", "refusal", "accident_date"):
        assert key in body
