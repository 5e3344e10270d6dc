"""Read paths of work-injury recognition."""

from datetime import date
from decimal import Decimal

from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.extensions import RecordLine
from benefits import work_injury_rules as rules
from workinjury import eligibility, nursing_rules
from workinjury.models import (
    STANDING_STATES,
    InjuryAllowancePayment,
    InjuryNursingPayment,
    InjuryRecognition,
    InjurySubsidyPayment,
    LabourCapacityAppraisal,
)


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
    until a labour-capacity appraisal is concluded; the working shows how they were
    computed."""
    refusal = eligibility.refusal(claim.refusal_code) if claim.refusal_code else None
    appraisals = appraisals_of(claim)
    latest = appraisals[0] if appraisals else None
    concluded = next((a for a in appraisals if a.status == "concluded"), None)
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
        "allowance_from": f"{claim.allowance_from:%Y-%m}" if claim.allowance_from else None,
        "self_care": concluded.self_care if concluded else None,
        "appraisal": appraisal_body(latest) if latest else None,
        "appraisals": [appraisal_body(a) for a in appraisals],
        "working": working(concluded),
        "nursing_allowance": nursing_body(claim, concluded),
        "payments": payments_of(claim),
        "death": death_body(claim),
    }


def death_body(claim):
    """The death-at-work benefits of the recognition (WIR Art. 39), or None: the
    decision with its figures, each dependant's monthly pension, or the refusal with
    its basis and how to contest it."""
    from core.rights import HOW_TO_CONTEST
    from workinjury import death_rules
    from workinjury.models import WorkDeathBenefit

    benefit = (
        WorkDeathBenefit.objects.select_related("heirs_claim").filter(recognition=claim).first()
    )
    if benefit is None:
        return None
    refused = benefit.status == WorkDeathBenefit.Status.REFUSED
    return {
        "died_on": benefit.died_on.isoformat(),
        "status": benefit.status,
        "status_label": benefit.get_status_display(),
        "funeral_subsidy": _money(benefit.funeral_subsidy),
        "one_time_subsidy": _money(benefit.one_time_subsidy),
        "own_wage": _money(benefit.own_wage),
        "pensions_total": _money(benefit.pensions_total),
        "pensions_capped": benefit.pensions_capped,
        "pension_from": f"{benefit.pension_from:%Y-%m}" if benefit.pension_from else None,
        "legal_basis": death_rules.LAW,
        # The claim the heirs were paid the two subsidies with, by share; None before.
        "paid_to_heirs_with": benefit.heirs_claim.reference if benefit.heirs_claim else None,
        "dependants": [
            {
                "name": item.name,
                "relation": item.relation,
                "relation_label": item.get_relation_display(),
                "lone": item.lone,
                "monthly_amount": _money(item.monthly_amount),
            }
            for item in benefit.dependants.order_by("position")
        ],
        "refusal": {
            "code": benefit.refusal_code,
            "reason": benefit.refusal_reason,
            "legal_basis": death_rules.LAW,
            "how_to_contest": str(HOW_TO_CONTEST),
        }
        if refused
        else None,
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


# --- the labour-capacity appraisal and the benefits -------------------------------------


def _first_of_month(day):
    return date(day.year, day.month, 1)


def _months_back(month, n):
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def wage_months(cardholder, accident_date):
    """The declared monthly wages on the contribution record in the 12 calendar months
    before the month of the injury, oldest first (one query; a month counts once)."""
    from accounts.models import Contribution

    first = _first_of_month(accident_date)
    rows = (
        Contribution.objects.filter(
            cardholder=cardholder, month__lt=first, month__gte=_months_back(first, 12)
        )
        .values("month")
        .annotate(wage=Max("wage_base_declared"))
        .order_by("month")
    )
    return [row["wage"] for row in rows]


def regional_average_row(region, accident_date):
    """The region's average monthly wage of the year before the injury (Art. 64), or
    None: data, never a constant."""
    from pensions.models import RegionalAverageWage

    return RegionalAverageWage.objects.filter(region=region, year=accident_date.year - 1).first()


def nursing_rates(region, day):
    """The region's nursing allowance rate rows valid on `day` (WIR Art. 34), by
    self-care level: the latest valid_from on or before the day wins."""
    from workinjury.models import NursingAllowanceRate

    rows = {}
    for row in NursingAllowanceRate.objects.filter(region=region, valid_from__lte=day).order_by(
        "valid_from"
    ):
        rows[row.self_care] = row
    return rows


def appraisals_of(recognition):
    return list(LabourCapacityAppraisal.objects.filter(recognition=recognition).order_by("-pk"))


def appraisal_open(recognition):
    return (
        LabourCapacityAppraisal.objects.filter(
            recognition=recognition, status=LabourCapacityAppraisal.Status.APPLIED
        )
        .order_by("-pk")
        .first()
    )


def appraisal_last_concluded(recognition):
    return (
        LabourCapacityAppraisal.objects.filter(
            recognition=recognition, status=LabourCapacityAppraisal.Status.CONCLUDED
        )
        .order_by("-concluded_on", "-pk")
        .first()
    )


def subsidy_paid(recognition):
    """The one-time subsidy already paid for the injury, in total."""
    return LabourCapacityAppraisal.objects.filter(recognition=recognition).aggregate(
        total=Sum("subsidy_paid")
    )["total"] or Decimal("0.00")


def bank_line(payment):
    """A one-time payment's line in the bank batch, as the worker reads it: its bank
    reference, status (waiting, sent, paid, failed), the day the bank paid it or the
    bank's reason, and a sentence saying so. The monthly payments have none (nulls)."""
    if payment is None:
        return {
            "status": None,
            "bank_reference": None,
            "paid_on": None,
            "failure_reason": None,
            "status_text": "",
        }
    Status = InjurySubsidyPayment.Status
    paid_on = None
    if payment.status == Status.PAID and payment.result_at:
        paid_on = timezone.localdate(payment.result_at).isoformat()
    reason = payment.result_note if payment.status == Status.FAILED else None
    if payment.status == Status.PAID:
        text = _("paid on %(date)s") % {"date": paid_on}
    elif payment.status == Status.FAILED:
        text = _("failed: %(reason)s — we will send it again") % {"reason": reason or "—"}
    elif payment.status == Status.SENT:
        text = _("sent to the bank")
    else:
        text = _("waiting for the next bank batch")
    return {
        "status": payment.status,
        "bank_reference": payment.reference,
        "paid_on": paid_on,
        "failure_reason": reason,
        "status_text": str(text),
    }


