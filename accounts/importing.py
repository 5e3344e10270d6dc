"""The monthly payroll import: employer files in, contributions for all five schemes out.

A payroll file has one row per person and month (`employer_credit_code,national_id,
month,wage_base`). Each good row is posted with the contribution rules
(`accounts.contribution_rules`, as `services.contribution_post` posts one) — the same
rates, clamping, split, idempotency keys and Contribution rows — but set-based: rows are
read in chunks, everything a chunk needs is fetched with a few IN queries, the amounts
are computed in Python, and the bulk ledger writer (`accounts.ledger_bulk`) writes each
chunk in one database transaction. While one chunk is written, the next is read, checked
and looked up (`BulkWriter.stream`).

Every bad row is reported with its line number and a stable reason code and posts
nothing. A row already posted (same idempotency keys) is skipped, so re-running a
file posts nothing twice. The file is streamed: memory does not grow with its length
beyond one small key per row, kept to report duplicates.
"""

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts import contribution_rules as rules
from accounts import extensions, ledger, ledger_bulk
from accounts.ledger import CENT
from accounts.models import (
    Account,
    Cardholder,
    Contribution,
    ContributionRate,
    Employer,
    LedgerTransaction,
)
from accounts.pii import id_digests
from accounts.selectors import retired_contribution_rules, retired_may_continue
from accounts.validators import parse_national_id, validate_credit_code

HEADER = ("employer_credit_code", "national_id", "month", "wage_base")
DEFAULT_CHUNK_SIZE = 2_500
MAX_WAGE = Decimal("1e12")
KIND = LedgerTransaction.Kind.CONTRIBUTION

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_NUMBER = re.compile(r"^[+-]?(\d+)(?:\.(\d*))?$|^[+-]?\.(\d+)$")


class PayrollFileError(Exception):
    """The file as a whole cannot be read (wrong header, not a CSV)."""


@dataclass(frozen=True)
class Reject:
    line: int
    code: str
    message: str

    def __str__(self):
        return f"line {self.line}: {self.message} [{self.code}]"


@dataclass(frozen=True, slots=True)
class PayrollRow:
    """One validated row: who, paid by whom, for which month, on what wage."""

    line: int
    national_id: str
    employer_code: str | None
    month: date
    wage: Decimal


@dataclass
class ImportSummary:
    rows_read: int = 0
    rows_posted: int = 0
    rows_already_posted: int = 0
    rows_rejected: int = 0
    transactions_posted: int = 0
    rejects: list = field(default_factory=list)
    # Rejects beyond this many are counted and passed to the callback, not kept.
    keep_rejects: int = 10_000

    def reject(self, reject):
        self.rows_rejected += 1
        if len(self.rejects) < self.keep_rejects:
            self.rejects.append(reject)

    def add(self, other):
        self.rows_posted += other.rows_posted
        self.rows_already_posted += other.rows_already_posted
        self.transactions_posted += other.transactions_posted
        for reject in other.rejects:
            self.reject(reject)


# ---------------------------------------------------------------------------
# Reading and checking rows (no database)
# ---------------------------------------------------------------------------


def parse_month(text, *, today):
    """`YYYY-MM` → the first day of that month; raises ValueError with a reason code."""
    match = _MONTH.match(text)
    if not match:
        raise ValueError("invalid_month")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year < 1900:
        raise ValueError("invalid_month")
    if (year, month) > (today.year, today.month):
        raise ValueError("future_month")
    return date(year, month, 1)


def parse_wage(text):
    """A non-negative amount of yuan with at most two decimals; ValueError with a code."""
    match = _NUMBER.match(text)
    if not match:
        raise ValueError("invalid_wage")
    decimals = match[2] if match[1] is not None else match[3]
    if decimals and len(decimals) > 2:
        raise ValueError("too_many_decimals")
    try:
        wage = Decimal(text)
    except InvalidOperation:
        raise ValueError("invalid_wage") from None
    if wage < 0:
        raise ValueError("negative_wage")
    if wage >= MAX_WAGE:
        raise ValueError("invalid_wage")
    return wage.quantize(CENT)


