"""The monthly pension run (RULES §2): every approved retirement claim in payment is
paid each month once.

`pension_run_plan` checks a run before anything moves: the month is at most next
month, every region paid has its pension fund, and every yearly increase the amounts
need is recorded. It returns the run's figures and its id ranges of claims, which
`pension_pay_range` pays one by one (the command in one process, the Celery tasks on
any number of workers).

A range is set-based: a few queries read its claims, their cardholders' accounts and
what is already paid or suspended; one pass stages a row per month paid (and per
arrears owed), which the bulk ledger writer's set-based path writes on PostgreSQL with
a few statements for the whole range (its row path on SQLite). Every month paid is one
`pension` ledger transaction, idempotent by the key `pension:<claim>:<YYYY-MM>`, with
its `PensionPayment` row:

    personal(pension) −P (while it holds money; the rest of P from the fund)
    · fund(pension, region) −(B + the rest of P) · benefits-payable +(P + B)

All the months one claim is paid in a run post together or not at all. A month whose
first day falls after the living check's due date is recorded as suspended; once the
check is confirmed again the next run pays every suspended month as back pay (as it
does months a run never reached, such as those before a late approval). Once the
pensioner's death is verified no run pays a month: those up to the month of death not
paid by then go to the estate with the heirs' claim (`pensions.estate_arrears`). A
second run, or the rest of a run after a crash, pays only what is missing.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Exists, Max, Min, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import ledger, ledger_bulk
from accounts.models import Account, Cardholder, LedgerTransaction, Scheme
from pensions import living_check, payment_rules, payout_services, selectors
from pensions.exceptions import (
    InvalidInput,
    MissingMedicalFund,
    MissingPensionFund,
    MissingPensionIncrease,
    MissingRetireeMedicalRate,
    MonthNotPayable,
)
from pensions.models import (
    WORKFLOW,
    Destination,
    PensionArrears,
    PensionIncrease,
    PensionPayment,
    RetireeMedicalCredit,
    RetireeMedicalRate,
    RetirementClaim,
    SuspendedMonth,
)
from pensions.reference_data import NATIONAL

PENSION = LedgerTransaction.Kind.PENSION
ARREARS = LedgerTransaction.Kind.PENSION_ARREARS
RETIREE_MEDICAL = LedgerTransaction.Kind.RETIREE_MEDICAL
MISSING_MEDICAL_RATE = "missing_retiree_medical_rate"
# An increase entered more than this many months before the month paid has had its
# arrears paid by the runs since.
ARREARS_MONTHS = 13
# Claims per id range: one bulk-writer chunk and one Celery task each.
RANGE_SIZE = 10_000
CARD_BANK = "social security card"
NO_PAYEE = "no_payee"

PAYMENTS = ledger_bulk.Records(
    PensionPayment,
    [
        "claim_id",
        "month",
        "basic",
        "personal_from_account",
        "personal_from_fund",
        "total",
        "destination",
        "payee",
        "bank_name",
        "account_number",
        "back_pay",
    ],
    held=["claim_id"],
    text=lambda values: _payment_text(*values),
)


MEDICAL_RECORDS = ledger_bulk.Records(
    RetireeMedicalCredit,
    ["claim_id", "month", "amount", "rate_id"],
    held=["claim_id", "rate_id"],
    text=lambda v: f"{v[0]}\t{v[1].isoformat()}\t{v[2]!s}\t{v[3]}",
)

ARREARS_RECORDS = ledger_bulk.Records(
    PensionArrears,
    [
        "claim_id",
        "increase_id",
        "first_month",
        "last_month",
        "months",
        "amount",
        "paid_in",
        "destination",
        "payee",
        "bank_name",
        "account_number",
    ],
    held=["claim_id", "increase_id"],
)


def _payment_text(claim_id, month, basic, from_account, from_fund, total, kind, *rest):
    # Decimals as `!s` and the month as isoformat: the generic copy_text costs more.
    payee, bank, number, back_pay = (ledger_bulk.copy_text(value) for value in rest)
    return (
        f"{claim_id}\t{month.isoformat()}\t{basic!s}\t{from_account!s}\t{from_fund!s}"
        f"\t{total!s}\t{kind}\t{payee}\t{bank}\t{number}\t{back_pay}"
    )


# What a range stages per month paid: the `pension` transaction with its PensionPayment
# row and, when there is one, the month's `retiree_medical` credit with its record.
# (Positions used below: 0 the claim, 18 back pay, 19 the medical group, 20 its key.)
RANGE_COLUMNS = (
    ("claim_id", "bigint"),
    ("pension_key", "text"),
    ("ref", "text"),
    ("pension_words", "text"),
    ("personal_account", "bigint"),
    ("personal_amount", "numeric"),
    ("fund_account", "bigint"),
    ("fund_amount", "numeric"),
    ("payable_account", "bigint"),
    ("total", "numeric"),
    ("paid_month", "date"),
    ("basic", "numeric"),
    ("from_account", "numeric"),
    ("from_fund", "numeric"),
    ("destination", "text"),
    ("payee", "text"),
    ("bank_name", "text"),
    ("account_number", "text"),
    ("back_pay", "boolean"),
    ("medical_tag", "bigint"),
    ("medical_key", "text"),
    ("medical_words", "text"),
    ("medical_fund", "bigint"),
    ("medical_fund_amount", "numeric"),
    ("medical_account", "bigint"),
    ("medical_amount", "numeric"),
    ("rate_id", "bigint"),
    ("arrears_key", "text"),
    ("arrears_words", "text"),
    ("arrears_fund", "bigint"),
    ("arrears_fund_amount", "numeric"),
    ("arrears_payable", "bigint"),
    ("arrears_amount", "numeric"),
    ("increase_id", "bigint"),
    ("first_month", "date"),
    ("last_month", "date"),
    ("months", "integer"),
    ("paid_in", "date"),
)
# A month's row carries no arrears; an arrears row carries only its arrears.
NO_ARREARS = (None,) * 11


def _range_row_text(row):
    # The known types written directly: the generic copy_text costs more per value.
    text = ledger_bulk.copy_text
    if row[1] is None:  # an arrears row (rare)
        return "\t".join(map(text, row))
    (claim, key, reference, words, personal, personal_amount, fund, fund_amount, payable,
     total, day, basic, from_account, from_fund, kind, payee, bank, number, back_pay,
     medical_tag, medical_key_, medical_words, medical_fund, medical_fund_amount,
     medical_account, medical_amount, rate) = row[:27]  # fmt: skip
    head = (
        f"{claim}\t{key}\t{text(reference)}\t{words}\t{text(personal)}\t{personal_amount!s}"
        f"\t{fund}\t{fund_amount!s}\t{payable}\t{total!s}\t{day.isoformat()}\t{basic!s}"
        f"\t{from_account!s}\t{from_fund!s}\t{kind}\t{text(payee)}\t{text(bank)}"
        f"\t{text(number)}\t{'t' if back_pay else 'f'}\t{medical_tag}"
    )
    if medical_key_ is None:
        return head + "\t\\N" * 18
    return (
        f"{head}\t{medical_key_}\t{medical_words}\t{medical_fund}\t{medical_fund_amount!s}"
        f"\t{medical_account}\t{medical_amount!s}\t{rate}" + "\t\\N" * 11
    )


RANGE_ROWS = ledger_bulk.Shape(
    RANGE_COLUMNS,
    [
        ledger_bulk.Template(
            kind=PENSION,
            key="pension_key",
            tag="claim_id",
            reference="ref",
            description="pension_words",
            legs=(
                ("personal_account", "personal_amount"),
                ("fund_account", "fund_amount"),
                ("payable_account", "total"),
            ),
            records=PAYMENTS,
            record=(
                "claim_id",
                "paid_month",
                "basic",
                "from_account",
                "from_fund",
                "total",
                "destination",
                "payee",
                "bank_name",
                "account_number",
                "back_pay",
            ),
        ),
        ledger_bulk.Template(
            kind=RETIREE_MEDICAL,
            key="medical_key",
            tag="medical_tag",
            reference="ref",
            description="medical_words",
            legs=(("medical_fund", "medical_fund_amount"), ("medical_account", "medical_amount")),
            records=MEDICAL_RECORDS,
            record=("claim_id", "paid_month", "medical_amount", "rate_id"),
        ),
        ledger_bulk.Template(
            kind=ARREARS,
            key="arrears_key",
            tag="claim_id",
            reference="ref",
            description="arrears_words",
            legs=(("arrears_fund", "arrears_fund_amount"), ("arrears_payable", "arrears_amount")),
            records=ARREARS_RECORDS,
            record=(
                "claim_id",
                "increase_id",
                "first_month",
                "last_month",
                "months",
                "arrears_amount",
                "paid_in",
                "destination",
                "payee",
                "bank_name",
                "account_number",
            ),
        ),
    ],
    text=_range_row_text,
)


def pension_key(claim_id, month):
    return f"pension:{claim_id}:{month.year:04d}-{month.month:02d}"


def month_parse(value):
    """The first day of the month `value` names ("YYYY-MM" or a date)."""
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        raise InvalidInput(
            _("Give the month as YYYY-MM, for example 2026-08."),
            code="invalid_month",
            field="month",
        ) from None


@dataclass
class Plan:
    month: date
    funds: dict  # region -> fund account id
    increases: dict  # region -> [payment_rules.Increase]
    payable: int  # the benefits-payable account id
    ranges: list = field(default_factory=list)  # [(first claim id, last + 1)]
    # region -> the increases entered after their first month, whose arrears may be due
    late: dict = field(default_factory=dict)
    medical_funds: dict = field(default_factory=dict)  # region -> medical fund account id
    medical_rates: dict = field(default_factory=dict)  # region -> [RetireeMedicalRate]


@dataclass
class RunResult:
    claims_paid: int = 0  # claims with at least one month paid by this run
    months_paid: int = 0  # months paid (ledger transactions written)
    back_pay_months: int = 0  # of those, months paid after their own month
    already_paid: int = 0  # claims whose month was paid before
    suspended: int = 0  # claims whose month is suspended (living check lapsed)
    stopped: int = 0  # claims not paid because the pensioner died before the month
    arrears_paid: int = 0  # arrears postings of increases entered late
    medical_credits: int = 0  # months credited to retirees' personal medical accounts
    resent: int = 0  # failed bank lines queued again to a corrected bank account
    refused: list = field(default_factory=list)  # (claim id, code)

    def add(self, other):
        for name in (
            "claims_paid",
            "months_paid",
            "back_pay_months",
            "already_paid",
            "suspended",
            "stopped",
            "arrears_paid",
            "medical_credits",
            "resent",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.refused.extend(other.refused)
        return self


def _in_payment(month):
    return RetirementClaim.objects.filter(status=WORKFLOW.states.APPROVED, starts_on__lte=month)


def increase_table(regions, month):
    """{region: [Increase]} in force up to `month`: per year, the region's own rows,
    else the national default's; and the (region, year) pairs with neither."""
    rows = PensionIncrease.objects.filter(region__in={*regions, NATIONAL}, from_month__lte=month)
    by_year = {}
    for row in rows.order_by("from_month"):
        increase = payment_rules.Increase(
            row.from_month, row.percent, row.amount, row.pk, row.recorded_at
        )
        by_year.setdefault((row.region, row.from_month.year), []).append(increase)
    table = {}
    years = {year for _region, year in by_year}
    for region in regions:
        table[region] = []
        for year in sorted(years):
            table[region].extend(by_year.get((region, year)) or by_year.get((NATIONAL, year), []))
    known = {(region, year) for region, year in by_year}
    return table, known


