"""Read paths of work-injury recognition."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.extensions import RecordLine
from workinjury import eligibility
from workinjury.models import STANDING_STATES, InjuryRecognition


def standing(cardholder, accident_date, exclude=None):
    """An open or granted recognition of the same accident, or None."""
    claims = InjuryRecognition.objects.filter(
        cardholder=cardholder, accident_date=accident_date, status__in=STANDING_STATES
    )
    if exclude is not None:
        claims = claims.exclude(pk=exclude.pk)
    return claims.order_by("-pk").first()


def recognition_facts(cardholder, *, stage, today, accident_date, filer, claim=None):
    other = standing(cardholder, accident_date, exclude=claim)
    documents = frozenset()
    filed_on = today
    if claim is not None:
        documents = frozenset(claim.documents.values_list("kind", flat=True))
        if claim.submitted_at is not None:
            filed_on = claim.submitted_at.date()
    return eligibility.Facts(
        stage=stage,
        today=today,
        filed_on=filed_on,
        accident_date=accident_date,
        filer=filer,
        life_status=cardholder.life_status,
        open_claim=other.reference if other is not None else "",
        documents_attached=documents,
    )


def recognition_decision(claim, *, stage, today):
    return eligibility.evaluate(
        recognition_facts(
            claim.cardholder,
            stage=stage,
            today=today,
            accident_date=claim.accident_date,
            filer=claim.filer,
            claim=claim,
        )
    )


def recognition_for_user(user, cardholder=None):
    """The latest recognition the user filed or that is about their own record."""
    q = Q(applicant_id=user.pk)
    if cardholder is not None:
        q |= Q(cardholder=cardholder)
    return InjuryRecognition.objects.filter(q).select_related("cardholder").order_by("-pk").first()


def _money(value):
    return None if value is None else f"{value:.2f}"


def recognition_body(claim):
    """The body of ``GET /api/v1/benefits/work-injury/``: grade and amounts stay null
    until a labour-capacity appraisal exists."""
    refusal = eligibility.refusal(claim.refusal_code) if claim.refusal_code else None
    return {
        "id": claim.pk,
        "reference": claim.reference,
        "status": claim.status,
        "status_label": claim.get_status_display(),
        "accident_date": claim.accident_date.isoformat(),
        "filer": claim.filer,
        "submitted_at": claim.submitted_at.isoformat() if claim.submitted_at else None,
        "decide_by": claim.decide_by.isoformat() if claim.decide_by else None,
        "decided_at": claim.decided_at.isoformat() if claim.decided_at else None,
        "refusal": None
        if refusal is None
        else {
            "code": refusal.code,
            "message": refusal.message,
            "legal_basis": refusal.legal_basis,
            "how_to_contest": refusal.how_to_contest,
            "reason": claim.rejection_reason,
        },
        "grade": claim.grade,
        "own_wage": _money(claim.own_wage),
        "one_time_subsidy": _money(claim.one_time_subsidy),
        "monthly_allowance": _money(claim.monthly_allowance),
        "payments": [],
    }


def recognised_injury_lines(cardholder):
    """A recognised work injury on the worker's "My record" (one query)."""
    claims = InjuryRecognition.objects.filter(
        cardholder=cardholder, status=InjuryRecognition.Status.RECOGNISED
    ).order_by("-accident_date")
    return [
        RecordLine(
            kind="work_injury",
            title=str(_("Work injury recognised")),
            on=claim.accident_date,
            reference=claim.reference,
            detail=str(_("disability grade %(grade)s") % {"grade": claim.grade})
            if claim.grade
            else "",
        )
        for claim in claims
    ]
