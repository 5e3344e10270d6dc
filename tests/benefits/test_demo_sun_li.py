"""The demo's Sun Li 孙丽 lost her job at the end of last month after seven years of
contributions: with the termination certificate in docs/demo she registers and claims
18 months of benefit."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, SUN_LI_CERTIFICATE, seed
from accounts.models import Cardholder
from accounts.pii import login_username
from benefits import services
from casework import services as casework
from tests.benefits.conftest import last_day_of_last_month

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


def test_sun_li_registers_and_claims_18_months(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    seed()
    sun_li = Cardholder.objects.with_national_id("110108198903120045").get()
    assert (sun_li.name, sun_li.romanised_name, sun_li.gender) == ("孙丽", "Sun Li", "F")
    assert sun_li.date_of_birth.isoformat() == "1989-03-12"
    assert sun_li.employment_status == Cardholder.EmploymentStatus.EMPLOYED
    user = sun_li.user
    assert user.username == login_username("110108198903120045")
    assert user.check_password(DEMO_PASSWORD)

    services.registration_create(
        cardholder=sun_li,
        actor=user,
        how_ended="employer_terminated",
        seeking_work=True,
        job_ended_on=last_day_of_last_month(),
    )
    decision = services.claim_precheck(sun_li)
    assert (decision.allowed, decision.months_entitled) == (True, 18)

    claim = services.claim_start(applicant=user, cardholder=sun_li)
    certificate = (ROOT / SUN_LI_CERTIFICATE).read_bytes()
    casework.document_add(
        case=claim,
        kind="termination_certificate",
        uploaded_file=SimpleUploadedFile("termination.pdf", certificate, "application/pdf"),
        uploader=user,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_submit(claim, actor=user)
    claim.refresh_from_db()
    assert claim.status == "awaiting_decision"
    assert claim.documents.get().finding == "passed"
    assert claim.registration.registered_on == timezone.localdate()


def test_sun_li_applies_for_the_demo_course_and_claims_the_skill_subsidy(
    settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from accounts.demo import SUN_LI_SKILL_CERTIFICATE
    from benefits import skill_selectors, skill_services, training_services
    from benefits.exceptions import TrainingRefused
    from benefits.models import SubsidyPayment

    settings.DEBUG = True
    seed()
    sun_li = Cardholder.objects.with_national_id("110108198903120045").get()
    user = sun_li.user
    [course] = skill_selectors.open_courses(timezone.localdate())
    assert course.illustrative and course.region == sun_li.region

    # Not registered yet: refused with its code; registered: her place is taken.
    with pytest.raises(TrainingRefused) as caught:
        training_services.training_apply(applicant=user, cardholder=sun_li, course=course.pk)
    assert caught.value.decision.codes == ("not_registered",)
    services.registration_create(
        cardholder=sun_li,
        actor=user,
        how_ended="employer_terminated",
        seeking_work=True,
        job_ended_on=last_day_of_last_month(),
    )
    sun_li.refresh_from_db()
    application = training_services.training_apply(
        applicant=user, cardholder=sun_li, course=course.pk
    )
    assert application.status == "applied"

    # The skill-upgrade subsidy for her intermediate certificate: 1,500 yuan in her region.
    claim = skill_services.skill_claim_start(
        applicant=user,
        cardholder=sun_li,
        level="intermediate",
        certificate_number="S110108-2026-004512",
        issued_on=timezone.localdate() - timedelta(days=60),
    )
    casework.document_add(
        case=claim,
        kind="skill_certificate",
        uploaded_file=SimpleUploadedFile(
            "certificate.pdf", (ROOT / SUN_LI_SKILL_CERTIFICATE).read_bytes(), "application/pdf"
        ),
        uploader=user,
    )
    with django_capture_on_commit_callbacks(execute=True):
        skill_services.skill_claim_submit(claim, actor=user)
    claim.refresh_from_db()
    assert claim.status == "awaiting_decision" and claim.documents.get().finding == "passed"
    staff = get_user_model().objects
    reviewer, approver = staff.get(username="reviewer"), staff.get(username="approver")
    skill_services.skill_claim_verify(claim, actor=reviewer)
    skill_services.skill_claim_approve(claim, actor=approver)
    assert SubsidyPayment.objects.get(skill_claim=claim).amount == 1500

    # Seeding again changes nothing of hers and keeps one course.
    call_command("seed_demo_training")
    assert len(skill_selectors.open_courses(timezone.localdate())) == 1