def pension_run_plan(month, *, today=None, range_size=RANGE_SIZE):
    """Check a run and return its Plan; refuses (nothing paid) a month after next
    month, a region without its pension fund, or a year whose increase the amounts need
    and is not recorded, naming every one missing."""
    month = _payable_month(month, today)
    claims = _in_payment(month)
    plan = _plan(month, claims)
    bounds = claims.aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is not None:
        for start in range(bounds["first"], bounds["last"] + 1, range_size):
            plan.ranges.append((start, min(start + range_size, bounds["last"] + 1)))
    return plan


def pension_range_plan(month, first, stop, *, today=None):
    """The Plan of one id range's task, checked as the whole run's is but over the
    range's claims only: a task re-plans (so a re-delivered one still refuses a figure
    deleted since) without reading the whole run's claims each time."""
    month = _payable_month(month, today)
    return _plan(month, _in_payment(month).filter(pk__gte=first, pk__lt=stop))


def _payable_month(month, today):
    month = month_parse(month)
    today = today or timezone.localdate()
    latest = living_check.add_months(today.replace(day=1), 1)
    if month > latest:
        raise MonthNotPayable(
            _(
                "Pensions for %(month)s cannot be paid yet: the latest month payable now "
                "is %(latest)s."
            )
            % {"month": f"{month:%Y-%m}", "latest": f"{latest:%Y-%m}"},
            field="month",
        )
    return month


