"""Read paths of the pensions app."""

from datetime import date
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from accounts.models import Account, Cardholder, Contribution, Scheme
from pensions import eligibility, forecast, living_check, retirement
from pensions.models import (
    STANDING_STATES,
    WORKFLOW,
    LivingCheckConfirmation,
    RegionalAverageWage,
    RetirementClaim,
)
from pensions.retirement import contribution_months


def pension_contribution_months(cardholder):
    """The first day of every month the pension record holds a contribution for,
    oldest first. One query."""
    return list(
        Contribution.objects.filter(cardholder=cardholder, scheme=Scheme.PENSION)
        .order_by()
        .dates("month", "month")
    )


def pension_contribution_month_count(cardholder):
    """How many months of pension contributions the record holds."""
    return contribution_months(pension_contribution_months(cardholder))


def average_wages(region):
    """{year: average monthly wage} recorded for a region. One query."""
    return dict(RegionalAverageWage.objects.filter(region=region).values_list("year", "amount"))


def yearly_wage_bases(cardholder):
    """{year: mean monthly pension wage base} over the record. One query."""
    rows = (
        Contribution.objects.filter(cardholder=cardholder, scheme=Scheme.PENSION)
        .order_by()
        .values_list("month", "wage_base")
    )
    # The employer's and the employee's rows of a month carry the same base: one each.
    per_month = dict(rows)
    sums = {}
    for month, base in per_month.items():
        total, count = sums.get(month.year, (Decimal(0), 0))
        sums[month.year] = (total + base, count + 1)
    return {year: total / count for year, (total, count) in sums.items()}


def personal_pension_balance(cardholder):
    """The personal pension account's balance (zero without one). One query."""
    balance = (
        Account.objects.filter(
            cardholder=cardholder, scheme=Scheme.PENSION, kind=Account.Kind.PERSONAL
        )
        .values_list("balance", flat=True)
        .first()
    )
    return balance or Decimal(0)


def forecast_for_cardholder(cardholder, *, today, wage_growth, crediting_rate, cadre=False):
    """The forecast for a cardholder from their record. Four queries."""
    return forecast.forecast(
        today=today,
        birth_date=cardholder.date_of_birth,
        category=retirement.category_for(cardholder.gender, cadre=cadre),
        region=cardholder.region,
        months_so_far=pension_contribution_month_count(cardholder),
        balance=personal_pension_balance(cardholder),
        wage_bases=yearly_wage_bases(cardholder),
        averages=average_wages(cardholder.region),
        wage_growth=wage_growth,
        crediting_rate=crediting_rate,
    )


def average_wage_row(region, year):
    """The recorded figure for a region and year, or None. One query."""
    return RegionalAverageWage.objects.filter(region=region, year=year).first()


def retirement_claim_latest(cardholder):
    """The cardholder's most recent retirement claim, or None. One query."""
    return RetirementClaim.objects.filter(cardholder=cardholder).order_by("-pk").first()


def retirement_claim_standing(cardholder, exclude=None):
    """The open or approved claim standing in the way of another, or None."""
    claims = RetirementClaim.objects.filter(cardholder=cardholder, status__in=STANDING_STATES)
    if exclude is not None:
        claims = claims.exclude(pk=exclude.pk)
    return claims.order_by("-pk").first()


def default_category(cardholder, claim=None):
    if claim is not None:
        return claim.category
    return retirement.category_for(cardholder.gender)


def retirement_facts(cardholder, *, stage, today, category, claim=None):
    """The eligibility facts of a claim by `cardholder` at `stage` (`claim`: the claim
    being decided, which does not stand in its own way)."""
    standing = retirement_claim_standing(cardholder, exclude=claim)
    documents = frozenset()
    if claim is not None:
        documents = frozenset(claim.documents.values_list("kind", flat=True))
    return eligibility.Facts(
        stage=stage,
        today=today,
        birth_date=cardholder.date_of_birth,
        gender=cardholder.gender,
        category=category,
        contribution_months=pension_contribution_month_count(cardholder),
        life_status=cardholder.life_status,
        retired=cardholder.employment_status == Cardholder.EmploymentStatus.RETIRED,
        open_claim=standing.reference if standing is not None else "",
        documents_attached=documents,
    )


def retirement_claim_decision(claim, *, stage, today):
    """The rules' answer for an existing claim at `stage` (a read)."""
    return eligibility.evaluate(
        retirement_facts(
            claim.cardholder, stage=stage, today=today, category=claim.category, claim=claim
        )
    )


