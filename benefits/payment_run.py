"""The monthly unemployment benefit run (SIL Art. 46-48).

`run_plan` checks a month before anything moves: a month given as YYYY-MM, not later
than next month, and for every region with a benefit in payment the medical
contribution figure the fund pays (Art. 48) recorded for the month's year (refused,
naming each missing region). It returns the id ranges of the claims in payment, which
`pay_range` pays one by one (the command in one process, the Celery tasks on any
number of workers).

Each range is set-based: one query reads its claims with the months they were paid,
and the bulk ledger writer posts, per claim due, one group of two transactions: the
benefit (unemployment fund of the region -> benefits payable, with its BenefitPayment
row) and the medical contribution (the fund -> the person's medical accounts). Keys
`benefit:<claim>:<YYYY-MM>` and `benefit-medical:<claim>:<YYYY-MM>`, and the unique
(claim, month) of BenefitPayment, pay a benefit-month once: a second run, or the rest
of a run after a crash, posts only what is missing. A claim whose last month entitled
is paid ends (`exhausted`).

Other monthly benefits paid by the same run (the work-injury disability allowance,
WIR Art. 35) are provided by their app with `provide_monthly_run(pay)`: `pay(month,
region) -> RunResult`, idempotent per person-month on its own keys. The benefits app
imports none of them; `pay_month` and the queued run call each once per month.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import ledger, ledger_bulk
from accounts.models import Account, LedgerTransaction, Scheme
from benefits import selectors
from benefits import unemployment_rules as rules
from benefits.exceptions import InvalidMonth, MissingFigure, MonthTooFarAhead
from benefits.models import BenefitPayment

RANGE_SIZE = 5_000
BENEFIT = LedgerTransaction.Kind.BENEFIT
MEDICAL = LedgerTransaction.Kind.BENEFIT_MEDICAL
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

PAYMENTS = ledger_bulk.Records(
    BenefitPayment,
    ["claim_id", "month", "amount", "medical_pooled", "medical_personal"],
    held=["claim_id"],
)


def benefit_key(claim_id, month):
    return f"benefit:{claim_id}:{month:%Y-%m}"


def medical_key(claim_id, month):
    return f"benefit-medical:{claim_id}:{month:%Y-%m}"


def parse_month(value, *, today):
    """`YYYY-MM` → the first day of the month; refuses junk and months beyond next."""
    if isinstance(value, date):
        month = date(value.year, value.month, 1)
    else:
        match = _MONTH.match(str(value or "").strip())
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
            raise InvalidMonth(field="month")
        month = date(int(match[1]), int(match[2]), 1)
    latest = selectors.add_months(selectors.first_of_month(today), 1)
    if month > latest:
        raise MonthTooFarAhead(
            _("%(month)s is too far ahead: benefits are paid at most for next month (%(next)s).")
            % {"month": f"{month:%Y-%m}", "next": f"{latest:%Y-%m}"},
            field="month",
            month=f"{month:%Y-%m}",
        )
    return month


@dataclass
class Plan:
    month: date
    region: str | None
    medical: dict  # region -> RegionalMedicalContribution
    ranges: list = field(default_factory=list)


@dataclass
class RunResult:
    paid: int = 0  # benefit-months paid now
    already_paid: int = 0  # paid before for this month
    not_due: int = 0  # not started yet, or every month paid
    exhausted: int = 0  # claims whose last month this run paid
    refused: list = field(default_factory=list)  # (claim id, code)

    def add(self, other):
        self.paid += other.paid
        self.already_paid += other.already_paid
        self.not_due += other.not_due
        self.exhausted += other.exhausted
        self.refused.extend(other.refused)
        return self


def run_plan(month, region=None, *, today=None, range_size=RANGE_SIZE):
    """Check a run and return its Plan; nothing is posted when it refuses."""
    today = today or timezone.localdate()
    month = parse_month(month, today=today)
    claims = selectors.claims_in_payment(region or None)
    regions = set(claims.order_by().values_list("cardholder__region", flat=True).distinct())
    medical = selectors.medical_contribution_rows(regions, month.year)
    missing = sorted(regions - set(medical))
    if missing:
        raise MissingFigure(
            figure="unemployed_medical_contribution",
            region=", ".join(missing),
            year=month.year,
        )
    bounds = claims.aggregate(first=Min("pk"), last=Max("pk"))
    ranges = []
    if bounds["first"] is not None:
        for start in range(bounds["first"], bounds["last"] + 1, range_size):
            ranges.append((start, min(start + range_size, bounds["last"] + 1)))
    return Plan(month, region or None, medical, ranges)


def pay_range(plan, first, stop, *, writer=None):
    """Pay the plan's month to the claims in payment with ids in [first, stop). Safe to
    run twice."""
    month = plan.month
    claims = (
        selectors.claims_in_payment(plan.region)
        .filter(pk__gte=first, pk__lt=stop)
        .annotate(paid=Count("payments"))
        .values_list(
            "pk",
            "cardholder_id",
            "cardholder__region",
            "monthly_amount",
            "months_entitled",
            "starts_on",
            "paid",
        )
        .order_by("pk")
    )
    rows = list(claims)
    done = set(
        BenefitPayment.objects.filter(claim_id__in=[r[0] for r in rows], month=month).values_list(
            "claim_id", flat=True
        )
    )
    accounts, states = ledger_bulk.holder_accounts({r[1] for r in rows})
    payable = ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE).pk
    funds = {}
    result = RunResult()
    groups = []
    last_month = []
    for pk, holder, region, amount, entitled, starts_on, paid in rows:
        if pk in done:
            result.already_paid += 1
            continue
        if starts_on is None or month < starts_on or rules.months_left(entitled, paid) == 0:
            result.not_due += 1
            continue
        fund = funds.get(region)
        if fund is None:
            fund = funds[region] = ledger.fund_account_open(Scheme.UNEMPLOYMENT, region).pk
        figure = plan.medical[region]
        reference = f"benefit-{month:%Y-%m}"
        postings = [
            ledger_bulk.Posting(
                benefit_key(pk, month),
                BENEFIT,
                ((fund, -amount), (payable, amount)),
                reference,
                f"Unemployment benefit {month:%Y-%m}",
                PAYMENTS,
                (pk, month, amount, figure.to_pooled, figure.to_personal),
            )
        ]
        legs = [(fund, -figure.total)]
        pooled = accounts.get((holder, Scheme.MEDICAL.value, Account.Kind.POOLED.value))
        personal = accounts.get((holder, Scheme.MEDICAL.value, Account.Kind.PERSONAL.value))
        if (figure.to_pooled and pooled is None) or (figure.to_personal and personal is None):
            result.refused.append((pk, ledger_bulk.NO_ACCOUNT))
            continue
        if figure.to_pooled:
            legs.append((pooled, figure.to_pooled))
        if figure.to_personal:
            legs.append((personal, figure.to_personal))
        if figure.total:
            postings.append(
                ledger_bulk.Posting(
                    medical_key(pk, month),
                    MEDICAL,
                    tuple(legs),
                    reference,
                    f"Medical contribution for {month:%Y-%m} paid by the unemployment fund",
                )
            )
        groups.append(ledger_bulk.Group(pk, postings))
        if rules.months_left(entitled, paid + 1) == 0:
            last_month.append(pk)
    if groups:
        writer = writer or ledger_bulk.BulkWriter(keep_tags=True)
        writer.keep_tags = True
        outcome = writer.post(groups, posted_at=timezone.now(), accounts=states)
        result.paid = outcome.posted
        result.already_paid += outcome.already_posted
        result.refused.extend(outcome.refused)
        posted = set(outcome.posted_tags or ())
        result.exhausted = _exhaust([pk for pk in last_month if pk in posted])
    return result


def _exhaust(claim_ids):
    """Every month entitled is paid: the claim ends."""
    from benefits import services

    return sum(1 for pk in claim_ids if services.benefit_exhaust(pk))


_monthly_runs = []


def provide_monthly_run(pay):
    """Add `pay(month, region) -> RunResult` to what the monthly run pays."""
    if pay not in _monthly_runs:
        _monthly_runs.append(pay)


def pay_others(plan):
    """Pay the plan's month of every other monthly benefit provided. Safe to run twice."""
    result = RunResult()
    for pay in _monthly_runs:
        result.add(pay(plan.month, plan.region))
    return result


def pay_month(month, region=None, *, today=None, range_size=RANGE_SIZE):
    """Pay a month to every benefit in payment (of one region, if given), range by
    range in this process, then the other monthly benefits. Returns (plan, RunResult)."""
    plan = run_plan(month, region, today=today, range_size=range_size)
    writer = ledger_bulk.BulkWriter(keep_tags=True)
    result = RunResult()
    for first, stop in plan.ranges:
        result.add(pay_range(plan, first, stop, writer=writer))
    result.add(pay_others(plan))
    return plan, result
