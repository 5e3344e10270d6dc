"""``GET /api/v1/pension/`` for each status it answers today."""

from datetime import date

import pytest

from pensions import services
from tests.api.conftest import client_for
from tests.pensions.conftest import RETIRES, retiree_medical_data

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
    "arrears": [],
    "medical_credits": [],
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
        "arrears": [],
        "medical_credits": [],
    }


def test_withdrawn_is_not_retired_again(ray, claim):
    services.retirement_claim_withdraw(claim, actor=ray)
    assert body(ray)["status"] == "not_retired"


@pytest.fixture
def paid(ray, claim, rita, amos):
    from accounts import ledger
    from pensions import payment_run
    from pensions.models import RetirementClaim

    services.retirement_claim_verify(claim, actor=rita)
    services.retirement_claim_approve(claim, actor=amos, today=RETIRES)
    RetirementClaim.objects.filter(pk=claim.pk).update(bank_account_number="6222 0202 0011 2233")
    ledger.fund_account_open("pension", ray.cardholder.region)
    retiree_medical_data(ray.cardholder.region)
    payment_run.pension_pay_month("2026-08", today=date(2026, 8, 3))
    return claim


MONTH = {
    "month": "2026-08",
    "basic": "1575.00",
    "personal": "932.37",
    "total": "2507.37",
    "destination": "bank",
    "back_pay": False,
    "bank_status": "waiting",
}


def test_in_payment_lists_the_months_paid(ray, paid):
    got = body(ray)
    assert got["status"] == "in_payment"
    assert got["payments"] == [MONTH]
    # The pool credited his medical account with the region's 60.00 for the month.
    assert got["medical_credits"] == [{"month": "2026-08", "amount": "60.00"}]
    assert set(got) == {"status", *NOT_IN_PAYMENT}


def test_suspended_once_the_living_check_has_lapsed(ray, paid):
    from pensions.models import RetirementClaim

    # A pension paid since August 2025: the check ran out on 1 August 2026.
    RetirementClaim.objects.filter(pk=paid.pk).update(starts_on=date(2025, 8, 1))
    got = body(ray)
    assert (got["status"], got["next_living_check_due"]) == ("suspended", "2026-08-01")
    assert got["payments"] == [MONTH]


def test_stopped_once_the_death_is_recorded(ray, paid):
    type(ray.cardholder).objects.filter(pk=ray.cardholder.pk).update(
        date_of_death=date(2026, 9, 30)
    )
    assert body(ray)["status"] == "stopped"