REASONS = {
    "malformed_row": "the row does not have the four columns {columns}",
    "invalid_national_id": "the national ID number is not valid: {detail}",
    "invalid_credit_code": "the employer's credit code is not valid: {detail}",
    "invalid_month": "the month must be written YYYY-MM",
    "future_month": "the month is in the future",
    "invalid_wage": "the wage base is not a number",
    "too_many_decimals": "the wage base has more than two decimal places",
    "negative_wage": "the wage base is negative",
    "duplicate_row": "duplicate of line {first} (same person and month)",
    "unknown_cardholder": "no cardholder has this national ID number",
    "unknown_employer": "no employer has this credit code",
    "other_employer": "the row is for another employer than the one uploading the file",
    "no_accounts": "the cardholder's accounts are not opened",
    "contribution_after_death": "the cardholder died before this month",
    "contribution_while_retired": "the cardholder is retired and pays no contributions",
    "no_rate_in_force": "no contribution rate is in force for this region and month",
    "account_closed": "an account this contribution goes to is closed",
    "account_frozen": "an account this contribution moves money from is frozen",
    "insufficient_balance": "an account this contribution moves money from would go below zero",
}


def _reject(line, code, **params):
    params.setdefault("columns", ",".join(HEADER))
    return Reject(line, code, REASONS[code].format(**params))


def check_row(line, fields, *, today, only_employer=None):
    """Validate one CSV row's own content. Returns a PayrollRow or a Reject."""
    if len(fields) != len(HEADER):
        return _reject(line, "malformed_row")
    code, national_id, month_text, wage_text = (value.strip() for value in fields)
    try:
        national_id = parse_national_id(national_id, today=today).number
    except ValidationError as exc:
        return _reject(line, "invalid_national_id", detail=" ".join(exc.messages))
    try:
        code = validate_credit_code(code)
    except ValidationError as exc:
        return _reject(line, "invalid_credit_code", detail=" ".join(exc.messages))
    if only_employer is not None and code != only_employer:
        return _reject(line, "other_employer")
    try:
        month = parse_month(month_text, today=today)
        wage = parse_wage(wage_text)
    except ValueError as exc:
        return _reject(line, str(exc))
    return PayrollRow(line, national_id, code, month, wage)


def _duplicate_key(row):
    # One int per row instead of a tuple of strings keeps a million-row file small in memory.
    # The first 17 digits determine a valid ID; the check character adds nothing.
    return int(row.national_id[:17]) << 17 | (row.month.year * 12 + row.month.month)


def read_payroll(stream, *, today=None, only_employer=None):
    """Yield a PayrollRow or a Reject for every data row of a payroll CSV stream.

    Line numbers are the file's own (the header is line 1). Blank lines are skipped.
    With `only_employer` (a credit code) a row for any other employer is rejected.
    A row repeating the person and month of an earlier good row is a duplicate.
    """
    today = today or timezone.localdate()
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        raise PayrollFileError("the file is empty")
    header = tuple(column.strip().lstrip("\ufeff").lower() for column in header)
    if header != HEADER:
        raise PayrollFileError(f"the header must be {','.join(HEADER)}")
    seen = {}
    for fields in reader:
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        line = reader.line_num
        result = check_row(line, fields, today=today, only_employer=only_employer)
        if isinstance(result, PayrollRow):
            key = _duplicate_key(result)
            first = seen.setdefault(key, line)
            if first != line:
                result = _reject(line, "duplicate_row", first=first)
        yield result


def import_payroll(
    stream, *, chunk_size=DEFAULT_CHUNK_SIZE, today=None, on_chunk=None, only_employer=None
):
    """Import a payroll CSV stream chunk by chunk; returns an ImportSummary.

    `on_chunk(summary, chunk_rejects)` is called after every chunk (progress, reporting).
    Each chunk commits on its own: an interrupted import is finished by running it again.
    While a chunk is written, the next one is read, checked and looked up.
    """
    summary = ImportSummary()
    caches = Caches()
    chunks = _chunks(read_payroll(stream, today=today, only_employer=only_employer), chunk_size)

    def build(chunk):
        read, rows, rejects = chunk
        chunk_summary, groups, states = _groups(rows, rejects, caches)
        return (read, chunk_summary, _employed(groups)), groups, timezone.now(), states

    for (read, chunk_summary, employed), outcome in caches.writer.stream(chunks, build):
        result = _summarize(chunk_summary, outcome)
        if outcome.posted:
            # After the chunk's commit: whoever found work may stop drawing a benefit.
            extensions.employer_contributions_posted(employed)
        summary.rows_read += read
        summary.add(result)
        if on_chunk:
            on_chunk(summary, result.rejects)
    if summary.rows_posted:
        _summarize_month_index()
    return summary


def _employed(groups):
    """The cardholders a chunk's employer-paid rows are for (the record's first value
    is the cardholder, the second the employer)."""
    return {
        group.postings[0].record[0]
        for group in groups
        if group.postings and group.postings[0].record[1] is not None
    }


