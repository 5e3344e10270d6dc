"""Reads of the benefits app."""

from datetime import date

from django.db.models import Count, Q, Sum

from accounts.reference_data import NATIONAL
from benefits import unemployment_rules as rules


def current_registration(cardholder):
    """The person's latest unemployment registration, or None."""
    from benefits.models import UnemploymentRegistration

    if cardholder is None:
        return None
    return UnemploymentRegistration.objects.filter(cardholder=cardholder).first()


def unemployment_contribution_months(cardholder, *, before):
    """How many months of unemployment contributions the record holds before `before`
    (the day the job ended)."""
    from accounts.models import Contribution, Scheme

    return (
        Contribution.objects.filter(
            cardholder=cardholder, scheme=Scheme.UNEMPLOYMENT, month__lt=before
        )
        .values("month")
        .distinct()
        .count()
    )


def regional_amount_row(region, year):
    """The region's benefit amount for the year, else the national default row (000000),
    or None: the figure is data, never guessed."""
    from benefits.models import RegionalBenefitAmount

    rows = {
        row.region: row
        for row in RegionalBenefitAmount.objects.filter(region__in={region, NATIONAL}, year=year)
    }
    return rows.get(region) or rows.get(NATIONAL)


def regional_amount(region, year):
    row = regional_amount_row(region, year)
    return row.monthly_amount if row else None


def medical_contribution_rows(regions, year):
    """{region: the medical contribution row for the unemployed in force for `year`}
    (a region's own row, else the national default), for the regions that have one."""
    from benefits.models import RegionalMedicalContribution

    rows = {
        row.region: row
        for row in RegionalMedicalContribution.objects.filter(
            region__in={*regions, NATIONAL}, year=year
        )
    }
    found = {}
    for region in regions:
        row = rows.get(region) or rows.get(NATIONAL)
        if row is not None:
            found[region] = row
    return found


# --- the claim ----------------------------------------------------------------------------


def claim_latest(cardholder):
    from benefits.models import UnemploymentClaim

    if cardholder is None:
        return None
    return UnemploymentClaim.objects.filter(cardholder=cardholder).order_by("-pk").first()


def claim_standing(cardholder, exclude=None):
    """The claim open or in payment that stands in the way of another, or None."""
    from benefits.models import STANDING_STATES, UnemploymentClaim

    claims = UnemploymentClaim.objects.filter(cardholder=cardholder, status__in=STANDING_STATES)
    if exclude is not None:
        claims = claims.exclude(pk=exclude.pk)
    return claims.order_by("-pk").first()


def months_paid(claim):
    return claim.payments.count()


def unused_months(cardholder, exclude=None):
    """The months left of the person's last benefit that ended by a stop (SIL Art. 46:
    added to a new period). A benefit paid out to the end leaves none."""
    from benefits.models import Status, UnemploymentClaim

    last = (
        UnemploymentClaim.objects.filter(
            cardholder=cardholder, status__in=(Status.STOPPED, Status.EXHAUSTED)
        )
        .exclude(pk=getattr(exclude, "pk", None))
        .annotate(paid=Count("payments"))
        .order_by("-decided_at", "-pk")
        .first()
    )
    if last is None or last.status != Status.STOPPED:
        return 0
    return rules.months_left(last.months_entitled, last.paid)


def claim_facts(cardholder, *, today, stage=rules.APPLICATION, claim=None):
    """The facts for the benefit rules, read from the person's record."""
    from accounts.models import Cardholder
    from benefits.models import UnemploymentClaim

    registration = claim.registration if claim is not None else current_registration(cardholder)
    if registration is not None and claim is None:
        # A registration that an approved benefit was paid on is spent: register again.
        spent = UnemploymentClaim.objects.filter(
            registration=registration, months_entitled__isnull=False
        ).exists()
        if spent:
            registration = None
    ended = registration.job_ended_on if registration else today
    standing = claim_standing(cardholder, exclude=claim)
    documents = frozenset()
    if claim is not None:
        documents = frozenset(claim.documents.values_list("kind", flat=True))
    return rules.Facts(
        contribution_months=unemployment_contribution_months(cardholder, before=ended),
        job_ended_on=registration.job_ended_on if registration else None,
        how_ended=registration.how_ended if registration else None,
        registered=registration is not None,
        seeking_work=bool(registration and registration.seeking_work),
        pension_in_payment=cardholder.employment_status == Cardholder.EmploymentStatus.RETIRED,
        unused_months=unused_months(cardholder, exclude=claim),
        monthly_amount=regional_amount(cardholder.region, today.year),
        open_claim=standing.reference if standing is not None else "",
        stage=stage,
        documents_attached=documents,
    )


