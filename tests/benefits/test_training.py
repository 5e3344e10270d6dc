"""Vocational training: applying (with each refusal's code), staff confirming the
enrolment and the completion, which pays the provider once from the unemployment fund
into the bank batch and records the qualification."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import extensions, ledger
from benefits import services, training_services
from benefits.exceptions import TrainingRefused
from benefits.models import Qualification, SubsidyPayment
from casework.exceptions import AlreadyDecided, Forbidden, IllegalTransition
from tests.benefits.conftest import make_course, skill_person
from withdrawals import payout_files

pytestmark = pytest.mark.django_db


def apply(user, course):
    return training_services.training_apply(
        applicant=user, cardholder=user.cardholder, course=course.pk
    )


def refused(user, course):
    with pytest.raises(TrainingRefused) as caught:
        apply(user, course)
    return caught.value.decision.codes


@pytest.fixture
def una(skill_figures):
    return skill_person("una", register=True)


def test_completion_pays_the_provider_once_and_records_the_qualification(una, sian):
    course = make_course(qualification="CNC operator, level 4")
    application = apply(una, course)
    with pytest.raises(IllegalTransition):
        training_services.training_confirm_completion(application, actor=sian)
    training_services.training_confirm_enrolment(application, actor=sian)
    assert application.status == "enrolled" and application.enrolled_on == timezone.localdate()
    training_services.training_confirm_completion(application, actor=sian)
    assert application.status == "completed"

    payment = SubsidyPayment.objects.get()
    assert (payment.kind, payment.amount, payment.payee, payment.account_number) == (
        "training_subsidy",
        Decimal("1200.00"),
        "Haidian Vocational Training Centre",
        "6222020200112233445",
    )
    assert ledger.fund_account("unemployment", "110100").balance == Decimal("-1200.00")
    qualification = Qualification.objects.get()
    assert (qualification.source, qualification.title) == ("training", "CNC operator, level 4")
    titles = [line.title for line in extensions.record_lines(una.cardholder)]
    assert any("CNC operator, level 4" in title for title in titles)

    with pytest.raises(AlreadyDecided):
        training_services.training_confirm_completion(application, actor=sian)
    assert SubsidyPayment.objects.count() == 1

    out = io.StringIO()
    [line] = payout_files.export_batch(out)
    assert line.reference == f"VTP-{application.pk:06d}"
    assert "6222020200112233445" in out.getvalue()


def test_refusals_with_codes(una, skill_figures):
    course = make_course(places=1)
    apply(una, course)
    assert set(refused(una, course)) == {"already_applied", "course_full"}
    assert refused(skill_person("vic", register=True), course) == ("course_full",)
    assert refused(skill_person("wil"), make_course()) == ("not_registered",)
    assert refused(una, make_course(starts_in=0)) == ("course_started",)
    assert refused(una, make_course(starts_in=-20, days=5)) == ("course_ended",)


def test_registered_but_back_at_work_is_not_registered(una):
    from accounts.models import Cardholder
    from accounts.services import employment_status_set

    employment_status_set(cardholder=una.cardholder, status=Cardholder.EmploymentStatus.EMPLOYED)
    una.cardholder.refresh_from_db()
    assert refused(una, make_course()) == ("not_registered",)


def test_a_withdrawn_or_refused_place_is_free_again(una, sian):
    course = make_course(places=1)
    application = apply(una, course)
    training_services.training_withdraw(application, actor=una)
    other = skill_person("yan", register=True)
    second = apply(other, course)
    training_services.training_refuse(second, actor=sian, reason="Course requires a B licence.")
    assert second.status == "rejected" and second.rejection_reason
    assert apply(una, course).status == "applied"


def test_only_staff_with_the_permission_confirm(una, sian):
    from tests.benefits.conftest import benefit_staff

    application = apply(una, make_course())
    for actor in (una, benefit_staff("nobody", "view_trainingapplication")):
        with pytest.raises(Forbidden):
            training_services.training_confirm_enrolment(application, actor=actor)


def test_staff_never_confirm_their_own_place(skill_figures, sian):
    from django.contrib.auth.models import Permission

    from tests.factories import CardholderFactory

    holder = CardholderFactory(user=sian, region="110100")
    services.registration_create(
        cardholder=holder,
        actor=sian,
        how_ended="employer_terminated",
        seeking_work=True,
        job_ended_on=timezone.localdate() - timedelta(days=3),
    )
    assert Permission.objects.filter(codename="review_trainingapplication").exists()
    sian.cardholder.refresh_from_db()
    application = apply(sian, make_course())
    with pytest.raises(Forbidden):
        training_services.training_confirm_enrolment(application, actor=sian)
