"""Crediting personal-account interest (SIL Art. 14; the rules in `accounts.interest`).

`interest_run_plan` checks a run before anything moves: the year has ended, the region
exists, and every (region, scheme) the run touches has a published rate. It returns the
run's rates and its id ranges, which `interest_credit_range` posts one by one (the
command in one process, the Celery tasks on any number of workers).

Each range is set-based: one SQL aggregation gives every account's opening balance and
its year's movements weighted by the months they earn; the postings go through the bulk
ledger writer, one `interest` transaction per account, dated the last moment of the year
in local time, idempotent by the key `interest:<account>:<year>`. A second run, or the
rest of a run after a crash, posts only what is missing.

`interest_credit_at_payout` credits an account that is being paid out, inside the
payout's own transaction.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, IntegerField, Max, Min, Q, Sum, Value
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import interest, ledger, ledger_bulk
from accounts.exceptions import (
    InterestYearNotComplete,
    InvalidInput,
    InvalidYear,
    NoInterestRate,
    UnknownRegion,
)
from accounts.models import (
    PERSONAL_SCHEMES,
    Account,
    Cardholder,
    InterestRate,
    LedgerEntry,
    LedgerTransaction,
)
from accounts.reference_data import NATIONAL

INTEREST = LedgerTransaction.Kind.INTEREST
# Personal accounts that earn: open, or frozen (no money leaves a frozen account, but
# it is still the person's and still earns). A closed account was paid out.
EARNING = (Account.Status.OPEN, Account.Status.FROZEN)
# Accounts per id range: one database transaction and one Celery task each.
RANGE_SIZE = 20_000
FIRST_YEAR = 1990


def interest_key(account_id, year):
    return f"interest:{account_id}:{year}"


def local_zone():
    return ZoneInfo(settings.TIME_ZONE)


def year_bounds(year):
    """The first moment of `year` and of the next, in local time."""
    zone = local_zone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def year_end_stamp(year):
    """When a year's interest is posted: the last second of 31 December, local time."""
    return datetime(year, 12, 31, 23, 59, 59, tzinfo=local_zone())


def _percent(rate):
    return f"{(rate * 100).normalize():f}"


@dataclass(frozen=True)
class RateUsed:
    rate: Decimal
    year: int  # the year the rate was published for (an earlier one: the latest known)
    region: str  # the region whose row it is (NATIONAL: the default)


@dataclass
class Plan:
    year: int
    region: str | None
    rates: dict  # (region, scheme) -> RateUsed
    ranges: list = field(default_factory=list)  # [(first id, last id + 1)]


@dataclass
class RunResult:
    posted: int = 0  # interest transactions written
    already_posted: int = 0  # accounts whose interest for the year was posted before
    nothing_due: int = 0  # accounts with no interest (no money all year)
    refused: list = field(default_factory=list)  # (account id, code)

    def add(self, other):
        self.posted += other.posted
        self.already_posted += other.already_posted
        self.nothing_due += other.nothing_due
        self.refused.extend(other.refused)
        return self


def _clean_year(year, today):
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidYear(field="year") from None
    if year < FIRST_YEAR:
        raise InvalidYear(field="year")
    if year >= today.year:
        raise InterestYearNotComplete(
            _("The year %(year)s has not ended; interest is credited after 31 December.")
            % {"year": year},
            field="year",
            year=year,
        )
    return year


def _clean_region(region):
    if region in (None, ""):
        return None
    region = str(region).strip()
    if len(region) != 6 or not region.isdigit():
        raise InvalidInput(_("A region is a six-digit division code."), field="region")
    known = (
        Cardholder.objects.filter(region=region).exists()
        or InterestRate.objects.filter(region=region).exists()
    )
    if region != NATIONAL and not known:
        raise UnknownRegion(
            _("There is no pooling region %(region)s: no cardholder or rate names it.")
            % {"region": region},
            field="region",
            region=region,
        )
    return region