def _plan(month, claims):
    firsts = dict(
        claims.order_by()
        .values("cardholder__region")
        .annotate(first=Min("starts_on"))
        .values_list("cardholder__region", "first")
    )
    regions = sorted(firsts)
    funds = {}
    for region in regions:
        account = ledger.fund_account(Scheme.PENSION, region)
        if account is not None:
            funds[region] = account.pk
    missing_funds = [region for region in regions if region not in funds]
    if missing_funds:
        raise MissingPensionFund(regions=missing_funds)
    increases, known = increase_table(regions, month)
    missing = []
    for region, first in firsts.items():
        for year in payment_rules.increase_years_needed(first, month):
            if (region, year) not in known and (NATIONAL, year) not in known:
                missing.append((region, year))
    if missing:
        raise MissingPensionIncrease(missing=sorted(missing))
    medical_funds, medical_rates = _retiree_medical_plan(regions, month)
    payable = ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE).pk
    return Plan(
        month,
        funds,
        increases,
        payable,
        [],
        late_increases(increases, month),
        medical_funds,
        medical_rates,
    )


def _retiree_medical_plan(regions, month):
    """({region: medical fund id}, {region: [rate rows, oldest first]}); refuses a region
    without its medical fund or without a credit rate in force in `month`."""
    funds, missing_funds = {}, []
    for region in regions:
        account = ledger.fund_account(Scheme.MEDICAL, region)
        if account is None:
            missing_funds.append(region)
        else:
            funds[region] = account.pk
    if missing_funds:
        raise MissingMedicalFund(regions=missing_funds)
    rates = {region: [] for region in regions}
    for row in RetireeMedicalRate.objects.filter(region__in=regions).order_by("from_month"):
        rates[row.region].append(row)
    missing = [
        (region, month)
        for region in regions
        if payment_rules.rate_in_force(rates[region], month) is None
    ]
    if missing:
        raise MissingRetireeMedicalRate(missing=missing)
    return funds, rates


