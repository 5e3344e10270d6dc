"""Reads of the skill-upgrade subsidy, the training catalogue and the person's
qualifications."""

import re
from datetime import timedelta

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.extensions import RecordLine
from benefits import selectors, training_rules
from benefits import skill_subsidy_rules as rules

CERTIFICATE_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")


def normalise_certificate_number(value):
    """The number as compared and stored: capitals, without spaces."""
    return "".join(str(value or "").split()).upper()


def skill_amount_row(region, level):
    """The region's subsidy for the level, or None (never guessed, no national fallback:
    the amount is the region's)."""
    from benefits.models import SkillSubsidyAmount

    return SkillSubsidyAmount.objects.filter(region=region, level=level).first()


def contribution_months(cardholder, today):
    """Months of unemployment contributions on the record up to today."""
    return selectors.unemployment_contribution_months(cardholder, before=today + timedelta(days=1))


def level_claimed(cardholder, level, exclude=None):
    """The reference of the person's other claim for `level`, open or paid, else ""."""
    from benefits.models import SKILL_STANDING_STATES, SkillSubsidyClaim

    claims = SkillSubsidyClaim.objects.filter(
        cardholder=cardholder, level=level, status__in=SKILL_STANDING_STATES
    )
    if exclude is not None:
        claims = claims.exclude(pk=exclude.pk)
    return claims.values_list("reference", flat=True).first() or ""


def certificate_claimed(number, exclude=None):
    """The reference of another claim (anyone's) naming this certificate, open or paid."""
    from benefits.models import SKILL_STANDING_STATES, SkillSubsidyClaim

    claims = SkillSubsidyClaim.objects.filter(
        certificate_number=number, status__in=SKILL_STANDING_STATES
    )
    if exclude is not None:
        claims = claims.exclude(pk=exclude.pk)
    return claims.values_list("reference", flat=True).first() or ""


def skill_facts(
    cardholder,
    *,
    level,
    certificate_number,
    issued_on,
    today,
    stage=rules.APPLICATION,
    claim=None,
):
    row = skill_amount_row(cardholder.region, level)
    documents = frozenset()
    if claim is not None:
        documents = frozenset(claim.documents.values_list("kind", flat=True))
    return rules.Facts(
        contribution_months=contribution_months(cardholder, today),
        level=level,
        issued_on=issued_on,
        applied_on=claim.applied_on if claim is not None else today,
        today=today,
        region=cardholder.region,
        amount=row.amount if row is not None else None,
        level_claimed=level_claimed(cardholder, level, exclude=claim),
        certificate_claimed=certificate_claimed(certificate_number, exclude=claim),
        stage=stage,
        documents_attached=documents,
    )


def skill_eligibility(cardholder, claim, *, today, stage):
    """The rules' decision on a claim as it stands."""
    return rules.decide(
        skill_facts(
            cardholder,
            level=claim.level,
            certificate_number=claim.certificate_number,
            issued_on=claim.issued_on,
            today=today,
            stage=stage,
            claim=claim,
        )
    )


def skill_claims_of(cardholder, applicant=None):
    from benefits.models import SkillSubsidyClaim

    claims = SkillSubsidyClaim.objects.filter(cardholder=cardholder)
    if applicant is not None:
        claims = claims.filter(applicant=applicant)
    return claims.select_related("payment").order_by("-pk")


def skill_claim_for(user, pk):
    """The user's own claim `pk`, or None (another person's is not found)."""
    from benefits.models import SkillSubsidyClaim

    return (
        SkillSubsidyClaim.objects.filter(pk=pk, applicant=user, cardholder__user=user)
        .select_related("cardholder")
        .first()
    )


def _money(value):
    return None if value is None else f"{value:.2f}"


def payment_body(payment):
    if payment is None:
        return None
    return {
        "reference": payment.reference,
        "amount": _money(payment.amount),
        "status": payment.status,
        "paid_to": payment.bank_name,
        "created_at": payment.created_at.isoformat(),
    }


def _payment(case):
    from benefits.models import SubsidyPayment

    try:
        return case.payment
    except SubsidyPayment.DoesNotExist:
        return None


def timeline_body(case):
    from casework import selectors as case_selectors

    timeline = case_selectors.timeline(case)
    return str(timeline.next_step or ""), [
        {"at": e.created_at.isoformat(), "status": e.new_status, "note": e.applicant_note}
        for e in timeline.events
        if not e.staff_only
    ]


def skill_claim_body(claim):
    """One claim as the API shows it to its applicant."""
    from casework import selectors as case_selectors

    next_step, timeline = timeline_body(claim)
    return {
        "id": claim.pk,
        "reference": claim.reference,
        "status": claim.status,
        "status_label": str(claim.get_status_display()),
        "level": claim.level,
        "certificate_number": claim.certificate_number,
        "issued_on": claim.issued_on.isoformat(),
        "applied_on": claim.applied_on.isoformat(),
        "amount": _money(claim.amount),
        "rejection_reason": claim.rejection_reason,
        "request_message": claim.request_message,
        "payment": payment_body(_payment(claim)),
        "next_step": next_step,
        "documents": [
            {"id": d.pk, "kind": d.kind, "name": d.original_name, "finding": d.finding}
            for d in case_selectors.documents_of(claim)
        ],
        "timeline": timeline,
    }


