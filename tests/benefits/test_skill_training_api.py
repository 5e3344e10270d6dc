"""The API contract of the skill-upgrade subsidy (POST and GET
/api/v1/benefits/skill-subsidy/, documents, submit) and of vocational training
(GET /api/v1/training/courses/, POST and GET /api/v1/training/applications/)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from tests.benefits.conftest import make_course, skill_person
from tests.factories import pdf_bytes

pytestmark = pytest.mark.django_db

SKILL = "/api/v1/benefits/skill-subsidy/"
COURSES = "/api/v1/training/courses/"
APPLICATIONS = "/api/v1/training/applications/"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(**overrides):
    values = {
        "level": "primary",
        "certificate_number": "PC-2026-0042",
        "issued_on": (timezone.localdate() - timedelta(days=10)).isoformat(),
    }
    values.update(overrides)
    return values


def test_claim_upload_submit_and_list(kai, django_capture_on_commit_callbacks):
    client = client_for(kai)
    assert client.get(SKILL).json() == []
    created = client.post(SKILL, body(), format="json")
    assert created.status_code == 201, created.json()
    claim = created.json()
    assert claim["status"] == "draft" and claim["reference"].startswith("SK-")
    assert (claim["level"], claim["certificate_number"]) == ("primary", "PC-2026-0042")
    assert claim["amount"] is None and claim["payment"] is None

    refused = client.post(f"{SKILL}{claim['id']}/submit/")
    assert refused.status_code == 422
    assert [r["code"] for r in refused.json()["reasons"]] == ["missing_certificate_scan"]
    assert {"code", "message", "legal_basis"} <= set(refused.json()["reasons"][0])

    bad = client.post(f"{SKILL}{claim['id']}/documents/", {"kind": "passport"}, format="multipart")
    assert bad.status_code == 400 and "kind" in bad.json()["fields"]
    scan = SimpleUploadedFile("certificate.pdf", pdf_bytes(), "application/pdf")
    added = client.post(
        f"{SKILL}{claim['id']}/documents/",
        {"kind": "skill_certificate", "file": scan},
        format="multipart",
    )
    assert added.status_code == 201, added.json()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(f"{SKILL}{claim['id']}/submit/")
    assert submitted.status_code == 200
    [listed] = client.get(SKILL).json()
    assert listed["status"] == "awaiting_decision"
    assert [d["kind"] for d in listed["documents"]] == ["skill_certificate"]
    assert {"draft", "submitted", "awaiting_decision"} <= {e["status"] for e in listed["timeline"]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"level": "expert"}, "level"),
        ({"level": None}, "level"),
        ({"certificate_number": ""}, "certificate_number"),
        ({"certificate_number": "x" * 41}, "certificate_number"),
        ({"certificate_number": "!!"}, "certificate_number"),
        ({"issued_on": "2026-13-01"}, "issued_on"),
        ({"issued_on": "yesterday"}, "issued_on"),
    ],
)
def test_bad_input_names_the_field(kai, changes, field):
    response = client_for(kai).post(SKILL, body(**changes), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]


def test_refusals_come_with_codes_and_bases(kai):
    client = client_for(kai)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    refused = client.post(SKILL, body(issued_on=future), format="json")
    assert refused.status_code == 422
    payload = refused.json()
    assert payload["code"] == "not_eligible"
    assert [r["code"] for r in payload["reasons"]] == ["certificate_issued_in_future"]
    assert payload["reasons"][0]["legal_basis"] and payload["how_to_contest"]

    assert client.post(SKILL, body(), format="json").status_code == 201
    again = client.post(SKILL, body(level="advanced"), format="json")
    assert [r["code"] for r in again.json()["reasons"]] == ["certificate_already_used"]


def test_another_cardholder_cannot_see_or_touch_my_claim(kai):
    mine = client_for(kai).post(SKILL, body(), format="json").json()
    other = client_for(skill_person("ola"))
    assert other.get(SKILL).json() == []
    assert other.get(f"{SKILL}{mine['id']}/").status_code == 404
    assert other.post(f"{SKILL}{mine['id']}/submit/").status_code == 404
    assert other.post(f"{SKILL}{mine['id']}/withdraw/").status_code == 404
    assert APIClient().get(SKILL).status_code in (401, 403)


def test_courses_open_with_places_left(skill_figures):
    open_course = make_course(places=1)
    make_course(title="Started", starts_in=-1)
    make_course(title="Unlisted", listed=False)
    person = skill_person("una", register=True)
    client = client_for(person)
    [course] = client.get(COURSES).json()
    assert course["id"] == open_course.pk and course["places_left"] == 1
    assert set(course) >= {"title", "provider", "starts_on", "ends_on", "subsidy_amount"}

    applied = client.post(APPLICATIONS, {"course": open_course.pk}, format="json")
    assert applied.status_code == 201, applied.json()
    assert applied.json()["status"] == "applied" and applied.json()["reference"].startswith("VT-")
    assert client.get(COURSES).json() == []  # the only place is taken
    [mine] = client.get(APPLICATIONS).json()
    assert mine["course"]["id"] == open_course.pk

    again = client.post(APPLICATIONS, {"course": open_course.pk}, format="json")
    assert again.status_code == 422
    assert {r["code"] for r in again.json()["reasons"]} == {"already_applied", "course_full"}


def test_training_bad_input_and_refusals(skill_figures):
    course = make_course()
    unregistered = client_for(skill_person("vic"))
    refused = unregistered.post(APPLICATIONS, {"course": course.pk}, format="json")
    assert refused.status_code == 422
    assert [r["code"] for r in refused.json()["reasons"]] == ["not_registered"]
    assert unregistered.post(APPLICATIONS, {"course": "x"}, format="json").status_code == 400
    assert unregistered.post(APPLICATIONS, {}, format="json").json()["fields"].keys() == {"course"}
    missing = unregistered.post(APPLICATIONS, {"course": 999999}, format="json")
    assert missing.status_code == 404 and "course" in missing.json()["fields"]


def test_another_cardholder_cannot_see_my_application(skill_figures):
    course = make_course()
    me = client_for(skill_person("wen", register=True))
    mine = me.post(APPLICATIONS, {"course": course.pk}, format="json").json()
    other = client_for(skill_person("xia", register=True))
    assert other.get(APPLICATIONS).json() == []
    assert other.get(f"{APPLICATIONS}{mine['id']}/").status_code == 404
    assert other.post(f"{APPLICATIONS}{mine['id']}/withdraw/").status_code == 404
    assert me.post(f"{APPLICATIONS}{mine['id']}/withdraw/").json()["status"] == "withdrawn"