def claim_window(cardholder, *, today, category=None):
    """(retirement date, the first day a claim may be made, whether that is today or
    earlier) for the forecast page's link."""
    category = category or retirement.category_for(cardholder.gender)
    retires = retirement.retirement_date(cardholder.date_of_birth, category)
    opens = retirement.add_months(retires, -eligibility.APPLY_MONTHS_BEFORE)
    return retires, opens, today >= opens


def _money(value):
    return None if value is None else f"{value:.2f}"


def pension_payments(claim):
    """The claim's monthly payments, oldest first. One query."""
    return list(claim.payments.order_by("month"))


def pension_arrears(claim):
    """The arrears of increases entered late paid on the claim, oldest first, each with
    its increase (the basis). One query."""
    return list(claim.arrears.select_related("increase").order_by("first_month", "pk"))


BANK_STATUS_LABELS = {
    "waiting": _l("waiting to be sent to the bank"),
    "sent": _l("sent to the bank"),
    "paid": _l("paid by the bank"),
    "failed": _l("the bank could not pay it"),
}


def with_bank_status(claim, rows, kind):
    """`rows` (payments or arrears of the claim) each given `bank_status` and
    `bank_status_label`: the bank's answer for a bank account, empty for the card."""
    status = bank_status_by_line(claim)
    for row in rows:
        value = status.get((kind, row.pk), "waiting") if row.destination == "bank" else ""
        row.bank_status = value
        row.bank_status_label = BANK_STATUS_LABELS.get(value, "")
    return rows


def bank_status_by_line(claim):
    """{("payment" | "arrears", id): the latest bank line's status} of the claim's
    months and arrears paid to a bank account. One query."""
    from pensions.models import PensionPayout

    status = {}
    for payment_id, arrears_id, value in (
        PensionPayout.objects.filter(claim=claim)
        .order_by("pk")
        .values_list("payment_id", "arrears_id", "status")
    ):
        key = ("payment", payment_id) if payment_id else ("arrears", arrears_id)
        status[key] = value
    return status


def failed_payouts(claim):
    """The claim's bank lines the bank could not pay, not sent again yet, oldest first,
    each with the month or arrears it pays. One query."""
    from pensions.models import PensionPayout

    return list(
        PensionPayout.objects.filter(
            claim=claim, status=PensionPayout.Status.FAILED, resent_as__isnull=True
        )
        .select_related("payment", "arrears")
        .order_by("pk")
    )


def retiree_medical_credits(claim):
    """The months the pool credited the pensioner's personal medical account, oldest
    first. One query."""
    return list(claim.medical_credits.order_by("month"))


def _arrears_body(arrears):
    increase = arrears.increase
    return {
        "increase_from": f"{increase.from_month:%Y-%m}",
        "percent": None if increase.percent is None else f"{increase.percent.normalize():f}",
        "amount_a_month": _money(increase.amount),
        "source": increase.source,
        "first_month": f"{arrears.first_month:%Y-%m}",
        "last_month": f"{arrears.last_month:%Y-%m}",
        "months": arrears.months,
        "amount": _money(arrears.amount),
        "paid_in": f"{arrears.paid_in:%Y-%m}",
    }


def pension_record_lines(cardholder):
    """The arrears of pension increases on the pensioner's "My record". One query."""
    from django.utils.translation import gettext as _

    from accounts.extensions import RecordLine
    from pensions.models import PensionArrears

    rows = (
        PensionArrears.objects.filter(claim__cardholder=cardholder)
        .select_related("increase", "claim")
        .order_by("-paid_in", "-pk")
    )
    lines = []
    for row in rows:
        body = _arrears_body(row)
        basis = (
            _("%(percent)s %% from %(month)s")
            % {"percent": body["percent"], "month": body["increase_from"]}
            if row.increase.percent is not None
            else _("¥%(amount)s a month from %(month)s")
            % {"amount": body["amount_a_month"], "month": body["increase_from"]}
        )
        lines.append(
            RecordLine(
                kind="pension_arrears",
                title=str(_("Arrears of a pension increase paid")),
                on=row.created_at.date(),
                reference=row.claim.reference,
                detail=_(
                    "¥%(amount)s for %(months)s month(s), %(first)s to %(last)s: increase of "
                    "%(basis)s (%(source)s)"
                )
                % {
                    "amount": body["amount"],
                    "months": row.months,
                    "first": body["first_month"],
                    "last": body["last_month"],
                    "basis": basis,
                    "source": row.increase.source,
                },
            )
        )
    return lines


def pension_payment_status(claim, *, today):
    """in_payment, suspended (the living check lapsed: months are held until it is
    confirmed) or stopped (the pensioner's death is recorded)."""
    if claim.cardholder.date_of_death is not None:
        return "stopped"
    if living_check.state(living_check_due(claim), today) == living_check.LAPSED:
        return "suspended"
    return "in_payment"