def rate_table(year, regions, *, latest=False):
    """{(region, scheme): RateUsed} for the regions (with the national default): the
    rate of `year`, or with `latest` the newest rate of `year` or before."""
    rows = InterestRate.objects.filter(region__in={*regions, NATIONAL})
    rows = rows.filter(year__lte=year) if latest else rows.filter(year=year)
    best = {}
    for row in rows.order_by("year"):
        best[row.region, row.scheme] = RateUsed(row.rate, row.year, row.region)
    table = {}
    for region in regions:
        for scheme in PERSONAL_SCHEMES:
            found = best.get((region, scheme)) or best.get((NATIONAL, scheme))
            if found is not None:
                table[region, scheme.value] = found
    return table


def _earning_accounts(region):
    accounts = Account.objects.filter(kind=Account.Kind.PERSONAL, status__in=EARNING)
    if region is not None:
        accounts = accounts.filter(cardholder__region=region)
    return accounts


def interest_run_plan(year, region=None, *, today=None, range_size=RANGE_SIZE):
    """Check a run and return its Plan; refuses (nothing posted) a year that has not
    ended, an unknown region, or a (region, scheme) without a rate for the year, naming
    every one that is missing."""
    today = today or timezone.localdate()
    year = _clean_year(year, today)
    region = _clean_region(region)
    accounts = _earning_accounts(region)
    pairs = set(accounts.order_by().values_list("cardholder__region", "scheme").distinct())
    wanted = {(region or NATIONAL, scheme.value) for scheme in PERSONAL_SCHEMES} | pairs
    rates = rate_table(year, {r for r, _s in wanted})
    missing = sorted(pair for pair in wanted if pair not in rates)
    if missing:
        named = ", ".join(f"{r} ({s})" for r, s in missing)
        raise NoInterestRate(
            _("No interest rate is published for %(year)s in region %(regions)s.")
            % {"year": year, "regions": named},
            field="year",
            year=year,
            regions=[r for r, _s in missing],
        )
    bounds = accounts.aggregate(first=Min("id"), last=Max("id"))
    ranges = []
    if bounds["first"] is not None:
        for start in range(bounds["first"], bounds["last"] + 1, range_size):
            ranges.append((start, min(start + range_size, bounds["last"] + 1)))
    return Plan(year, region, rates, ranges)


def _sums(entries, year, through, before):
    """Per account: (scheme, region, opening balance, Σ amount × (through + 1 − month))
    from the entries, in one aggregate query. Movements of the year count up to
    `before`; the year's own interest does not count."""
    start, _end = year_bounds(year)
    month = ExtractMonth("posted_at", tzinfo=local_zone())
    weight = Value(through + 1, output_field=IntegerField()) - month
    this_year = Q(posted_at__gte=start) & ~Q(kind=INTEREST)
    rows = (
        entries.filter(posted_at__lt=before)
        .values("account_id", "account__scheme", "account__cardholder__region")
        .annotate(
            opening=Sum("amount", filter=Q(posted_at__lt=start)),
            weighted=Sum(F("amount") * weight, filter=this_year),
        )
        .order_by("account_id")
    )
    for row in rows:
        yield (
            row["account_id"],
            row["account__scheme"],
            row["account__cardholder__region"],
            row["opening"] or 0,
            row["weighted"] or 0,
        )


def _description(year, rate_used, through=12):
    text = f"Interest {year} at {_percent(rate_used.rate)} %"
    if through < 12:
        text += f", January to month {through} (paid out)"
    if rate_used.year != year:
        text += f", latest published rate ({rate_used.year})"
    if rate_used.region != NATIONAL:
        text += f", region {rate_used.region}"
    return text