def payments_of(recognition):
    """Every payment for the injury, oldest first: the one-time subsidy (and any top-up
    after a more severe grade) and each month of the allowance."""
    rows = [
        {
            "kind": "one_time_subsidy",
            "label": str(_("One-time disability subsidy")),
            "month": None,
            "amount": _money(a.subsidy_paid),
            "reference": a.reference,
            "posted_at": a.subsidy_transaction.posted_at.isoformat(),
            **bank_line(getattr(a, "subsidy_payment", None)),
        }
        for a in LabourCapacityAppraisal.objects.filter(
            recognition=recognition, subsidy_transaction__isnull=False
        )
        .select_related("subsidy_transaction", "subsidy_payment")
        .order_by("pk")
    ]
    rows += [
        {
            "kind": "nursing_allowance",
            "label": str(_("Nursing allowance")),
            "month": f"{p.month:%Y-%m}",
            "amount": _money(p.amount),
            "reference": recognition.reference,
            "posted_at": p.transaction.posted_at.isoformat(),
            **bank_line(None),
        }
        for p in InjuryNursingPayment.objects.filter(recognition=recognition)
        .select_related("transaction")
        .order_by("month")
    ]
    rows += [
        {
            "kind": "monthly_allowance",
            "label": str(_("Monthly disability allowance")),
            "month": f"{p.month:%Y-%m}",
            "amount": _money(p.amount),
            "reference": recognition.reference,
            "posted_at": p.transaction.posted_at.isoformat(),
            **bank_line(None),
        }
        for p in InjuryAllowancePayment.objects.filter(recognition=recognition)
        .select_related("transaction")
        .order_by("month")
    ]
    return rows


