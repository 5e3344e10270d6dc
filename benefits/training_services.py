"""Writes of vocational training: the application for a course, staff confirming the
enrolment and then the completion, which pays the course subsidy to the provider once
from the region's unemployment fund and records the qualification. One transaction
each."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Cardholder
from benefits import notes as benefit_notes
from benefits import skill_selectors as selectors
from benefits import subsidy_payouts
from benefits.exceptions import InvalidInput, NotFound, TrainingRefused
from benefits.models import (
    COMPLETE,
    ENROL,
    Qualification,
    TrainingApplication,
    TrainingCourse,
    TrainingStatus,
)
from casework import notes
from casework import services as casework
from casework.exceptions import AlreadyDecided, IllegalTransition
from casework.exceptions import Forbidden as CaseForbidden

REVIEW = "review_trainingapplication"


def _today(today):
    return today or timezone.localdate()


def _course(course_id, *, lock=False):
    try:
        pk = int(course_id)
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose a course."), code="invalid", field="course") from None
    courses = TrainingCourse.objects.all()
    if lock:
        courses = courses.select_for_update()
    course = courses.filter(pk=pk).first()
    if course is None:
        raise NotFound(_("There is no such course."), field="course")
    return course


@transaction.atomic
def training_apply(*, applicant, cardholder, course, today=None):
    """The registered unemployed person applies for a place on `course` (an id or a
    course). Refused with every reason (not registered, full, started or ended, already
    applied). The course row is locked: two people never take its last place."""
    if applicant is None or cardholder.user_id != applicant.pk:
        raise CaseForbidden(_("Only the cardholder can apply for themselves."))
    course = _course(getattr(course, "pk", course), lock=True)
    cardholder = Cardholder.objects.select_for_update().get(pk=cardholder.pk)
    decision = selectors.training_eligibility(cardholder, course, _today(today))
    if not decision.allowed:
        raise TrainingRefused(decision)
    application = TrainingApplication(
        reference=f"TMP-{timezone.now():%H%M%S%f}",
        cardholder=cardholder,
        applicant=applicant,
        course=course,
        submitted_at=timezone.now(),
    )
    for name, value in casework.decision_fields(application, "application", decision).items():
        setattr(application, name, value)
    application.save()
    application.reference = (
        f"VT-{timezone.localdate(application.created_at).year}-{application.pk:06d}"
    )
    TrainingApplication.objects.filter(pk=application.pk).update(reference=application.reference)
    casework.case_started(application, applicant)
    return application


def training_withdraw(application, *, actor):
    return casework.case_withdraw(application, actor=actor)


def _staff(application, actor):
    casework.require_perm(actor, application, REVIEW)
    locked = TrainingApplication.objects.select_for_update().get(pk=application.pk)
    casework.require_not_own(locked, actor)
    return locked


@transaction.atomic
def training_confirm_enrolment(application, *, actor, ip_address=None, today=None):
    """Staff confirm the person's place on the course."""
    locked = _staff(application, actor)
    if not locked.allows(ENROL):
        raise IllegalTransition(
            _("The application is %(status)s; the enrolment cannot be confirmed.")
            % {"status": locked.get_status_display()}
        )
    casework.case_transition(
        locked,
        ENROL,
        actor=actor,
        note=notes.note(benefit_notes.TRAINING_ENROLLED),
        ip_address=ip_address,
        enrolled_on=_today(today),
        reviewed_by=actor,
    )
    casework.copy_into(locked, application)
    return application


@transaction.atomic
def training_confirm_completion(application, *, actor, ip_address=None, today=None):
    """Staff confirm that the person completed the course: the course subsidy is paid
    once to the provider from the region's unemployment fund (through the bank batch)
    and the qualification joins the person's record. A second confirmation, at the
    same time or later, pays nothing."""
    locked = _staff(application, actor)
    if locked.status == TrainingStatus.COMPLETED:
        raise AlreadyDecided()
    if not locked.allows(COMPLETE):
        raise IllegalTransition(
            _("The application is %(status)s; the completion cannot be confirmed.")
            % {"status": locked.get_status_display()}
        )
    today = _today(today)
    course = locked.course
    if course.subsidy_amount > 0:
        subsidy_payouts.pay_training_subsidy(locked, actor=actor)
    casework.case_transition(
        locked,
        COMPLETE,
        actor=actor,
        note=notes.note(benefit_notes.TRAINING_COMPLETED, on=today.isoformat()),
        ip_address=ip_address,
        completed_on=today,
        decided_at=timezone.now(),
        approved_by=actor,
    )
    Qualification.objects.create(
        cardholder_id=locked.cardholder_id,
        source=Qualification.Source.TRAINING,
        title=course.qualification_title,
        issued_on=today,
        training_application=locked,
    )
    casework.copy_into(locked, application)
    return application


def training_refuse(application, *, actor, reason, ip_address=None):
    """Staff refuse the place, with the reason the person reads."""
    return casework.case_reject(
        application, actor=actor, perm=REVIEW, reason=reason, ip_address=ip_address
    )