def late_increases(increases, month):
    """{region: [Increase]} entered on or after their first month (so months may have
    been paid without them) and at most ARREARS_MONTHS before the month paid: every run
    since has paid each pensioner in payment, arrears included."""
    oldest = living_check.add_months(month, -ARREARS_MONTHS)
    late = {}
    for region, rows in increases.items():
        found = [
            row
            for row in rows
            if row.recorded_at is not None
            and row.from_month < month
            and oldest <= timezone.localdate(row.recorded_at)
            and timezone.localdate(row.recorded_at) >= row.from_month
        ]
        if found:
            late[region] = found
    return late


def arrears_key(claim_id, increase_id):
    return f"pension-arrears:{claim_id}:{increase_id}"


# What a range reads of each claim and its cardholder: plain rows, not model instances
# (a range holds thousands). `living_check_dues` reads rows as it reads claims.
CLAIM_FIELDS = (
    "pk",
    "reference",
    "starts_on",
    "basic_monthly",
    "personal_monthly",
    "bank_name",
    "bank_account_holder",
    "bank_account_number",
    "cardholder_id",
    "cardholder__name",
    "cardholder__region",
    "cardholder__date_of_death",
    "cardholder__card_number",
    "cardholder__card_status",
    "cardholder__card_financial_activated",
)


