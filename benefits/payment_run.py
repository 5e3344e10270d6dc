"""The monthly unemployment benefit run (SIL Art. 46-48).

`run_plan` checks a month before anything moves: a month given as YYYY-MM, not later
than next month, and for every region with a benefit in payment the medical
contribution figure the fund pays (Art. 48) recorded for the month's year (refused,
naming each missing region). It returns the id ranges of the claims in payment, which
`pay_range` pays one by one (the command in one process, the Celery tasks on any
number of workers).

Each range is set-based: one query reads its claims with the months they were paid,
whether this month is, and their medical accounts; the range's rows go to the bulk
ledger writer's set-based path (PostgreSQL), which posts, per claim due, one group of
two transactions: the benefit (unemployment fund of the region -> benefits payable,
with its BenefitPayment row) and the medical contribution (the fund -> the person's
medical accounts). Keys
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

from django.db import connection
from django.db.models import Count, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
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


# What a range stages per claim due: the `benefit` transaction with its BenefitPayment
# row and, when the figure is not nil, the month's `benefit_medical` transaction.
RANGE_ROWS = ledger_bulk.Shape(
    (
        ("claim_id", "bigint"),
        ("benefit_key", "text"),
        ("ref", "text"),
        ("benefit_words", "text"),
        ("fund_account", "bigint"),
        ("fund_amount", "numeric"),
        ("payable_account", "bigint"),
        ("amount", "numeric"),
        ("paid_month", "date"),
        ("medical_pooled", "numeric"),
        ("medical_personal", "numeric"),
        ("medical_key", "text"),
        ("medical_words", "text"),
        ("medical_fund_amount", "numeric"),
        ("pooled_account", "bigint"),
        ("personal_account", "bigint"),
    ),
    [
        ledger_bulk.Template(
            kind=BENEFIT,
            key="benefit_key",
            tag="claim_id",
            reference="ref",
            description="benefit_words",
            legs=(("fund_account", "fund_amount"), ("payable_account", "amount")),
            records=PAYMENTS,
            record=("claim_id", "paid_month", "amount", "medical_pooled", "medical_personal"),
        ),
        ledger_bulk.Template(
            kind=MEDICAL,
            key="medical_key",
            tag="claim_id",
            reference="ref",
            description="medical_words",
            legs=(
                ("fund_account", "medical_fund_amount"),
                ("pooled_account", "medical_pooled"),
                ("personal_account", "medical_personal"),
            ),
        ),
    ],
)


# The same read in one statement on PostgreSQL: both sides of the claim's join to its
# case bounded by the range (the planner carries no range across a join), the months
# paid counted by index look-ups on (claim, month).
RANGE_SQL = """
SELECT u.case_ptr_id, c.cardholder_id, h.region, u.monthly_amount, u.months_entitled,
       u.starts_on,
       (SELECT count(*) FROM benefits_benefitpayment p WHERE p.claim_id = u.case_ptr_id),
       EXISTS (SELECT 1 FROM benefits_benefitpayment p
                WHERE p.claim_id = u.case_ptr_id AND p.month = %(month)s),
       (SELECT a.id FROM accounts_account a WHERE a.cardholder_id = c.cardholder_id
           AND a.scheme = 'medical' AND a.kind = 'pooled'),
       (SELECT a.id FROM accounts_account a WHERE a.cardholder_id = c.cardholder_id
           AND a.scheme = 'medical' AND a.kind = 'personal')
  FROM benefits_unemploymentclaim u
  JOIN casework_case c ON c.id = u.case_ptr_id
  JOIN accounts_cardholder h ON h.id = c.cardholder_id
 WHERE u.case_ptr_id >= %(first)s AND u.case_ptr_id < %(stop)s
   AND c.id >= %(first)s AND c.id < %(stop)s
   AND c.status = %(status)s AND (%(region)s::text IS NULL OR h.region = %(region)s)
 ORDER BY u.case_ptr_id