def skill_amounts(region):
    """{level: amount} the region pays (for the page's "before you start")."""
    from benefits.models import SkillSubsidyAmount

    return {row.level: row.amount for row in SkillSubsidyAmount.objects.filter(region=region)}


# --- the training catalogue -------------------------------------------------------------


def places_taken_q():
    from benefits.models import TRAINING_HOLDING_STATES

    return Count("applications", filter=Q(applications__status__in=TRAINING_HOLDING_STATES))


def open_courses(today):
    """Listed courses not started yet with places left, soonest first."""
    from benefits.models import TrainingCourse

    courses = (
        TrainingCourse.objects.filter(listed=True, starts_on__gt=today)
        .annotate(taken=places_taken_q())
        .order_by("starts_on", "title", "pk")
    )
    return [c for c in courses if training_rules.places_left(c.places, c.taken) > 0]


def places_taken(course):
    from benefits.models import TRAINING_HOLDING_STATES

    return course.applications.filter(status__in=TRAINING_HOLDING_STATES).count()


def registered_unemployed(cardholder):
    """Registered at the public employment service, seeking work, and still recorded
    as unemployed (a registration followed by work again does not count)."""
    from accounts.models import Cardholder

    registration = selectors.current_registration(cardholder)
    return (
        registration is not None
        and registration.seeking_work
        and cardholder.employment_status == Cardholder.EmploymentStatus.UNEMPLOYED
    )


def application_for(cardholder, course):
    from benefits.models import TRAINING_HOLDING_STATES, TrainingApplication

    return (
        TrainingApplication.objects.filter(
            cardholder=cardholder, course=course, status__in=TRAINING_HOLDING_STATES
        )
        .values_list("reference", flat=True)
        .first()
        or ""
    )


def training_facts(cardholder, course, today):
    return training_rules.Facts(
        registered=registered_unemployed(cardholder),
        listed=course.listed,
        starts_on=course.starts_on,
        ends_on=course.ends_on,
        places=course.places,
        places_taken=places_taken(course),
        already_applied=application_for(cardholder, course),
        today=today,
    )


def training_eligibility(cardholder, course, today):
    return training_rules.decide(training_facts(cardholder, course, today))


def course_body(course, taken=None):
    taken = places_taken(course) if taken is None else taken
    return {
        "id": course.pk,
        "title": course.title,
        "provider": course.provider_name,
        "starts_on": course.starts_on.isoformat(),
        "ends_on": course.ends_on.isoformat(),
        "places": course.places,
        "places_left": training_rules.places_left(course.places, taken),
        "subsidy_amount": _money(course.subsidy_amount),
        "qualification": course.qualification_title,
    }


def applications_of(cardholder, applicant=None):
    from benefits.models import TrainingApplication

    applications = TrainingApplication.objects.filter(cardholder=cardholder)
    if applicant is not None:
        applications = applications.filter(applicant=applicant)
    return applications.select_related("course").order_by("-pk")


def application_get_for(user, pk):
    from benefits.models import TrainingApplication

    return (
        TrainingApplication.objects.filter(pk=pk, applicant=user, cardholder__user=user)
        .select_related("course", "cardholder")
        .first()
    )


def application_body(application):
    next_step, timeline = timeline_body(application)
    course = application.course
    return {
        "id": application.pk,
        "reference": application.reference,
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "course": {
            "id": course.pk,
            "title": course.title,
            "provider": course.provider_name,
            "starts_on": course.starts_on.isoformat(),
            "ends_on": course.ends_on.isoformat(),
        },
        "enrolled_on": application.enrolled_on.isoformat() if application.enrolled_on else None,
        "completed_on": (
            application.completed_on.isoformat() if application.completed_on else None
        ),
        "rejection_reason": application.rejection_reason,
        "next_step": next_step,
        "timeline": timeline,
    }


# --- the person's qualifications ---------------------------------------------------------


def qualifications_of(cardholder):
    from benefits.models import Qualification

    return Qualification.objects.filter(cardholder=cardholder).select_related(
        "skill_claim", "training_application"
    )


def qualification_lines(cardholder):
    """The person's qualifications on "My record" (one query)."""
    lines = []
    for q in qualifications_of(cardholder):
        detail = q.certificate_number
        lines.append(
            RecordLine(
                kind="qualification",
                title=str(_("Qualification: %(title)s") % {"title": q.display_title}),
                on=q.issued_on,
                reference=q.reference,
                detail=str(detail),
            )
        )
    return lines