def _summarize_month_index():
    """Let the contributions' BRIN month index cover the rows just appended: until its
    new block ranges are summarized, a month filter reads them all (autovacuum does it
    too, where it runs). About a second per million contributions."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('contribution_month_brin') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute("SELECT brin_summarize_new_values('contribution_month_brin')")


def _chunks(items, size):
    """Group `read_payroll`'s output by `size` rows read: (rows read, good rows, rejects).
    The last group is yielded even when empty, so a caller always hears of the end."""
    read, rows, rejects = 0, [], []
    for item in items:
        read += 1
        (rejects if isinstance(item, Reject) else rows).append(item)
        if read == size:
            yield read, rows, rejects
            read, rows, rejects = 0, [], []
    yield read, rows, rejects


# ---------------------------------------------------------------------------
# Postings of a chunk of good rows
# ---------------------------------------------------------------------------


def _contribution_text(values):
    holder, employer, scheme, month, payer, declared, base, to_pooled, to_personal = values
    employer = "\\N" if employer is None else employer
    # `!s` and isoformat(), not plain f-string fields: Decimal's and date's __format__
    # cost four times as much, on every contribution.
    return (
        f"{holder}\t{employer}\t{scheme}\t{month.isoformat()}\t{payer}\t{declared!s}\t"
        f"{base!s}\t{to_pooled!s}\t{to_personal!s}"
    )


# The Contribution row written with each posting: its employer is held until commit,
# its cardholder owns the accounts the posting credits.
CONTRIBUTIONS = ledger_bulk.Records(
    Contribution,
    [
        "cardholder_id",
        "employer_id",
        "scheme",
        "month",
        "payer",
        "wage_base_declared",
        "wage_base",
        "to_pooled",
        "to_personal",
    ],
    held=["employer_id"],
    owner="cardholder_id",
    text=_contribution_text,
)


class Caches:
    """What one import run carries from chunk to chunk: employer ids by credit code,
    the rates and the rules' plans in force, and the bulk writer (which carries the
    balances the last chunk drafted is expected to leave)."""

    def __init__(self):
        self.employers = {}
        self.plans = {}
        self.rates = None
        self.retired_rules = None
        self.descriptions = {}
        self.references = {}
        self.received = None
        self.writer = ledger_bulk.BulkWriter()

    def plan(self, region, month, flexible):
        key = (region, month, flexible)
        plan = self.plans.get(key)
        if plan is None:
            if self.rates is None:
                self.rates = list(ContributionRate.objects.all())
            plan = self.plans[key] = rules.plan(self.rates, region, month, flexible=flexible)
        return plan

    def description(self, scheme, reference, payer):
        key = (scheme, reference, payer)
        text = self.descriptions.get(key)
        if text is None:
            text = self.descriptions[key] = rules.description(scheme, reference, payer)
        return text

    def received_id(self):
        if self.received is None:
            self.received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED).pk
        return self.received


def post_rows(rows, *, caches=None, posted_at=None):
    """Post validated PayrollRows (one chunk) set-based. Returns an ImportSummary for them.

    A row posts all its due parts or nothing; rows whose keys all exist are counted as
    already posted. `employer_code=None` posts without an employer (a flexibly
    employed person paying for themselves). `caches` (a `Caches`) carries employers
    and rates from one chunk to the next within a run.
    """
    caches = caches or Caches()
    summary, groups, states = _groups(rows, [], caches)
    outcome = caches.writer.post(groups, posted_at=posted_at, accounts=states)
    if outcome.posted:
        transaction.on_commit(lambda: extensions.employer_contributions_posted(_employed(groups)))
    return _summarize(summary, outcome)


def _summarize(summary, outcome):
    summary.rows_posted += outcome.posted
    summary.rows_already_posted += outcome.already_posted
    summary.transactions_posted += outcome.transactions
    for line, code in outcome.refused:
        summary.reject(_reject(line, code))
    summary.rejects.sort(key=lambda reject: reject.line)
    return summary


def _groups(rows, rejects, caches):
    """The chunk's rows as ledger postings, read without locks: the people, employers and
    accounts its rows name, and each row's postings by the rules in force. Returns (a
    summary holding the rejects so far, the groups, the accounts as read)."""
    summary = ImportSummary()
    for reject in rejects:
        summary.reject(reject)
    # ID numbers are stored encrypted: match them by their keyed digests.
    numbers_by_digest = {
        digest: number
        for number in {row.national_id for row in rows}
        for digest in id_digests(number)
    }
    cardholders = {
        numbers_by_digest[digest]: (pk, region, status, died)
        for pk, digest, region, status, died in ledger_bulk.lookup(
            lambda batch: Cardholder.objects.filter(national_id_digest__in=batch).values_list(
                "id", "national_id_digest", "region", "employment_status", "date_of_death"
            ),
            numbers_by_digest,
        )
    }
    codes = {row.employer_code for row in rows if row.employer_code} - caches.employers.keys()
    for code in codes:
        caches.employers[code] = None
    for pk, code in ledger_bulk.lookup(
        lambda batch: Employer.objects.filter(credit_code__in=batch).values_list(
            "id", "credit_code"
        ),
        codes,
    ):
        caches.employers[code] = pk
    accounts, states = ledger_bulk.holder_accounts([value[0] for value in cardholders.values()])
    received = caches.received_id() if rows else None

    groups = []
    for row in rows:
        holder = cardholders.get(row.national_id)
        if holder is None:
            summary.reject(_reject(row.line, "unknown_cardholder"))
            continue
        employer_id = None
        if row.employer_code:
            employer_id = caches.employers.get(row.employer_code)
            if employer_id is None:
                summary.reject(_reject(row.line, "unknown_employer"))
                continue
        holder_id, region, status, died = holder
        if caches.retired_rules is None:
            caches.retired_rules = retired_contribution_rules()
        may_continue = retired_may_continue(region, caches.retired_rules)
        refusal = rules.contribution_refusal(
            row.month,
            date_of_death=died,
            employment_status=status,
            retired_may_continue=may_continue,
        )
        if refusal is not None:
            summary.reject(_reject(row.line, refusal))
            continue
        flexible = status == Cardholder.EmploymentStatus.FLEXIBLE or (
            status == Cardholder.EmploymentStatus.RETIRED and may_continue
        )
        plan = caches.plan(region, row.month, flexible)
        if not plan:
            summary.reject(_reject(row.line, "no_rate_in_force"))
            continue
        postings = contribution_postings(
            row, holder_id, employer_id, plan, accounts, received, caches
        )
        if postings is None:
            summary.reject(_reject(row.line, "no_accounts"))
            continue
        groups.append(ledger_bulk.Group(row.line, postings))
    return summary, groups, states


def contribution_postings(row, holder_id, employer_id, plan, accounts, received, caches):
    """A payroll row's due parts by `plan` (`Caches.plan`) as bulk-ledger postings, each
    with its Contribution row; None when an account they credit is missing from
    `accounts` ({(cardholder id, scheme, kind): account id}). `received` is the
    contributions-received system account's id."""
    wage, month = row.wage, row.month
    reference = caches.references.get(month)
    if reference is None:
        reference = caches.references[month] = rules.reference(month)
    descriptions = caches.descriptions
    postings = []
    for part in plan:
        base, to_pooled, to_personal = part.amounts(wage)
        total = to_pooled + to_personal
        if not total:
            continue
        scheme = part.scheme
        if to_pooled:
            pooled_id = accounts.get((holder_id, scheme, "pooled"))
            if pooled_id is None:
                return None
            if to_personal:
                personal_id = accounts.get((holder_id, scheme, "personal"))
                if personal_id is None:
                    return None
                legs = ((received, -total), (pooled_id, to_pooled), (personal_id, to_personal))
            else:
                legs = ((received, -total), (pooled_id, to_pooled))
        else:
            personal_id = accounts.get((holder_id, scheme, "personal"))
            if personal_id is None:
                return None
            legs = ((received, -total), (personal_id, to_personal))
        payer = part.payer
        description = descriptions.get((scheme, reference, payer))
        if description is None:
            description = caches.description(scheme, reference, payer)
        postings.append(
            ledger_bulk.Posting(
                rules.idempotency_key(holder_id, scheme, reference, payer),
                KIND,
                legs,
                reference,
                description,
                CONTRIBUTIONS,
                (
                    holder_id,
                    employer_id,
                    scheme,
                    month,
                    payer,
                    wage,
                    base,
                    to_pooled,
                    to_personal,
                ),
            )
        )
    return postings


def month_range(first, count):
    """`count` consecutive first-of-month dates starting at `first`."""
    months = []
    year, month = first.year, first.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


__all__ = [
    "HEADER",
    "Caches",
    "ImportSummary",
    "PayrollFileError",
    "PayrollRow",
    "Reject",
    "contribution_postings",
    "import_payroll",
    "month_range",
    "post_rows",
    "read_payroll",
]