def working(appraisal):
    """How the benefits of a conclusion were computed, as figures and sentences."""
    if appraisal is None or appraisal.own_wage is None:
        return None
    months = rules.ONE_TIME_SUBSIDY_MONTHS[appraisal.grade]
    share = rules.MONTHLY_ALLOWANCE_SHARE.get(appraisal.grade)
    low = (appraisal.regional_average * rules.LOWER_BOUND).quantize(rules.FEN)
    high = (appraisal.regional_average * rules.UPPER_BOUND).quantize(rules.FEN)
    wage_line = _(
        "Average declared wage of the %(months)s months before the injury: %(average)s; "
        "bounds 60 %% and 300 %% of the %(year)s regional average wage %(regional)s: "
        "%(low)s to %(high)s; own wage %(own)s (Art. 64)."
    ) % {
        "months": appraisal.wage_months,
        "average": _money(appraisal.wage_average),
        "year": appraisal.regional_year,
        "regional": _money(appraisal.regional_average),
        "low": _money(low),
        "high": _money(high),
        "own": _money(appraisal.own_wage),
    }
    subsidy_line = _(
        "One-time disability subsidy for grade %(grade)s: %(months)s months × %(own)s = "
        "%(amount)s (Art. 35–37)."
    ) % {
        "grade": appraisal.grade,
        "months": months,
        "own": _money(appraisal.own_wage),
        "amount": _money(appraisal.one_time_subsidy),
    }
    if share is None:
        allowance_line = _(
            "Grade %(grade)s carries no monthly disability allowance from the fund (Art. 36–37)."
        ) % {"grade": appraisal.grade}
    else:
        allowance_line = _(
            "Monthly disability allowance for grade %(grade)s: %(percent)s %% × %(own)s = "
            "%(amount)s a month (Art. 35)."
        ) % {
            "grade": appraisal.grade,
            "percent": int(share * 100),
            "own": _money(appraisal.own_wage),
            "amount": _money(appraisal.monthly_allowance),
        }
    return {
        "wage_months": appraisal.wage_months,
        "wage_average": _money(appraisal.wage_average),
        "regional_average": _money(appraisal.regional_average),
        "regional_year": appraisal.regional_year,
        "regional_source": appraisal.regional_source,
        "lower_bound": _money(low),
        "upper_bound": _money(high),
        "bound_applied": appraisal.bound_applied,
        "subsidy_months": months,
        "allowance_percent": int(share * 100) if share is not None else None,
        "lines": [str(wage_line), str(subsidy_line), str(allowance_line)],
    }


def nursing_body(claim, appraisal):
    """The nursing allowance of the latest conclusion (WIR Art. 34), or None when it
    found the worker able to care for themself: the level, the percent, the regional
    average wage it is taken of, the amount a month, from when, and the basis and the
    way to contest the decision."""
    from core.rights import HOW_TO_CONTEST

    if appraisal is None or appraisal.nursing_percent is None:
        return None
    line = _(
        "Nursing allowance for a worker %(level)s: %(percent)s %% of the %(year)s regional "
        "average monthly wage %(average)s = %(amount)s a month (Art. 34)."
    ) % {
        "level": appraisal.get_self_care_display().lower(),
        "percent": f"{appraisal.nursing_percent:.2f}",
        "year": appraisal.nursing_regional_year,
        "average": _money(appraisal.nursing_regional_average),
        "amount": _money(appraisal.nursing_allowance),
    }
    return {
        "self_care": appraisal.self_care,
        "self_care_label": appraisal.get_self_care_display(),
        "percent": f"{appraisal.nursing_percent:.2f}",
        "regional_average": _money(appraisal.nursing_regional_average),
        "regional_year": appraisal.nursing_regional_year,
        "source": appraisal.nursing_source,
        "amount": _money(appraisal.nursing_allowance),
        "from": f"{claim.nursing_from:%Y-%m}" if claim.nursing_from else None,
        "line": str(line),
        "legal_basis": nursing_rules.LAW,
        "how_to_contest": str(HOW_TO_CONTEST),
    }


def appraisal_body(appraisal):
    return {
        "id": appraisal.pk,
        "reference": appraisal.reference,
        "round": appraisal.round,
        "round_label": appraisal.get_round_display(),
        "status": appraisal.status,
        "status_label": appraisal.get_status_display(),
        "applied_at": appraisal.submitted_at.isoformat() if appraisal.submitted_at else None,
        "conclude_by": appraisal.conclude_by.isoformat() if appraisal.conclude_by else None,
        "grade": appraisal.grade,
        "self_care": appraisal.self_care or None,
        "concluded_on": appraisal.concluded_on.isoformat() if appraisal.concluded_on else None,
        "reappraisal_by": appraisal.reappraisal_by.isoformat()
        if appraisal.reappraisal_by
        else None,
        "review_from": appraisal.review_from.isoformat() if appraisal.review_from else None,
    }