"""


def _range_claims(plan, first, stop):
    """The range's claims in payment, one query: (id, cardholder, region, monthly
    amount, months entitled, start, months paid, paid for the plan's month, pooled and
    personal medical account ids)."""
    if connection.vendor == "postgresql":
        from benefits.models import Status

        with connection.cursor() as cursor:
            cursor.execute(
                RANGE_SQL,
                {
                    "month": plan.month,
                    "first": first,
                    "stop": stop,
                    "status": Status.IN_PAYMENT.value,
                    "region": plan.region,
                },
            )
            return cursor.fetchall()
    payments = BenefitPayment.objects.filter(claim_id=OuterRef("pk")).order_by()

    def count(rows):
        # Correlated on the claim: index look-ups on (claim, month), whatever the
        # planner's estimate of the month's payments.
        return Coalesce(Subquery(rows.values("claim_id").annotate(n=Count("*")).values("n")), 0)

    medical = Account.objects.filter(cardholder_id=OuterRef("cardholder_id"), scheme=Scheme.MEDICAL)
    return list(
        selectors.claims_in_payment(plan.region)
        .filter(pk__gte=first, pk__lt=stop)
        .annotate(
            paid=count(payments),
            done=count(payments.filter(month=plan.month)),
            pooled=Subquery(medical.filter(kind=Account.Kind.POOLED).values("pk")[:1]),
            personal=Subquery(medical.filter(kind=Account.Kind.PERSONAL).values("pk")[:1]),
        )
        .values_list(
            "pk",
            "cardholder_id",
            "cardholder__region",
            "monthly_amount",
            "months_entitled",
            "starts_on",
            "paid",
            "done",
            "pooled",
            "personal",
        )
        .order_by("pk")
    )


def pay_range(plan, first, stop, *, writer=None, force_rows=False):
    """Pay the plan's month to the claims in payment with ids in [first, stop): one
    read, one set-based write on PostgreSQL (the bulk writer's row path on SQLite or
    with `force_rows`). Safe to run twice."""
    month = plan.month
    payable = ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE).pk
    funds = {}
    result = RunResult()
    rows = []
    last_month = []
    reference = f"benefit-{month:%Y-%m}"
    words = (
        f"Unemployment benefit {month:%Y-%m}",
        f"Medical contribution for {month:%Y-%m} paid by the unemployment fund",
    )
    for claim in _range_claims(plan, first, stop):
        pk, _holder, region, amount, entitled, starts_on, paid, done, pooled, personal = claim
        if done:
            result.already_paid += 1
            continue
        if starts_on is None or month < starts_on or rules.months_left(entitled, paid) == 0:
            result.not_due += 1
            continue
        fund = funds.get(region)
        if fund is None:
            fund = funds[region] = ledger.fund_account_open(Scheme.UNEMPLOYMENT, region).pk
        figure = plan.medical[region]
        if (figure.to_pooled and pooled is None) or (figure.to_personal and personal is None):
            result.refused.append((pk, ledger_bulk.NO_ACCOUNT))
            continue
        total = figure.total
        rows.append(
            (
                pk,
                benefit_key(pk, month),
                reference,
                words[0],
                fund,
                -amount,
                payable,
                amount,
                month,
                figure.to_pooled,
                figure.to_personal,
                medical_key(pk, month) if total else None,
                words[1],
                -total,
                pooled,
                personal,
            )
        )
        if rules.months_left(entitled, paid + 1) == 0:
            last_month.append(pk)
    if rows:
        writer = writer or ledger_bulk.BulkWriter(keep_tags=True)
        outcome = ledger_bulk.post_rows(
            writer, RANGE_ROWS, rows, posted_at=timezone.now(), force_rows=force_rows
        )
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


def pay_month(month, region=None, *, today=None, range_size=RANGE_SIZE, force_rows=False):
    """Pay a month to every benefit in payment (of one region, if given), range by
    range in this process, then the other monthly benefits (`force_rows`: the bulk
    writer's row path on PostgreSQL too). Returns (plan, RunResult)."""
    plan = run_plan(month, region, today=today, range_size=range_size)
    writer = ledger_bulk.BulkWriter(keep_tags=True)
    result = RunResult()
    for first, stop in plan.ranges:
        result.add(pay_range(plan, first, stop, writer=writer, force_rows=force_rows))
    result.add(pay_others(plan))
    return plan, result