def _payment_body(payment, bank=None):
    return {
        "month": f"{payment.month:%Y-%m}",
        "basic": _money(payment.basic),
        "personal": _money(payment.personal),
        "total": _money(payment.total),
        "destination": payment.destination,
        "back_pay": payment.back_pay,
        # The bank's answer for a payment to a bank account: waiting, sent, paid,
        # failed (until re-sent to a corrected account); None for the card.
        "bank_status": (bank or {}).get(("payment", payment.pk), "waiting")
        if payment.destination == "bank"
        else None,
    }


def pension_status(cardholder, *, today=None):
    """The body of ``GET /api/v1/pension/``.

    ``in_payment`` once a retirement claim is approved (its fixed award and the monthly
    payments made, oldest first), ``suspended`` while its living check has lapsed,
    ``stopped`` once the pensioner's death is recorded, ``claim_pending`` while a claim
    is open,
    otherwise ``not_retired``: the statutory date (RULES §2) and the contribution
    years on record so far.
    """
    claim = retirement_claim_standing(cardholder)
    if claim is not None and claim.status == WORKFLOW.states.APPROVED:
        today = today or timezone.localdate()
        return {
            "status": pension_payment_status(claim, today=today),
            "retirement_date": claim.retirement_date.isoformat(),
            "contribution_years": _money(claim.contribution_years),
            "balance_at_retirement": _money(claim.balance_at_retirement),
            "divisor": claim.divisor,
            "basic_monthly": _money(claim.basic_monthly),
            "personal_monthly": _money(claim.personal_monthly),
            "next_living_check_due": living_check_due(claim).isoformat(),
            "payments": [
                _payment_body(payment, bank)
                for bank in [bank_status_by_line(claim)]
                for payment in pension_payments(claim)
            ],
            "arrears": [_arrears_body(row) for row in pension_arrears(claim)],
            "medical_credits": [
                {"month": f"{row.month:%Y-%m}", "amount": _money(row.amount)}
                for row in retiree_medical_credits(claim)
            ],
        }
    pending = claim is not None and claim.status in WORKFLOW.open_states
    category = default_category(cardholder, claim)
    months = pension_contribution_month_count(cardholder)
    return {
        "status": "claim_pending" if pending else "not_retired",
        "retirement_date": retirement.retirement_date(
            cardholder.date_of_birth, category
        ).isoformat(),
        "contribution_years": f"{Decimal(months) / 12:.2f}",
        "balance_at_retirement": None,
        "divisor": None,
        "basic_monthly": None,
        "personal_monthly": None,
        "next_living_check_due": None,
        "payments": [],
        "arrears": [],
        "medical_credits": [],
    }


# --- the yearly living check -----------------------------------------------------------


def living_check_due(claim) -> date:
    """The date the pensioner's living check runs out: twelve months after the latest
    confirmation (the due date it fixed), or after the pension's first month when
    there is none. The monthly run pays a month only while this holds. One query."""
    return living_check_dues([claim])[claim.pk]


def living_check_dues(claims) -> dict:
    """`living_check_due` of many claims at once (anything with `pk` and `starts_on`,
    e.g. the pension run's rows), by claim id. One query."""
    latest = dict(
        LivingCheckConfirmation.objects.filter(claim_id__in=[claim.pk for claim in claims])
        .values("claim_id")
        .annotate(due=Max("next_due"))
        .values_list("claim_id", "due")
    )
    return {
        claim.pk: latest.get(claim.pk) or living_check.next_due(claim.starts_on) for claim in claims
    }


def claim_in_payment(cardholder):
    """The cardholder's approved retirement claim (a pension in payment), or None."""
    return (
        RetirementClaim.objects.filter(cardholder=cardholder, status=WORKFLOW.states.APPROVED)
        .order_by("-pk")
        .first()
    )


def living_check_history(claim):
    """The claim's confirmations, newest first."""
    return list(LivingCheckConfirmation.objects.filter(claim=claim).order_by("-confirmed_on"))


def living_check_overview(claim, *, today):
    """What the pension page shows: the due date, the state (current, reminder due,
    lapsed), the months suspended so far and the history."""
    due = living_check_due(claim)
    state = living_check.state(due, today)
    return {
        "due": due,
        "state": state,
        "reminder_on": living_check.reminder_on(due),
        "suspended_months": living_check.released_months(due, today)
        if state == living_check.LAPSED
        else [],
        "history": living_check_history(claim),
    }