class ClaimRow(NamedTuple):
    pk: int
    reference: str
    starts_on: date
    basic_monthly: Decimal
    personal_monthly: Decimal
    bank_name: str
    bank_account_holder: str
    bank_account_number: str
    cardholder_id: int
    name: str
    region: str
    date_of_death: date | None
    card_number: str
    card_status: str
    card_financial_activated: bool


def _personal_accounts(cardholder_ids):
    """({cardholder id: personal pension account id}, {cardholder id: personal medical
    account id}, {account id: AccountState}) (PostgreSQL reads them with the range)."""
    schemes = [Scheme.PENSION.value, Scheme.MEDICAL.value]
    rows = ledger_bulk.lookup(
        lambda batch: Account.objects.filter(
            cardholder_id__in=batch, scheme__in=schemes, kind=Account.Kind.PERSONAL
        ).values_list("id", "cardholder_id", "balance", "status", "kind", "scheme"),
        cardholder_ids,
    )
    pension, medical, states = {}, {}, {}
    for pk, holder, balance, status, kind, scheme in rows:
        (pension if scheme == Scheme.PENSION else medical)[holder] = pk
        states[pk] = ledger_bulk.AccountState(balance, status, kind, holder)
    return pension, medical, states


# One statement reads a range on PostgreSQL: each claim in payment with its cardholder,
# personal pension and medical accounts, the last month paid and the last month
# suspended up to the month (index-only look-ups on (claim, month)) and the living
# check's latest due date.
RANGE_SQL = """
SELECT r.case_ptr_id, c.reference, r.starts_on, r.basic_monthly, r.personal_monthly,
       r.bank_name, r.bank_account_holder, r.bank_account_number, c.cardholder_id,
       h.name, h.region, h.date_of_death, h.card_number, h.card_status,
       h.card_financial_activated,
       (SELECT max(p.month) FROM pensions_pensionpayment p
         WHERE p.claim_id = r.case_ptr_id AND p.month <= %(month)s),
       (SELECT max(s.month) FROM pensions_suspendedmonth s
         WHERE s.claim_id = r.case_ptr_id AND s.month <= %(month)s),
       (SELECT max(l.next_due) FROM pensions_livingcheckconfirmation l
         WHERE l.claim_id = r.case_ptr_id),
       pa.id, pa.balance, pa.status, ma.id, ma.balance, ma.status
  FROM pensions_retirementclaim r
  JOIN casework_case c ON c.id = r.case_ptr_id
  JOIN accounts_cardholder h ON h.id = c.cardholder_id
  LEFT JOIN accounts_account pa
    ON pa.cardholder_id = h.id AND pa.scheme = 'pension' AND pa.kind = 'personal'
  LEFT JOIN accounts_account ma
    ON ma.cardholder_id = h.id AND ma.scheme = 'medical' AND ma.kind = 'personal'
 WHERE r.case_ptr_id >= %(first)s AND r.case_ptr_id < %(stop)s
   AND c.status = %(approved)s AND r.starts_on <= %(month)s
 ORDER BY r.case_ptr_id
"""


def _range_facts(month, first, stop):
    """(claims, {claim ids paid for `month`}, {claim id: last month paid or suspended up
    to `month`}, {cardholder: personal pension account}, {cardholder: personal medical
    account}, {account id: AccountState}, {claim id: living check due}), or None when
    the range holds no claim in payment."""
    if connection.vendor != "postgresql":
        return _range_facts_portable(month, first, stop)
    with connection.cursor() as cursor:
        cursor.execute(
            RANGE_SQL,
            {"month": month, "first": first, "stop": stop, "approved": WORKFLOW.states.APPROVED},
        )
        rows = cursor.fetchall()
    if not rows:
        return None
    claims, paid_now, handled, dues = [], set(), {}, {}
    pension, medical, states = {}, {}, {}
    state = ledger_bulk.AccountState
    personal = Account.Kind.PERSONAL.value
    for row in rows:
        claim = ClaimRow(*row[:15])
        claims.append(claim)
        pk, holder = claim.pk, claim.cardholder_id
        last_paid, last_suspended, due = row[15], row[16], row[17]
        if last_paid == month:
            paid_now.add(pk)
        if last_paid is not None or last_suspended is not None:
            handled[pk] = max(day for day in (last_paid, last_suspended) if day is not None)
        dues[pk] = due or living_check.next_due(claim.starts_on)
        if row[18] is not None:
            pension[holder] = row[18]
            states[row[18]] = state(row[19], row[20], personal, holder)
        if row[21] is not None:
            medical[holder] = row[21]
            states[row[21]] = state(row[22], row[23], personal, holder)
    return claims, paid_now, handled, pension, medical, states, dues