def eligibility(cardholder, today, *, stage=rules.APPLICATION, claim=None):
    """The decision of the benefit rules on the person's record now."""
    return rules.decide(claim_facts(cardholder, today=today, stage=stage, claim=claim))


def first_of_month(day):
    return date(day.year, day.month, 1)


def add_months(month, n):
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def next_payment_month(claim, paid_months):
    """The month the next run pays for this claim, or None when nothing more is due."""
    from benefits.models import Status

    if claim.status != Status.IN_PAYMENT or claim.starts_on is None:
        return None
    if rules.months_left(claim.months_entitled, len(paid_months)) == 0:
        return None
    month = claim.starts_on
    while month in paid_months:
        month = add_months(month, 1)
    return month


def _money(value):
    return None if value is None else f"{value:.2f}"


def unemployment_status(cardholder):
    """The body of ``GET /api/v1/benefits/unemployment/``."""
    claim = claim_latest(cardholder)
    if claim is None:
        return {
            "status": "no_claim",
            "reference": None,
            "months_entitled": None,
            "months_paid": 0,
            "months_left": None,
            "monthly_amount": None,
            "next_payment_month": None,
            "stop": None,
            "payments": [],
        }
    payments = list(claim.payments.order_by("month"))
    paid = {p.month for p in payments}
    next_month = next_payment_month(claim, paid)
    stop = None
    if claim.stop_reason:
        reason = rules.stop_reason(claim.stop_reason)
        stop = {
            "code": reason.code,
            "message": reason.message,
            "legal_basis": reason.legal_basis,
            "stopped_on": claim.stopped_on.isoformat() if claim.stopped_on else None,
            "how_to_contest": str(rules.HOW_TO_CONTEST),
        }
    return {
        "status": claim.status,
        "reference": claim.reference,
        "months_entitled": claim.months_entitled,
        "months_paid": len(payments),
        "months_left": (
            None
            if claim.months_entitled is None
            else rules.months_left(claim.months_entitled, len(payments))
        ),
        "monthly_amount": _money(claim.monthly_amount),
        "next_payment_month": next_month.strftime("%Y-%m") if next_month else None,
        "stop": stop,
        "payments": [
            {
                "month": p.month.strftime("%Y-%m"),
                "amount": _money(p.amount),
                "medical_contribution": _money(p.medical_total),
                "paid_at": p.created_at.isoformat(),
            }
            for p in payments
        ],
    }


def claims_in_payment(region=None):
    from benefits.models import Status, UnemploymentClaim

    claims = UnemploymentClaim.objects.filter(status=Status.IN_PAYMENT)
    if region:
        claims = claims.filter(cardholder__region=region)
    return claims


def payment_totals(month):
    """(payments, benefit total, medical total) recorded for a month."""
    from benefits.models import BenefitPayment

    row = BenefitPayment.objects.filter(month=month).aggregate(
        n=Count("id"),
        amount=Sum("amount"),
        medical=Sum("medical_pooled") + Sum("medical_personal"),
    )
    return row["n"], row["amount"], row["medical"]


def drawing_benefit_on(cardholder_id, day):
    """Whether the person was drawing unemployment benefit when they died on `day`
    (SIL Art. 49): a benefit paid from before that day, still in payment or stopped by
    the death."""
    from benefits.models import Status, StopReason, UnemploymentClaim

    return (
        UnemploymentClaim.objects.filter(cardholder_id=cardholder_id, starts_on__lte=day)
        .filter(Q(status=Status.IN_PAYMENT) | Q(stop_reason=StopReason.DECEASED))
        .exists()
    )
