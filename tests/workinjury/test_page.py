"""The cardholder's work-injury page, in both languages."""

from datetime import date
from decimal import Decimal

import pytest

from tests.workinjury.conftest import TODAY, recognised, wages
from workinjury import services

pytestmark = pytest.mark.django_db


def test_the_page_shows_the_recognition_grade_benefits_working_and_payments(
    client, gang, rita, dora, cora, django_capture_on_commit_callbacks
):
    wages(gang.cardholder, [Decimal("8000.00")] * 12)
    claim = recognised(gang, rita, dora, django_capture_on_commit_callbacks)
    client.force_login(gang)
    page = client.get("/work-injury/").content.decode()
    assert claim.reference in page and 'data-testid="appraisal-form"' in page
    answer = client.post("/work-injury/appraisal/", {"round": "initial"})
    assert answer.status_code == 302
    assert "appraisal_condition_not_stable" in client.get("/work-injury/").content.decode()
    client.post("/work-injury/appraisal/", {"round": "initial", "condition_stable": "on"})
    appraisal = claim.appraisals.get()
    services.appraisal_conclude(
        appraisal, actor=cora, grade=7, self_care="none", today=date(2026, 12, 10)
    )
    page = client.get("/work-injury/").content.decode()
    assert '<dd data-testid="grade">7</dd>' in page
    assert "104000.00" in page and "13 months × 8000.00 = 104000.00" in page
    assert 'data-kind="one_time_subsidy"' in page
    assert 'href="/work-injury/"' in client.get("/").content.decode()
    chinese = client.get("/work-injury/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 200 and "104000.00" in chinese.content.decode()
    assert TODAY


def test_someone_without_a_card_is_not_found(client, hal):
    client.force_login(hal)
    assert client.get("/work-injury/").status_code == 404
