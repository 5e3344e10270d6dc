"""``GET /api/v1/pension/`` for each status it answers today."""

from datetime import date

import pytest

from pensions import services
from tests.api.conftest import client_for
from tests.pensions.conftest import RETIRES

OPENS = date(2026, 4, 15)


def body(user):
    response = client_for(user).get("/api/v1/pension/")
    assert response.status_code == 200
    return response.json()


NOT_IN_PAYMENT = {
    "retirement_date": "2026-07-15",
    "contribution_years": "15.00",
    "balance_at_retirement": None,
    "divisor": None,
    "basic_monthly": None,
    "personal_monthly": None,
    "next_living_check_due": None,
    "payments": [],
}


def test_not_retired_before_any_claim(ray):
    assert body(ray) == {"status": "not_retired", **NOT_IN_PAYMENT}


def test_a_draft_is_not_yet_a_pending_claim(ray):
    services.retirement_claim_start(applicant=ray, cardholder=ray.cardholder, today=OPENS)
    assert body(ray)["status"] == "not_retired"


@pytest.fixture
def claim(ray, django_capture_on_commit_callbacks):
    claim = services.retirement_claim_start(applicant=ray, cardholder=ray.cardholder, today=OPENS)
    with django_capture_on_commit_callbacks(execute=True):
        services.retirement_claim_submit(claim, actor=ray, today=OPENS)
    return claim


def test_claim_pending_while_the_claim_is_open(ray, claim):
    assert body(ray) == {"status": "claim_pending", **NOT_IN_PAYMENT}


def test_in_payment_with_the_fixed_award(ray, claim, rita, amos):
    services.retirement_claim_verify(claim, actor=rita)
    services.retirement_claim_approve(claim, actor=amos, today=RETIRES)
    assert body(ray) == {
        "status": "in_payment",
        "retirement_date": "2026-07-15",
        "contribution_years": "15.00",
        "balance_at_retirement": "129600.00",
        "divisor": 139,
        "basic_monthly": "1575.00",
        "personal_monthly": "932.37",
        # Paid from 1 August 2026; the living check is due twelve months on.
        "next_living_check_due": "2027-08-01",
        "payments": [],
    }


def test_withdrawn_is_not_retired_again(ray, claim):
    services.retirement_claim_withdraw(claim, actor=ray)
    assert body(ray)["status"] == "not_retired"
