"""The unemployment benefit claim through its services: the flow, the two people, the
decision fixed at approval, and every refusal with its code."""

from decimal import Decimal

import pytest
from django.core import mail

from benefits import services
from benefits.exceptions import ClaimRefused, MissingFigure
from benefits.models import RegionalBenefitAmount, UnemploymentClaim
from casework.exceptions import AlreadyDecided, IllegalTransition, SamePerson
from tests.benefits.conftest import approve, benefit_staff, make_person, submit


def test_a_registered_person_starts_a_draft(sue):
    claim = services.claim_start(applicant=sue, cardholder=sue.cardholder)
    assert claim.reference.startswith("UB-") and claim.status == "draft"
    assert claim.registration == sue.cardholder.unemployment_registrations.get()


def test_submission_needs_the_termination_certificate(sue):
    claim = services.claim_start(applicant=sue, cardholder=sue.cardholder)
    with pytest.raises(ClaimRefused) as refused:
        services.claim_submit(claim, actor=sue)
    assert [r.code for r in refused.value.reasons] == ["missing_termination_certificate"]
    assert refused.value.details()["reasons"][0]["legal_basis"] == "SIL Art. 50"
    claim.refresh_from_db()
    assert claim.status == "draft"
    assert claim.decision_codes == ["missing_termination_certificate"]


def test_the_review_leaves_it_for_staff_and_a_second_claim_is_refused(
    sue, django_capture_on_commit_callbacks
):
    claim = submit(sue, django_capture_on_commit_callbacks)
    assert claim.status == "awaiting_decision"
    with pytest.raises(ClaimRefused) as refused:
        services.claim_start(applicant=sue, cardholder=sue.cardholder)
    assert [r.code for r in refused.value.reasons] == ["claim_open"]


@pytest.mark.django_db
def test_resignation_and_a_short_record_are_refused_with_codes():
    user = make_person("rex", months=11, how_ended="resigned")
    with pytest.raises(ClaimRefused) as refused:
        services.claim_start(applicant=user, cardholder=user.cardholder)
    assert [r.code for r in refused.value.reasons] == [
        "contributions_too_short",
        "left_by_own_will",
    ]
    assert "60 days" in refused.value.details()["how_to_contest"]
    assert not UnemploymentClaim.objects.exists()


@pytest.mark.django_db
def test_no_registration_is_refused():
    user = make_person("nora", register=False)
    with pytest.raises(ClaimRefused) as refused:
        services.claim_start(applicant=user, cardholder=user.cardholder)
    assert [r.code for r in refused.value.reasons] == ["not_registered"]


def test_a_pension_in_payment_refuses(sue):
    from accounts.models import Cardholder
    from accounts.services import employment_status_set

    employment_status_set(cardholder=sue.cardholder, status=Cardholder.EmploymentStatus.RETIRED)
    with pytest.raises(ClaimRefused) as refused:
        services.claim_start(applicant=sue, cardholder=sue.cardholder)
    assert "pension_in_payment" in [r.code for r in refused.value.reasons]


def test_two_people_verify_and_approve(sue, rita, amos, django_capture_on_commit_callbacks):
    claim = submit(sue, django_capture_on_commit_callbacks)
    with pytest.raises(IllegalTransition) as unverified:
        services.claim_approve(claim, actor=amos)
    assert unverified.value.code == "claim_not_verified"

    both = benefit_staff(
        "bo", "view_unemploymentclaim", "review_unemploymentclaim", "approve_unemploymentclaim"
    )
    services.claim_verify(claim, actor=both)
    with pytest.raises(SamePerson):
        services.claim_approve(claim, actor=both)
    with pytest.raises(Exception) as no_perm:
        services.claim_approve(claim, actor=rita)
    assert no_perm.value.code == "forbidden"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_approve(claim, actor=amos)
    claim.refresh_from_db()
    assert claim.status == "in_payment"
    assert (claim.months_entitled, claim.monthly_amount) == (18, Decimal("1800.00"))
    assert (claim.contribution_months, claim.carried_months) == (84, 0)
    assert (claim.amount_region, claim.amount_year) == ("000000", claim.decided_at.year)
    assert claim.starts_on == claim.registration.registered_on.replace(day=1)
    assert claim.approved_by == amos and claim.verified_by == both
    assert "18 months of benefit at 1800.00 yuan a month" in mail.outbox[-1].body
    with pytest.raises(AlreadyDecided):
        services.claim_approve(claim, actor=amos)


def test_the_reviewer_cannot_act_on_their_own_claim(db, django_capture_on_commit_callbacks):
    user = make_person("rosa")
    claim = submit(user, django_capture_on_commit_callbacks)
    from django.contrib.auth.models import Permission

    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="review_unemploymentclaim"))
    user = type(user).objects.get(pk=user.pk)
    with pytest.raises(Exception) as refused:
        services.claim_verify(claim, actor=user)
    assert refused.value.code == "own_claim"


def test_a_missing_regional_amount_refuses_approval_naming_it(
    sue, rita, amos, django_capture_on_commit_callbacks
):
    claim = submit(sue, django_capture_on_commit_callbacks)
    services.claim_verify(claim, actor=rita)
    RegionalBenefitAmount.objects.all().delete()
    with pytest.raises(MissingFigure) as missing:
        services.claim_approve(claim, actor=amos)
    assert missing.value.code == "missing_regional_figure"
    assert "000000" in str(missing.value.message)
    assert missing.value.details()["missing"]["figure"] == "unemployment_benefit_amount"
    claim.refresh_from_db()
    assert claim.status == "awaiting_decision" and claim.months_entitled is None


def test_rejection_tells_the_reason_and_how_to_contest(
    sue, rita, django_capture_on_commit_callbacks
):
    claim = submit(sue, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_reject(claim, actor=rita, reason="The certificate is not signed.")
    assert claim.status == "rejected"
    body = mail.outbox[-1].body
    assert "The certificate is not signed." in body and "60 days" in body


def test_unused_months_of_a_stopped_benefit_are_carried_over(
    in_payment, rita, amos, django_capture_on_commit_callbacks
):
    from benefits import payment_run

    month = in_payment.starts_on
    payment_run.pay_month(month.strftime("%Y-%m"))
    services.benefit_declare_reemployed(in_payment, actor=in_payment.applicant)
    in_payment.refresh_from_db()
    assert in_payment.status == "stopped"
    sue = in_payment.applicant
    # She loses the new job too, and registers again.
    services.registration_create(
        cardholder=sue.cardholder,
        actor=sue,
        how_ended="contract_expired",
        seeking_work=True,
        job_ended_on=in_payment.registration.job_ended_on,
    )
    second = approve(sue, rita, amos, django_capture_on_commit_callbacks)
    # 18 for seven years again, plus the 17 left, at most 24.
    assert (second.carried_months, second.months_entitled) == (17, 24)


def test_a_spent_registration_must_be_renewed(in_payment):
    services.benefit_declare_reemployed(in_payment, actor=in_payment.applicant)
    sue = in_payment.applicant
    with pytest.raises(ClaimRefused) as refused:
        services.claim_start(applicant=sue, cardholder=sue.cardholder)
    assert [r.code for r in refused.value.reasons] == ["not_registered"]
