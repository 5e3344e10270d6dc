"""The retirement claim through its services: the award fixed by hand, the two
people, and every refusal with its code."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Cardholder
from casework.exceptions import AlreadyDecided, IllegalTransition, SamePerson
from pensions import eligibility, services
from pensions.exceptions import ClaimRefused, MissingFigure
from pensions.models import RegionalAverageWage, RetirementClaim
from tests.pensions.conftest import REGION, RETIRES, pension_staff

OPENS = date(2026, 4, 15)


@pytest.fixture
def submitted(ray, django_capture_on_commit_callbacks):
    claim = services.retirement_claim_start(applicant=ray, cardholder=ray.cardholder, today=OPENS)
    with django_capture_on_commit_callbacks(execute=True):
        services.retirement_claim_submit(claim, actor=ray, today=OPENS)
    claim.refresh_from_db()
    return claim


def test_a_claim_starts_three_months_before_the_date(ray):
    claim = services.retirement_claim_start(applicant=ray, cardholder=ray.cardholder, today=OPENS)
    assert claim.reference.startswith("RC-") and claim.status == "draft"
    assert claim.retirement_date == RETIRES
    assert claim.category == "male"
    assert claim.decision_codes == []


def test_a_day_earlier_is_refused_with_the_date(ray):
    with pytest.raises(ClaimRefused) as refused:
        services.retirement_claim_start(
            applicant=ray, cardholder=ray.cardholder, today=date(2026, 4, 14)
        )
    assert refused.value.codes == (eligibility.TOO_EARLY,)
    body = refused.value.details()
    assert body["reasons"][0]["legal_basis"] == eligibility.LAW_AGE
    assert "2026-04-15" in body["reasons"][0]["message"]
    assert "60 days" in body["how_to_contest"]
    assert not RetirementClaim.objects.exists()


def test_only_the_cardholder_claims(ray, rita):
    with pytest.raises(Exception) as refused:
        services.retirement_claim_start(applicant=rita, cardholder=ray.cardholder, today=OPENS)
    assert refused.value.code == "forbidden"


def test_the_review_leaves_it_for_staff_and_a_second_claim_waits(submitted, ray):
    assert submitted.status == "awaiting_decision"
    with pytest.raises(ClaimRefused) as refused:
        services.retirement_claim_start(applicant=ray, cardholder=ray.cardholder, today=OPENS)
    assert refused.value.codes == (eligibility.CLAIM_OPEN,)


def test_the_approval_fixes_the_award(submitted, ray, rita, amos):
    services.retirement_claim_verify(submitted, actor=rita)
    services.retirement_claim_approve(submitted, actor=amos, today=RETIRES)
    claim = RetirementClaim.objects.get(pk=submitted.pk)
    assert claim.status == "approved" and claim.approved_by == amos
    # Average wage of 2025 (the year before): 9000. Fifteen years at 9000: ten years
    # with index 1.5 (average 6000), five with index 1.0, so a mean of 20 / 15.
    assert claim.average_wage == Decimal("9000.00") and claim.average_wage_year == 2025
    assert claim.average_wage_source == "Test figure"
    assert claim.contribution_index == Decimal("1.3333")
    assert claim.indexed_wage == Decimal("12000.00")
    assert claim.contribution_months == 180
    assert claim.contribution_years == Decimal("15.00")
    # (9000 + 12000) / 2 × 15 × 1 % = 1575.00
    assert claim.basic_monthly == Decimal("1575.00")
    # 180 × 720 = 129600 ÷ 139 (age 60) = 932.374… → 932.37
    assert claim.balance_at_retirement == Decimal("129600.00")
    assert claim.divisor == 139
    assert claim.personal_monthly == Decimal("932.37")
    assert claim.starts_on == date(2026, 8, 1)
    assert claim.retirement_date == RETIRES
    ray.cardholder.refresh_from_db()
    assert ray.cardholder.employment_status == Cardholder.EmploymentStatus.RETIRED
    notes = [event.note for event in claim.events.all()]
    assert (
        "Approved: 1575.00 yuan basic pension and 932.37 yuan personal-account pension "
        "a month, paid from 1 August 2026." in notes
    )
    with pytest.raises(AlreadyDecided):
        services.retirement_claim_approve(claim, actor=amos, today=RETIRES)
    with pytest.raises(ClaimRefused) as again:
        services.retirement_claim_start(applicant=ray, cardholder=ray.cardholder, today=RETIRES)
    assert again.value.codes == (eligibility.ALREADY_RETIRED, eligibility.CLAIM_OPEN)


def test_the_verifier_does_not_approve(submitted):
    both = pension_staff("bea", "review_retirementclaim", "approve_retirementclaim")
    services.retirement_claim_verify(submitted, actor=both)
    with pytest.raises(SamePerson):
        services.retirement_claim_approve(submitted, actor=both, today=RETIRES)
    submitted.refresh_from_db()
    assert submitted.status == "awaiting_decision" and submitted.approved_by is None


def test_an_unverified_claim_is_not_approved(submitted, amos):
    with pytest.raises(services.NotVerified) as refused:
        services.retirement_claim_approve(submitted, actor=amos, today=RETIRES)
    assert refused.value.code == eligibility.NOT_VERIFIED


def test_who_asked_for_documents_does_not_approve(
    submitted, ray, rita, django_capture_on_commit_callbacks
):
    asker = pension_staff("ann", "review_retirementclaim", "approve_retirementclaim")
    services.retirement_claim_request_documents(submitted, actor=asker, message="Your ID, please")
    assert submitted.status == "needs_documents"
    with django_capture_on_commit_callbacks(execute=True):
        services.retirement_claim_submit(submitted, actor=ray, today=OPENS)
    services.retirement_claim_verify(submitted, actor=rita)
    with pytest.raises(SamePerson):
        services.retirement_claim_approve(submitted, actor=asker, today=RETIRES)


def test_not_before_the_date_and_the_refusal_is_kept(submitted, rita, amos):
    services.retirement_claim_verify(submitted, actor=rita)
    with pytest.raises(ClaimRefused) as refused:
        services.retirement_claim_approve(submitted, actor=amos, today=date(2026, 7, 14))
    assert refused.value.codes == (eligibility.RETIREMENT_DATE_NOT_REACHED,)
    submitted.refresh_from_db()
    assert submitted.status == "awaiting_decision"
    assert submitted.decision_stage == eligibility.APPROVAL
    assert submitted.decision_codes == [eligibility.RETIREMENT_DATE_NOT_REACHED]


def test_a_missing_average_wage_refuses_by_name(submitted, ray, rita, amos):
    RegionalAverageWage.objects.filter(region=REGION, year=2025).delete()
    services.retirement_claim_verify(submitted, actor=rita)
    with pytest.raises(MissingFigure) as refused:
        services.retirement_claim_approve(submitted, actor=amos, today=RETIRES)
    assert refused.value.details() == {
        "missing": {"figure": "regional_average_wage", "region": REGION, "year": 2025}
    }
    submitted.refresh_from_db()
    assert submitted.status == "awaiting_decision" and submitted.basic_monthly is None
    ray.cardholder.refresh_from_db()
    assert ray.cardholder.employment_status == Cardholder.EmploymentStatus.EMPLOYED


def test_reject_and_withdraw(submitted, ray, rita):
    services.retirement_claim_reject(submitted, actor=rita, reason="Record under correction")
    assert submitted.status == "rejected"
    assert submitted.rejection_reason == "Record under correction"
    with pytest.raises(AlreadyDecided):
        services.retirement_claim_withdraw(submitted, actor=ray)
    # A rejected claim does not stand in the way of a new one.
    again = services.retirement_claim_start(applicant=ray, cardholder=ray.cardholder, today=OPENS)
    services.retirement_claim_withdraw(again, actor=ray)
    assert again.status == "withdrawn"


def test_staff_need_the_permission_and_not_their_own_claim(submitted, ray, amos):
    with pytest.raises(Exception) as refused:
        services.retirement_claim_verify(submitted, actor=amos)
    assert refused.value.code == "forbidden"
    ray.user_permissions.add(*pension_staff("x", "review_retirementclaim").user_permissions.all())
    ray = type(ray).objects.get(pk=ray.pk)
    with pytest.raises(Exception) as own:
        services.retirement_claim_verify(submitted, actor=ray)
    assert own.value.code == "own_claim"


def test_a_submitted_claim_cannot_be_submitted_again(submitted, ray):
    with pytest.raises(IllegalTransition):
        services.retirement_claim_submit(submitted, actor=ray, today=OPENS)


def test_the_applicant_is_emailed_the_decision(
    submitted, ray, rita, amos, mailoutbox, django_capture_on_commit_callbacks
):
    services.retirement_claim_verify(submitted, actor=rita)
    with django_capture_on_commit_callbacks(execute=True):
        services.retirement_claim_approve(submitted, actor=amos, today=RETIRES)
    (mail,) = mailoutbox
    assert mail.to == [ray.email]
    assert "Pension claim approved" in mail.subject and submitted.reference in mail.subject
    assert (
        "Your pension is 2507.37 yuan a month (1575.00 yuan basic pension and 932.37 yuan "
        "personal-account pension), paid from 1 August 2026." in mail.body
    )


def test_a_rejection_email_says_how_to_contest(
    submitted, ray, rita, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.retirement_claim_reject(submitted, actor=rita, reason="Record under correction")
    (mail,) = mailoutbox
    assert "Record under correction" in mail.body
    assert "administrative reconsideration" in mail.body and "60 days" in mail.body
