"""Read paths of the maternity allowance."""

from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Contribution, Employer, Scheme
from benefits import maternity_rules
from maternity import eligibility
from maternity.models import (
    STANDING_STATES,
    EmployerAverageWage,
    MaternityClaim,
    RegionalMaternityRule,
)


def employer_before(cardholder, day):
    """The employer that last paid medical contributions for the person in or before
    the month of `day` (maternity is collected with medical), or None. One query."""
    if day is None:
        return None
    employer_id = (
        Contribution.objects.filter(
            cardholder=cardholder,
            scheme=Scheme.MEDICAL,
            employer__isnull=False,
            month__lte=day.replace(day=1),
        )
        .order_by("-month")
        .values_list("employer_id", flat=True)
        .first()
    )
    return Employer.objects.filter(pk=employer_id).first() if employer_id else None


def average_wage_row(employer, year):
    """The employer's recorded average monthly wage for `year`, or None."""
    if employer is None or year is None:
        return None
    return EmployerAverageWage.objects.filter(employer=employer, year=year).first()


def regional_rule(region, day):
    """The region's maternity rule in force on `day`, or None (no extra days, no limit)."""
    if day is None:
        return None
    return (
        RegionalMaternityRule.objects.filter(region=region, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def wage_year(event_date):
    """The allowance uses the employer's average wage of the year before the event."""
    return event_date.year - 1 if event_date else None


def claim_latest(cardholder):
    return MaternityClaim.objects.filter(cardholder=cardholder).order_by("-pk").first()


def claim_standing(cardholder, *, event_date=None, exclude=None):
    """An open claim, or a granted one for the same event date, standing in the way."""
    claims = MaternityClaim.objects.filter(cardholder=cardholder, status__in=STANDING_STATES)
    if exclude is not None:
        claims = claims.exclude(pk=exclude.pk)
    for claim in claims.order_by("-pk"):
        granted = claim.status in (MaternityClaim.Status.APPROVED, MaternityClaim.Status.PAID)
        if not granted or claim.event_date == event_date:
            return claim
    return None


def maternity_facts(cardholder, *, stage, today, event, event_date, claim=None):
    """The eligibility facts for a claim by `cardholder` about `event` on `event_date`."""
    employer = employer_before(cardholder, event_date)
    year = wage_year(event_date)
    rule = regional_rule(cardholder.region, event_date)
    standing = claim_standing(cardholder, event_date=event_date, exclude=claim)
    documents = frozenset()
    bank = False
    if claim is not None:
        documents = frozenset(claim.documents.values_list("kind", flat=True))
        bank = bool(claim.bank_name and claim.bank_account_number)
    return eligibility.Facts(
        stage=stage,
        today=today,
        gender=cardholder.gender,
        event=event,
        event_date=event_date,
        life_status=cardholder.life_status,
        employer_name=employer.name if employer else "",
        wage_year=year,
        average_wage_known=average_wage_row(employer, year) is not None,
        claim_limit_days=rule.claim_limit_days if rule else None,
        open_claim=standing.reference if standing is not None else "",
        documents_attached=documents,
        bank_account_given=bank,
    )


def claim_decision(claim, *, stage, today):
    return eligibility.evaluate(
        maternity_facts(
            claim.cardholder,
            stage=stage,
            today=today,
            event=claim.event,
            event_date=claim.event_date,
            claim=claim,
        )
    )


@dataclass(frozen=True)
class Estimate:
    average_wage: Decimal | None
    average_wage_year: int | None
    statutory_days: int
    regional_extra_days: int
    days: int
    amount: Decimal | None


def estimate(claim):
    """The figures as the data stands (what approval would fix), or the fixed ones once
    approved. The amount is None while the employer's average wage is missing."""
    if claim.amount is not None:
        return Estimate(
            claim.average_wage,
            claim.average_wage_year,
            claim.statutory_days,
            claim.regional_extra_days,
            claim.days,
            claim.amount,
        )
    rule = regional_rule(claim.cardholder.region, claim.event_date)
    extra = rule.extra_days if rule and claim.event == maternity_rules.BIRTH else 0
    base = maternity_rules.statutory_days(
        claim.event,
        babies=claim.babies,
        difficult_birth=claim.difficult_birth,
        months=claim.pregnancy_months,
    )
    year = wage_year(claim.event_date)
    row = average_wage_row(claim.employer, year)
    if row is None:
        return Estimate(None, year, base, extra, base + extra, None)
    allowance = maternity_rules.allowance(
        claim.event,
        average_wage=row.amount,
        regional_extra_days=extra,
        babies=claim.babies,
        difficult_birth=claim.difficult_birth,
        months=claim.pregnancy_months,
    )
    return Estimate(
        row.amount, year, allowance.statutory_days, extra, allowance.days, allowance.amount
    )


def _money(value):
    return None if value is None else f"{value:.2f}"


def claim_body(claim):
    """The body of ``GET /api/v1/benefits/maternity/`` for one claim."""
    figures = estimate(claim)
    return {
        "reference": claim.reference,
        "status": claim.status,
        "status_label": claim.get_status_display(),
        "event": claim.event,
        "date": claim.event_date.isoformat() if claim.event_date else None,
        "babies": claim.babies,
        "difficult_birth": claim.difficult_birth,
        "months": claim.pregnancy_months,
        "employer": claim.employer.name if claim.employer else None,
        "average_wage": _money(figures.average_wage),
        "average_wage_year": figures.average_wage_year,
        "statutory_days": figures.statutory_days,
        "regional_extra_days": figures.regional_extra_days,
        "days": figures.days,
        "amount": _money(figures.amount),
        "amount_fixed": claim.amount is not None,
        "bank_account_tail": claim.bank_account_tail or None,
        "submitted_at": claim.submitted_at.isoformat() if claim.submitted_at else None,
        "decided_at": claim.decided_at.isoformat() if claim.decided_at else None,
        "rejection_reason": claim.rejection_reason or None,
        "request_message": claim.request_message or None,
        "reason_codes": list(claim.decision_codes or []),
    }
