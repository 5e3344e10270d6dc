"""The API contract of the unemployment benefit: POST and GET /api/v1/benefits/unemployment/,
documents, submit, withdraw and the person's word that they found work."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from benefits import payment_run
from tests.benefits.conftest import make_person
from tests.factories import pdf_bytes

pytestmark = pytest.mark.django_db

URL = "/api/v1/benefits/unemployment/"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_nothing_claimed_yet(sue):
    body = client_for(sue).get(URL).json()
    assert body["status"] == "no_claim"
    assert body["months_paid"] == 0 and body["payments"] == []


def test_create_upload_submit_and_follow_to_payment(
    sue, rita, amos, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from benefits import services
    from benefits.models import UnemploymentClaim

    client = client_for(sue)
    created = client.post(URL)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["reference"].startswith("UB-")
    assert body["months_entitled"] is None and body["monthly_amount"] is None

    refused = client.post(f"{URL}submit/")
    assert refused.status_code == 422
    assert [r["code"] for r in refused.json()["reasons"]] == ["missing_termination_certificate"]

    bad = client.post(f"{URL}documents/", {"kind": "passport"}, format="multipart")
    assert bad.status_code == 400 and "kind" in bad.json()["fields"]
    upload = SimpleUploadedFile("termination.pdf", pdf_bytes(), "application/pdf")
    added = client.post(
        f"{URL}documents/", {"kind": "termination_certificate", "file": upload}, format="multipart"
    )
    assert added.status_code == 201, added.json()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(f"{URL}submit/")
    assert submitted.status_code == 200
    assert client.get(URL).json()["status"] == "awaiting_decision"

    claim = UnemploymentClaim.objects.get(cardholder=sue.cardholder)
    services.claim_verify(claim, actor=rita)
    services.claim_approve(claim, actor=amos)
    payment_run.pay_month(claim.registration.registered_on.strftime("%Y-%m"))

    body = client.get(URL).json()
    assert body["status"] == "in_payment"
    assert (body["months_entitled"], body["months_paid"], body["months_left"]) == (18, 1, 17)
    assert body["monthly_amount"] == "1800.00"
    [payment] = body["payments"]
    assert payment["amount"] == "1800.00" and payment["medical_contribution"] == "126.00"
    assert Decimal(payment["amount"]) == Decimal("1800.00")
    assert body["next_payment_month"] is not None
    assert [e["status"] for e in body["timeline"]][-1] == "in_payment"

    stopped = client.post(f"{URL}reemployed/", {}, format="json")
    assert stopped.status_code == 200
    body = stopped.json()
    assert body["status"] == "stopped"
    assert body["stop"]["code"] == "reemployed" and body["stop"]["legal_basis"] == "SIL Art. 51(1)"
    assert "60 days" in body["stop"]["how_to_contest"]
    assert body["months_left"] == 17


def test_a_refusal_names_every_reason_and_writes_nothing():
    user = make_person("ria", months=6, how_ended="resigned")
    response = client_for(user).post(URL)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "not_eligible"
    assert [r["code"] for r in body["reasons"]] == ["contributions_too_short", "left_by_own_will"]
    assert all(r["legal_basis"].startswith("SIL Art.") for r in body["reasons"])
    assert client_for(user).get(URL).json()["status"] == "no_claim"


def test_a_future_start_date_for_the_new_job_is_refused(in_payment):
    client = client_for(in_payment.applicant)
    response = client.post(f"{URL}reemployed/", {"started_on": "2999-01-01"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["started_on"]
    assert client.get(URL).json()["status"] == "in_payment"


def test_withdraw_and_actions_without_a_claim(sue):
    client = client_for(sue)
    assert client.post(f"{URL}submit/").status_code == 404
    client.post(URL)
    assert client.post(f"{URL}withdraw/").json()["status"] == "withdrawn"