def _range_facts_portable(month, first, stop):
    claims = [
        ClaimRow(*row)
        for row in _in_payment(month)
        .filter(pk__gte=first, pk__lt=stop)
        .order_by("pk")
        .values_list(*CLAIM_FIELDS)
    ]
    if not claims:
        return None
    in_range = {"claim_id__gte": first, "claim_id__lt": stop}
    paid_now = set(
        PensionPayment.objects.filter(month=month, **in_range).values_list("claim_id", flat=True)
    )
    handled = {}
    for model in (PensionPayment, SuspendedMonth):
        rows = (
            model.objects.filter(month__lte=month, **in_range)
            .order_by()
            .values("claim_id")
            .annotate(last=Max("month"))
            .values_list("claim_id", "last")
        )
        for claim_id, last in rows:
            handled[claim_id] = max(last, handled.get(claim_id, last))
    pension, medical, states = _personal_accounts([claim.cardholder_id for claim in claims])
    dues = selectors.living_check_dues(claims)
    return claims, paid_now, handled, pension, medical, states, dues


def _destination(claim, holder):
    """(destination, payee, bank, account number), or None when there is nowhere to pay."""
    card_usable = holder.card_status in (
        Cardholder.CardStatus.ACTIVE,
        Cardholder.CardStatus.REPORTED_LOST,
        Cardholder.CardStatus.FROZEN,
    )
    if holder.card_financial_activated and card_usable:
        return Destination.CARD, holder.name, CARD_BANK, holder.card_number
    if claim.bank_account_number:
        return (
            Destination.BANK,
            claim.bank_account_holder or holder.name,
            claim.bank_name,
            claim.bank_account_number,
        )
    return None


def _months_due(claim, month, due, death_month, handled_until, suspended, paid):
    """[(month, back pay)] to pay this run, and whether `month` itself is suspended."""
    if death_month is not None:
        # A verified death: the months not paid by now are the estate's, paid once with
        # the heirs' claim (`pensions.estate_arrears`), never by a run.
        return [], []
    todo = []
    # Suspended months released by a confirmation, and months no run reached yet.
    earlier = set(suspended)
    first_unhandled = claim.starts_on.replace(day=1)
    if handled_until is not None:
        first_unhandled = payment_rules.month_of(payment_rules.month_index(handled_until) + 1)
    if first_unhandled < month:
        earlier.update(
            payment_rules.months_between(
                first_unhandled, payment_rules.month_of(payment_rules.month_index(month) - 1)
            )
        )
    late = []
    for day in sorted(earlier):
        if living_check.month_payable(due, day.year, day.month):
            todo.append((day, True))
        elif day not in suspended:
            late.append(day)
    suspend = list(late)
    if month not in paid:
        if living_check.month_payable(due, month.year, month.month):
            todo.append((month, False))
        elif month not in suspended:
            suspend.append(month)
    return todo, suspend


def pension_pay_range(plan, first, stop, *, writer=None, force_rows=False):
    """Pay the plan's month (and any back pay) on the claims in payment with ids in
    [first, stop): a few reads, one set-based write on PostgreSQL (the bulk writer's
    row path on SQLite, when arrears are due, or with `force_rows`). Safe to run
    twice."""
    # A range builds tens of thousands of small objects that form no cycles.
    with ledger_bulk.fewer_collections():
        return _pay_range(plan, first, stop, writer, force_rows)