def interest_credit_range(plan, first, stop, *, writer=None):
    """Credit the plan's year on the earning personal accounts with ids in
    [first, stop): one aggregate query, one bulk-writer chunk. Safe to run twice."""
    year = plan.year
    _start, end = year_bounds(year)
    accounts = _earning_accounts(plan.region).filter(id__gte=first, id__lt=stop)
    entries = LedgerEntry.objects.filter(account__in=accounts)
    system = ledger.system_account(Account.SystemCode.INTEREST_CREDITED).pk
    result = RunResult()
    groups = []
    for account_id, scheme, region, opening, weighted in _sums(entries, year, 12, end):
        rate_used = plan.rates[region, scheme]
        amount = interest.interest_from_sums(rate_used.rate, opening, weighted)
        if amount <= 0:
            result.nothing_due += 1
            continue
        posting = ledger_bulk.Posting(
            key=interest_key(account_id, year),
            kind=INTEREST,
            legs=((system, -amount), (account_id, amount)),
            reference=f"interest-{year}",
            description=_description(year, rate_used),
        )
        groups.append(ledger_bulk.Group(account_id, [posting]))
    if groups:
        writer = writer or ledger_bulk.BulkWriter()
        outcome = writer.post(groups, posted_at=year_end_stamp(year))
        result.posted = outcome.posted
        result.already_posted = outcome.already_posted
        result.refused = outcome.refused
    return result


def interest_credit_year(year, region=None, *, today=None, range_size=RANGE_SIZE):
    """Credit a complete year's interest on every earning personal account (of one
    region, if given), range by range in this process. Returns (plan, RunResult)."""
    plan = interest_run_plan(year, region, today=today, range_size=range_size)
    writer = ledger_bulk.BulkWriter()
    result = RunResult()
    for first, stop in plan.ranges:
        result.add(interest_credit_range(plan, first, stop, writer=writer))
    return plan, result


def interest_credit_at_payout(accounts, *, when=None, actor=None):
    """Credit interest on personal accounts about to be paid out, inside the caller's
    transaction (the caller holds the accounts locked): the last complete year if it
    was not credited yet, and the current year through the month before the payout
    month (the completed months the money stayed), each at its own year's rate or else
    at the latest published one, recorded as such in the description. Refuses
    (NoInterestRate) when no rate at all is published for a scheme that is owed
    interest."""
    when = when or timezone.now()
    today = timezone.localtime(when, local_zone()).date()
    accounts = [a for a in accounts if a.kind == Account.Kind.PERSONAL]
    if not accounts:
        return []
    regions = set(Cardholder.objects.filter(accounts__in=accounts).values_list("region", flat=True))
    system = ledger.system_account(Account.SystemCode.INTEREST_CREDITED)
    ids = [a.pk for a in accounts]
    posted = []
    for year, through in ((today.year - 1, 12), (today.year, today.month - 1)):
        if through == 0:
            continue
        _start, end = year_bounds(year)
        before = end if through == 12 else when
        rates = rate_table(year, regions, latest=True)
        done = set(
            LedgerTransaction.objects.filter(
                idempotency_key__in=[interest_key(pk, year) for pk in ids]
            ).values_list("idempotency_key", flat=True)
        )
        entries = LedgerEntry.objects.filter(account_id__in=ids)
        for account_id, scheme, region, opening, weighted in _sums(entries, year, through, before):
            key = interest_key(account_id, year)
            if key in done or not (opening or weighted):
                continue
            rate_used = rates.get((region, scheme))
            if rate_used is None:
                raise NoInterestRate(
                    _("No interest rate is published for region %(region)s.") % {"region": region},
                    year=year,
                    regions=[region],
                )
            amount = interest.interest_from_sums(rate_used.rate, opening, weighted, through)
            if amount <= 0:
                continue
            txn, _created = ledger.post(
                kind=INTEREST,
                idempotency_key=key,
                legs=[ledger.Leg(system.pk, -amount), ledger.Leg(account_id, amount)],
                reference=f"interest-{year}",
                description=_description(year, rate_used, through),
                actor=actor,
                posted_at=year_end_stamp(year) if through == 12 else when,
            )
            posted.append(txn)
    return posted