def _pay_range(plan, first, stop, writer, force_rows):
    month = plan.month
    result = RunResult()
    result.resent = payout_services.payouts_resend_range(first, stop)
    facts = _range_facts(month, first, stop)
    if facts is None:
        return result
    claims, paid_now, handled, personal_ids, medical_ids, states, dues = facts
    in_range = {"claim_id__gte": first, "claim_id__lt": stop}
    paid_later = PensionPayment.objects.filter(
        claim_id=OuterRef("claim_id"), month=OuterRef("month")
    )
    suspended = {}
    for claim_id, day in (
        SuspendedMonth.objects.filter(month__lte=month, **in_range)
        .exclude(Exists(paid_later))
        .values_list("claim_id", "month")
    ):
        suspended.setdefault(claim_id, set()).add(day)
    paid_before, settled = _arrears_facts(plan, claims, in_range)
    rows, suspensions, arrears = [], [], 0
    descriptions = {}
    for claim in claims:
        holder = claim
        death_month = holder.date_of_death.replace(day=1) if holder.date_of_death else None
        due = dues[claim.pk]
        paid = {month} if claim.pk in paid_now else set()
        held = suspended.get(claim.pk, set())
        todo, suspend = _months_due(
            claim, month, due, death_month, handled.get(claim.pk), held, paid
        )
        suspensions.extend(
            SuspendedMonth(claim_id=claim.pk, month=day, check_due=due) for day in suspend
        )
        if month in suspend:
            result.suspended += 1
        elif claim.pk in paid_now:
            result.already_paid += 1
        elif death_month is not None:
            result.stopped += 1
        if not todo and claim.pk not in paid_before:
            continue
        payee = _destination(claim, holder)
        if payee is None:
            result.refused.append((claim.pk, NO_PAYEE))
            continue
        personal_id = personal_ids.get(claim.cardholder_id)
        balance = payment_rules.ZERO
        if personal_id is not None and states[personal_id].status != Account.Status.CLOSED:
            balance = states[personal_id].balance
        fund = plan.funds[holder.region]
        medical_id = medical_ids.get(claim.cardholder_id)
        for day, back_pay in todo:
            amounts = payment_rules.month_amounts(
                claim.basic_monthly,
                claim.personal_monthly,
                claim.starts_on,
                day,
                plan.increases.get(holder.region, ()),
            )
            from_account, from_fund = payment_rules.split_personal(amounts.personal, balance)
            balance -= from_account
            words = descriptions.get((day, back_pay))
            if words is None:
                words = descriptions[day, back_pay] = (
                    f"Pension {day.year:04d}-{day.month:02d}" + (" (back pay)" if back_pay else ""),
                    f"Retiree medical account credit {day.year:04d}-{day.month:02d}",
                )
            total = amounts.total
            credit = _medical_credit(plan, claim, day, total, medical_id, result)
            rows.append(
                (
                    claim.pk,
                    pension_key(claim.pk, day),
                    claim.reference,
                    words[0],
                    personal_id if from_account else None,
                    -from_account,
                    fund,
                    -(amounts.basic + from_fund),
                    plan.payable,
                    total,
                    day,
                    amounts.basic,
                    from_account,
                    from_fund,
                    *payee,
                    back_pay,
                    -claim.pk,
                    *(
                        (
                            medical_key(claim.pk, day),
                            words[1],
                            plan.medical_funds[claim.region],
                            -credit[0],
                            medical_id,
                            credit[0],
                            credit[1],
                        )
                        if credit
                        else (None,) * 7
                    ),
                    *NO_ARREARS,
                )
            )
        if (
            claim.pk in paid_before
            and living_check.month_payable(due, month.year, month.month)
            and (death_month is None or month <= death_month)
        ):
            owed = _arrears_rows(plan, claim, paid_before[claim.pk], settled, death_month, payee)
            rows.extend(owed)
            arrears += len(owed)
    if suspensions:
        SuspendedMonth.objects.bulk_create(suspensions, ignore_conflicts=True)
    if rows:
        writer = writer or ledger_bulk.BulkWriter(keep_tags=True)
        outcome = ledger_bulk.post_rows(
            writer, RANGE_ROWS, rows, accounts=states, force_rows=force_rows
        )
        for tag, code in outcome.refused:
            if tag < 0:
                result.refused.append((-tag, f"retiree_medical_{code}"))
            else:
                result.refused.append((tag, code))
        posted = set(outcome.posted_tags or ())
        result.claims_paid = sum(1 for tag in posted if tag > 0)
        for row in rows:
            if row[1] is None:
                result.arrears_paid += row[0] in posted
                continue
            if row[0] in posted and row[18]:
                result.back_pay_months += 1
            if row[20] is not None and row[19] in posted:
                result.medical_credits += 1
        result.months_paid = outcome.transactions - result.arrears_paid - result.medical_credits
        result.already_paid += outcome.already_posted
    return result


def medical_key(claim_id, month):
    return f"retiree-medical:{claim_id}:{month.year:04d}-{month.month:02d}"


def _medical_credit(plan, claim, day, pension_total, medical_id, result):
    """(amount, rate id) of the month's credit to the retiree's personal medical account
    from the region's medical fund, at the rate in force that month, or None (nothing to
    credit, or refused and reported: no rate recorded for an earlier month, no medical
    account)."""
    rate = payment_rules.rate_in_force(plan.medical_rates.get(claim.region, ()), day)
    if rate is None:
        result.refused.append((claim.pk, f"{MISSING_MEDICAL_RATE} {claim.region} {day:%Y-%m}"))
        return None
    amount = payment_rules.medical_credit(rate, pension_total)
    if amount <= 0:
        return None
    if medical_id is None:
        result.refused.append((claim.pk, "retiree_medical_no_account"))
        return None
    return amount, rate.pk


def _arrears_facts(plan, claims, in_range):
    """({claim id: [(month, paid at)]} of the months paid before an increase entered
    late, {claim id: {increase ids whose arrears are paid}}): two reads, none when no
    increase was entered late."""
    late = [row for region in {c.region for c in claims} for row in plan.late.get(region, ())]
    if not late:
        return {}, {}
    paid = {}
    for claim_id, day, paid_at in (
        PensionPayment.objects.filter(
            month__gte=min(row.from_month for row in late),
            created_at__lt=max(row.recorded_at for row in late),
            **in_range,
        )
        .order_by()
        .values_list("claim_id", "month", "created_at")
    ):
        paid.setdefault(claim_id, []).append((day, paid_at))
    settled = {}
    for claim_id, increase_id in PensionArrears.objects.filter(
        increase_id__in={row.pk for row in late}, **in_range
    ).values_list("claim_id", "increase_id"):
        settled.setdefault(claim_id, set()).add(increase_id)
    return paid, settled


def _arrears_rows(plan, claim, paid, settled, death_month, payee):
    """One staged row per increase entered late that the claim's months paid before it
    are short of: a `pension_arrears` transaction, fund −A · benefits-payable +A, with
    its record."""
    if death_month is not None:
        paid = [(day, at) for day, at in paid if day <= death_month]
    owed = payment_rules.increase_arrears(
        claim.basic_monthly,
        claim.personal_monthly,
        claim.starts_on,
        paid,
        plan.increases.get(claim.region, ()),
        settled.get(claim.pk, frozenset()),
    )
    fund = plan.funds[claim.region]
    rows = []
    for arrears in owed:
        increase = arrears.increase
        first, last = arrears.months[0], arrears.months[-1]
        head = [None] * 18
        head[0], head[2], head[14:18] = claim.pk, claim.reference, payee
        rows.append(
            (
                *head,
                None,  # back pay: not a month's payment
                -claim.pk,
                *(None,) * 7,
                arrears_key(claim.pk, increase.pk),
                f"Arrears of the increase from {increase.from_month:%Y-%m}, "
                f"{first:%Y-%m} to {last:%Y-%m}",
                fund,
                -arrears.amount,
                plan.payable,
                arrears.amount,
                increase.pk,
                first,
                last,
                len(arrears.months),
                plan.month,
            )
        )
    return rows


def pension_pay_month(month, *, today=None, range_size=RANGE_SIZE, force_rows=False):
    """Pay a month on every claim in payment, range by range in this process
    (`force_rows`: through the bulk writer's row path on PostgreSQL too).
    Returns (plan, RunResult)."""
    plan = pension_run_plan(month, today=today, range_size=range_size)
    writer = ledger_bulk.BulkWriter(keep_tags=True)
    result = RunResult()
    for first, stop in plan.ranges:
        result.add(pension_pay_range(plan, first, stop, writer=writer, force_rows=force_rows))
    return plan, result
