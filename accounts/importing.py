"""The monthly payroll import: employer files in, contributions for all five schemes out.

A payroll file has one row per person and month (`employer_credit_code,national_id,
month,wage_base`). Each good row is posted with exactly the rules of
`services.contribution_post` — the same rates, clamping, split, idempotency keys and
Contribution rows — but set-based: rows are read in chunks, everything a chunk needs is
fetched with a few IN queries, the amounts are computed in Python, and one database
transaction per chunk locks the chunk's accounts in id order, writes transactions,
entries and contributions in bulk (COPY on PostgreSQL) and moves every balance with
one statement.

On PostgreSQL the work is split in two so that Python and the server work at the same
time: while one chunk is being written, the next is read, checked, looked up and its
COPY text drafted on the balances its accounts are expected to have; the writer checks
those under its locks and redrafts the chunk if any differs (see `_Draft`).

Every bad row is reported with its line number and a stable reason code and posts
nothing. A row already posted (same idempotency keys) is skipped, so re-running a
file posts nothing twice. The file is streamed: memory does not grow with its length
beyond one small key per row, kept to report duplicates.
"""

import csv
import io
import queue
import random
import re
import threading
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, reset_queries, transaction
from django.utils import timezone

from accounts import ledger, services
from accounts.exceptions import AccountClosed
from accounts.ledger import CENT
from accounts.models import (
    Account,
    Cardholder,
    Contribution,
    ContributionRate,
    Employer,
    LedgerEntry,
    LedgerTransaction,
    Scheme,
)
from accounts.pii import id_digests
from accounts.validators import parse_national_id, validate_credit_code

HEADER = ("employer_credit_code", "national_id", "month", "wage_base")
DEFAULT_CHUNK_SIZE = 2_500
ZERO = Decimal("0.00")
MAX_WAGE = Decimal("1e12")
Payer = ContributionRate.Payer
Destination = ContributionRate.Destination
KIND = LedgerTransaction.Kind.CONTRIBUTION

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_NUMBER = re.compile(r"^[+-]?(\d+)(?:\.(\d*))?$|^[+-]?\.(\d+)$")
# A chunk that loses a race (someone posted one of its keys meanwhile) is retried.
_ATTEMPTS = 3
# Chunks that may be drafted but not yet committed when the next one is drafted: the
# one being written (see `_ahead`).
_IN_FLIGHT = 1


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
    "no_accounts": "the cardholder's accounts are not opened",
    "no_rate_in_force": "no contribution rate is in force for this region and month",
    "account_closed": "an account this contribution goes to is closed",
}


def _reject(line, code, **params):
    params.setdefault("columns", ",".join(HEADER))
    return Reject(line, code, REASONS[code].format(**params))


def check_row(line, fields, *, today):
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


def read_payroll(stream, *, today=None):
    """Yield a PayrollRow or a Reject for every data row of a payroll CSV stream.

    Line numbers are the file's own (the header is line 1). Blank lines are skipped.
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
        result = check_row(line, fields, today=today)
        if isinstance(result, PayrollRow):
            key = _duplicate_key(result)
            first = seen.setdefault(key, line)
            if first != line:
                result = _reject(line, "duplicate_row", first=first)
        yield result


def import_payroll(stream, *, chunk_size=DEFAULT_CHUNK_SIZE, today=None, on_chunk=None):
    """Import a payroll CSV stream chunk by chunk; returns an ImportSummary.

    `on_chunk(summary, chunk_rejects)` is called after every chunk (progress, reporting).
    Each chunk commits on its own: an interrupted import is finished by running it again.
    While a chunk is written, the next one is read, checked and looked up (`_ahead`).
    """
    summary = ImportSummary()
    caches = Caches()
    chunks = _chunks(read_payroll(stream, today=today), chunk_size)
    for read, prepared in _ahead(chunks, lambda rows, rejects: _prepare(rows, rejects, caches)):
        result = _post_prepared(prepared)
        summary.rows_read += read
        summary.add(result)
        if on_chunk:
            on_chunk(summary, result.rejects)
    if summary.rows_posted:
        _summarize_month_index()
    return summary


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


_END = object()


def _ahead(chunks, prepare):
    """Yield (rows read, prepare(rows, rejects)) for every chunk.

    On PostgreSQL a thread with its own connection prepares the next chunk while the
    caller writes the current one; psycopg2 lets go of the GIL while it waits for the
    server, so parsing and look-ups overlap the server's writing. Inside an open
    transaction (a caller's atomic block, a test) another connection would not see that
    transaction's rows, so the chunks are prepared in turn on this connection.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        for read, rows, rejects in chunks:
            yield read, prepare(rows, rejects)
        return
    ready = queue.Queue(maxsize=1)
    taken = threading.Semaphore(0)
    stop = threading.Event()

    def hand_over(item):
        # Wait until the writer takes the item: the next chunk is prepared while this
        # one is written, so no more than two chunks are held at a time.
        ready.put(item)
        while not stop.is_set():
            if taken.acquire(timeout=0.1):
                return True
        return False

    def produce():
        try:
            for read, rows, rejects in chunks:
                item = (read, prepare(rows, rejects))
                reset_queries()  # with DEBUG on, each connection keeps every query's SQL
                if not hand_over(item):
                    return
            hand_over(_END)
        except BaseException as exc:  # re-raised in the writing thread
            hand_over(exc)
        finally:
            connections.close_all()  # this thread's connection only

    worker = threading.Thread(target=produce, name="payroll-prepare", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not _END:
            taken.release()
            if isinstance(item, BaseException):
                raise item
            yield item
            reset_queries()
    finally:
        stop.set()
        worker.join()


# ---------------------------------------------------------------------------
# Posting a chunk of good rows
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """One payer's part of one scheme: the rates and where the money goes."""

    payer: str
    pooled: tuple  # (rate, floor, ceiling) rows crediting the pooled account
    personal: tuple  # … and the personal account
    base_floor: Decimal  # bounds of the first rate row: Contribution.wage_base
    base_ceiling: Decimal


def _rates_in_force(all_rates, region, scheme, month, payers):
    """`services.rates_in_force` over rate rows already in memory (the table is small):
    the region's own rows if it has any, else the national ones; the newest start wins."""
    rows = sorted(
        (
            row
            for row in all_rates
            if row.region in (region, services.NATIONAL)
            and row.scheme == scheme
            and row.payer in payers
            and row.effective_from <= month
            and (row.effective_to is None or row.effective_to >= month)
        ),
        key=lambda row: row.effective_from,
        reverse=True,
    )
    regional = [row for row in rows if row.region == region]
    rows = regional or [row for row in rows if row.region == services.NATIONAL]
    latest = {}
    for row in rows:
        latest.setdefault((row.payer, row.destination), row)
    return list(latest.values())


def _plans(region, month, flexible, caches):
    """Per scheme, the payer parts in force — as `contribution_post` would find them."""
    key = (region, month, flexible)
    cache = caches.plans
    if key not in cache:
        if caches.rates is None:
            caches.rates = list(ContributionRate.objects.all())
        payers = [Payer.FLEXIBLE] if flexible else [Payer.EMPLOYER, Payer.EMPLOYEE]
        plan = []
        for scheme in Scheme.values:
            rates = _rates_in_force(caches.rates, region, scheme, month, payers)
            for payer in payers:
                rows = [row for row in rates if row.payer == payer]
                if not rows:
                    continue
                bounds = [(row.rate, row.wage_base_floor, row.wage_base_ceiling) for row in rows]
                pooled = tuple(
                    b for b, r in zip(bounds, rows, strict=True) if r.destination == "pooled"
                )
                personal = tuple(
                    b for b, r in zip(bounds, rows, strict=True) if r.destination == "personal"
                )
                plan.append(
                    (
                        scheme,
                        _Part(
                            payer,
                            pooled,
                            personal,
                            rows[0].wage_base_floor,
                            rows[0].wage_base_ceiling,
                        ),
                    )
                )
        cache[key] = plan
    return cache[key]


def _amount(wage, bounds):
    total = ZERO
    for rate, floor, ceiling in bounds:
        total += (min(max(wage, floor), ceiling) * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return total


@dataclass(slots=True)
class _Posting:
    row: PayrollRow
    key: str
    reference: str  # YYYY-MM
    description: str
    cardholder_id: int
    employer_id: int | None
    scheme: str
    payer: str
    wage_base: Decimal
    to_pooled: Decimal
    to_personal: Decimal
    pooled_id: int | None
    personal_id: int | None
    txn_id: int | None = None  # drawn ahead on PostgreSQL


def _batches(values, size):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _in_size():
    # SQLite caps the number of bound parameters; PostgreSQL takes one big IN list.
    return 50_000 if connection.vendor == "postgresql" else 900


def _lookup(queryset_for, values):
    """Run `queryset_for(batch)` over `values` in parameter-sized batches; chain the rows."""
    for batch in _batches(values, _in_size()):
        yield from queryset_for(batch)


class Caches:
    """What one import run carries from chunk to chunk: employer ids by credit code,
    rates in force, and the balances the last chunks drafted are expected to leave."""

    def __init__(self):
        self.employers = {}
        self.plans = {}
        self.rates = None
        self.descriptions = {}
        self.received = None
        # Chunks drafted but perhaps not yet committed: newest last.
        self.expected = deque(maxlen=_IN_FLIGHT)

    def expected_balance(self, pk, read):
        for balances in reversed(self.expected):
            if pk in balances:
                return balances[pk]
        return read[pk]

    def description(self, scheme, reference, payer):
        key = (scheme, reference, payer)
        text = self.descriptions.get(key)
        if text is None:
            text = self.descriptions[key] = f"{scheme} contribution {reference} paid by {payer}"
        return text


@dataclass
class _Prepared:
    """A chunk ready for its transaction: rejects so far, the rows still to post (each
    with its unposted postings) and, on PostgreSQL, its COPY text drafted ahead."""

    summary: ImportSummary
    todo: list
    when: datetime  # the postings' time
    draft: "_Draft | None" = None


@dataclass
class _Draft:
    """A chunk's COPY text written before its transaction, on the balances its accounts
    are expected to have. The writer moves the balances only where they are still as
    expected, fills in the running balance of the system account every row credits from,
    and copies; if any is not, it writes the chunk afresh from the locked balances."""

    postings: list
    accounts: int  # how many holder accounts it credits
    moves: tuple  # their ids, expected balances before and after, as array texts
    transactions: bytes
    contributions: bytes
    entries: list  # per posting: (its system-account entry up to the balance, the rest)


def post_rows(rows, *, caches=None, posted_at=None):
    """Post validated PayrollRows (one chunk) set-based. Returns an ImportSummary for them.

    A row posts all its due parts or nothing; rows whose keys all exist are counted as
    already posted. `employer_code=None` posts without an employer (a flexibly
    employed person paying for themselves). `caches` (a `Caches`) carries employers
    and rates from one chunk to the next within a run.
    """
    return _post_prepared(_prepare(rows, [], caches or Caches(), posted_at=posted_at))


class _LostRace(Exception):
    pass


def _post_prepared(prepared):
    """Write a prepared chunk in one transaction: as drafted if the draft still holds,
    else from the locked balances. A chunk that loses a race (someone posted one of its
    keys meanwhile) drops what is now posted and tries again."""
    summary, todo, draft = prepared.summary, prepared.todo, prepared.draft
    races = 0
    while todo:
        try:
            if draft is not None:
                result = _write_drafted(todo, draft)
            else:
                result = _write_chunk(todo, prepared.when)
        except _NotAsDrafted:
            draft = None
            continue
        except _LostRace:
            races += 1
            if races == _ATTEMPTS:
                raise RuntimeError(
                    "payroll chunk kept conflicting with concurrent postings"
                ) from None
            todo, draft = _unposted(todo, summary), None
            continue
        rows_posted, transactions_posted, rejects = result
        summary.rows_posted += rows_posted
        summary.transactions_posted += transactions_posted
        for reject in rejects:
            summary.reject(reject)
        break
    summary.rejects.sort(key=lambda reject: reject.line)
    return summary


class _NotAsDrafted(Exception):
    pass


def _prepare(rows, rejects, caches, *, posted_at=None):
    """Everything a chunk needs before its transaction, read without locks: the people,
    employers and accounts its rows name, each row's postings by the rates in force,
    which of those are posted already and, on PostgreSQL, the chunk's COPY text."""
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
        numbers_by_digest[digest]: (pk, region, status)
        for pk, digest, region, status in _lookup(
            lambda batch: Cardholder.objects.filter(national_id_digest__in=batch).values_list(
                "id", "national_id_digest", "region", "employment_status"
            ),
            numbers_by_digest,
        )
    }
    codes = {row.employer_code for row in rows if row.employer_code} - caches.employers.keys()
    for code in codes:
        caches.employers[code] = None
    for pk, code in _lookup(
        lambda batch: Employer.objects.filter(credit_code__in=batch).values_list(
            "id", "credit_code"
        ),
        codes,
    ):
        caches.employers[code] = pk
    accounts, balances = _accounts_of([value[0] for value in cardholders.values()])

    postings_by_row = []
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
        holder_id, region, status = holder
        plan = _plans(region, row.month, status == "flexible", caches)
        if not plan:
            summary.reject(_reject(row.line, "no_rate_in_force"))
            continue
        postings = _postings(row, holder_id, employer_id, plan, accounts, caches)
        if postings is None:
            summary.reject(_reject(row.line, "no_accounts"))
            continue
        postings_by_row.append((row, postings))
    todo = _unposted(postings_by_row, summary)
    when = posted_at or timezone.now()
    draft = None
    if todo and connection.vendor == "postgresql":
        draft = _draft(todo, balances, caches, when)
    return _Prepared(summary, todo, when, draft)


def _postings(row, holder_id, employer_id, plan, accounts, caches):
    """The row's due parts as postings, or None when an account they credit is missing."""
    reference = f"{row.month:%Y-%m}"
    postings = []
    for scheme, part in plan:
        to_pooled = _amount(row.wage, part.pooled)
        to_personal = _amount(row.wage, part.personal)
        if to_pooled + to_personal == 0:
            continue
        pooled_id = accounts.get((holder_id, scheme, "pooled")) if to_pooled else None
        personal_id = accounts.get((holder_id, scheme, "personal")) if to_personal else None
        if (to_pooled and pooled_id is None) or (to_personal and personal_id is None):
            return None
        postings.append(
            _Posting(
                row,
                f"contribution:{holder_id}:{scheme}:{reference}:{part.payer}",
                reference,
                caches.description(scheme, reference, part.payer),
                holder_id,
                employer_id,
                scheme,
                part.payer,
                min(max(row.wage, part.base_floor), part.base_ceiling),
                to_pooled,
                to_personal,
                pooled_id,
                personal_id,
            )
        )
    return postings


def _accounts_of(holder_ids):
    """These cardholders' accounts: ({(cardholder id, scheme, kind): account id},
    {account id: balance as read, unlocked})."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, cardholder_id, scheme, kind, balance FROM accounts_account "
                "WHERE cardholder_id = ANY(%s)",
                [list(holder_ids)],
            )
            rows = cursor.fetchall()
    else:
        rows = _lookup(
            lambda batch: Account.objects.filter(cardholder_id__in=batch).values_list(
                "id", "cardholder_id", "scheme", "kind", "balance"
            ),
            holder_ids,
        )
    accounts, balances = {}, {}
    for pk, holder, scheme, kind, balance in rows:
        accounts[holder, scheme, kind] = pk
        balances[pk] = balance
    return accounts, balances


def _draft(todo, read, caches, when):
    """Draw the chunk's transaction ids and write its COPY text on expected balances:
    the ones the chunks drafted before it will leave, else the ones just read."""
    if caches.received is None:
        caches.received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED).pk
    received = caches.received
    postings = [posting for _row, postings in todo for posting in postings]
    starts = {}
    for posting in postings:
        for pk in (posting.pooled_id, posting.personal_id):
            if pk is not None and pk not in starts:
                starts[pk] = caches.expected_balance(pk, read)
    ends = dict(starts)
    stamp = when.isoformat()
    end = f"\t{stamp}\n"
    tail = f"\t{KIND}{end}"  # of an entry
    transactions, contributions, entries = [], [], []
    for posting, pk in zip(postings, _draw_ids(len(postings)), strict=True):
        posting.txn_id = pk
        to_pooled, to_personal = posting.to_pooled, posting.to_personal
        transactions.append(
            f"{pk}\t{KIND}\t{posting.key}\t{posting.reference}\t{posting.description}{end}"
        )
        employer = "\\N" if posting.employer_id is None else posting.employer_id
        contributions.append(
            f"{posting.cardholder_id}\t{employer}\t{posting.scheme}\t{posting.reference}-01\t"
            f"{posting.payer}\t{posting.row.wage}\t{posting.wage_base}\t{to_pooled}\t"
            f"{to_personal}\t{pk}{end}"
        )
        rest = tail
        if to_pooled:
            balance = ends[posting.pooled_id] = ends[posting.pooled_id] + to_pooled
            rest += f"{pk}\t{posting.pooled_id}\t{to_pooled}\t{balance}{tail}"
        if to_personal:
            balance = ends[posting.personal_id] = ends[posting.personal_id] + to_personal
            rest += f"{pk}\t{posting.personal_id}\t{to_personal}\t{balance}{tail}"
        entries.append((f"{pk}\t{received}\t{-(to_pooled + to_personal)}\t", rest))
    caches.expected.append(ends)
    ids = sorted(ends)
    moves = tuple(
        "{" + ",".join(map(str, values)) + "}"
        for values in (ids, (starts[pk] for pk in ids), (ends[pk] for pk in ids))
    )
    return _Draft(
        postings,
        len(ids),
        moves,
        "".join(transactions).encode(),
        "".join(contributions).encode(),
        entries,
    )


def _draw_ids(count):
    """`count` ledger transaction ids from the sequence (never handed out twice, even
    if the chunk is then rolled back)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('accounts_ledgertransaction', 'id')")
        (sequence,) = cursor.fetchone()
        # A constant regclass: the sequence is resolved once, not once per id.
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
        )
        return [pk for (pk,) in cursor.fetchall()]


def _unposted(postings_by_row, summary):
    """Drop the postings whose idempotency keys exist; a row left with none is counted
    as already posted."""
    keys = [posting.key for _row, postings in postings_by_row for posting in postings]
    seen = _posted_keys(keys)
    todo = []
    for row, postings in postings_by_row:
        fresh = [posting for posting in postings if posting.key not in seen]
        seen.update(posting.key for posting in fresh)
        if fresh:
            todo.append((row, fresh))
        else:
            summary.rows_already_posted += 1
    return todo


def _posted_keys(keys):
    if not keys:
        return set()
    if connection.vendor == "postgresql":
        # One array parameter: an IN list of tens of thousands of values costs more to
        # build in Python than the index look-ups cost the server.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT idempotency_key FROM accounts_ledgertransaction "
                "WHERE idempotency_key = ANY(%s)",
                [keys],
            )
            return {key for (key,) in cursor.fetchall()}
    return set(
        _lookup(
            lambda batch: LedgerTransaction.objects.filter(idempotency_key__in=batch).values_list(
                "idempotency_key", flat=True
            ),
            keys,
        )
    )


def _write_drafted(todo, draft):
    """Write a drafted chunk as it is: one statement moves every balance, provided each
    account is open and holds what the draft expected (it locks them, in id order, as
    the ledger service does); then the drafted text is copied. If anything is not as
    drafted, the transaction is rolled back and `_NotAsDrafted` raised."""
    with transaction.atomic():
        received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED).pk
        total = sum(posting.to_pooled + posting.to_personal for posting in draft.postings)
        ids, before, after = draft.moves
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH moved AS ("
                " UPDATE accounts_account AS a SET balance = CASE"
                "  WHEN v.before IS NULL THEN a.balance + v.after ELSE v.after END"
                " FROM (SELECT * FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[])"
                "  AS u(id, before, after) UNION ALL SELECT %s, NULL, %s ORDER BY id) AS v"
                " WHERE a.id = v.id AND a.status = 'open'"
                "  AND (v.before IS NULL OR a.balance = v.before)"
                " RETURNING a.id, a.balance)"
                "SELECT count(*), max(balance) FILTER (WHERE id = %s) FROM moved",
                [ids, before, after, received, -total, received],
            )
            moved, pool = cursor.fetchone()
        employer_ids = {postings[0].employer_id for _row, postings in todo} - {None}
        if moved != draft.accounts + 1 or len(_lock_employers(employer_ids)) != len(employer_ids):
            raise _NotAsDrafted()
        try:
            _write_draft(draft, received, pool + total)
        except IntegrityError:
            raise _LostRace() from None
    return len(todo), len(draft.postings), []


def _write_chunk(todo, when):
    """One transaction: lock the chunk's accounts in id order, drop rows whose accounts
    are closed or gone, write transactions, entries and contributions, move the balances.
    Returns (rows posted, transactions posted, rejects)."""
    with transaction.atomic():
        received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED).pk
        account_ids = {received}
        employer_ids = set()
        for _row, postings in todo:
            employer_ids.add(postings[0].employer_id)
            for posting in postings:
                account_ids.update(
                    pk for pk in (posting.pooled_id, posting.personal_id) if pk is not None
                )
        employer_ids.discard(None)
        locked = _lock_accounts(account_ids)
        if locked.get(received, (None, Account.Status.CLOSED))[1] == Account.Status.CLOSED:
            raise AccountClosed(field="account")
        employers = _lock_employers(employer_ids)
        good, rejects, rows_posted = [], [], 0
        for row, postings in todo:
            reason = _blocked(postings, locked, employers)
            if reason:
                rejects.append(_reject(row.line, reason))
            else:
                good.extend(postings)
                rows_posted += 1
        if not good:
            return 0, 0, rejects
        balances = {pk: values[0] for pk, values in locked.items()}
        start = dict(balances)
        try:
            if connection.vendor == "postgresql":
                _write_postgresql(good, received, balances, when)
            else:
                _write_portable(good, received, balances, when)
        except IntegrityError:
            raise _LostRace() from None
        changed = {pk: balance for pk, balance in balances.items() if balance != start[pk]}
        _update_balances(changed, locked)
    return rows_posted, len(good), rejects


def _blocked(postings, locked, employers):
    """Why a row cannot post now that its accounts are locked, or None."""
    employer_id = postings[0].employer_id
    if employer_id is not None and employer_id not in employers:
        return "unknown_employer"
    for posting in postings:
        for pk in (posting.pooled_id, posting.personal_id):
            if pk is None:
                continue
            if pk not in locked:
                return "no_accounts"
            if locked[pk][1] == Account.Status.CLOSED:
                return "account_closed"
    return None


def _lock_accounts(account_ids):
    """Lock the accounts in id order (as the ledger service does):
    {id: (balance, status, row address on PostgreSQL)}. A locked row cannot move, so
    its address finds it again without the index."""
    ids = sorted(account_ids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, balance, status, ctid FROM accounts_account WHERE id = ANY(%s) "
                "ORDER BY id FOR UPDATE",
                [ids],
            )
            return {pk: (balance, status, ctid) for pk, balance, status, ctid in cursor}
    locked = {}
    for batch in _batches(ids, _in_size()):
        for pk, balance, status in (
            Account.objects.select_for_update()
            .filter(id__in=batch)
            .order_by("id")
            .values_list("id", "balance", "status")
        ):
            locked[pk] = (balance, status, None)
    return locked


def _lock_employers(employer_ids):
    """The employers that still exist, held until commit against deletion (the lock a
    foreign-key check takes): the writes below may skip those checks."""
    if not employer_ids:
        return set()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM accounts_employer WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE",
                [sorted(employer_ids)],
            )
            return {pk for (pk,) in cursor.fetchall()}
    return set(Employer.objects.filter(id__in=employer_ids).values_list("id", flat=True))


def _legs(posting, received):
    total = posting.to_pooled + posting.to_personal
    legs = [(received, -total)]
    if posting.to_pooled:
        legs.append((posting.pooled_id, posting.to_pooled))
    if posting.to_personal:
        legs.append((posting.personal_id, posting.to_personal))
    return legs


def _write_portable(postings, received, balances, when):
    txns = LedgerTransaction.objects.bulk_create(
        [
            LedgerTransaction(
                kind=KIND,
                idempotency_key=posting.key,
                reference=posting.reference,
                description=posting.description,
                posted_at=when,
            )
            for posting in postings
        ],
        batch_size=500,
    )
    entries, contributions = [], []
    for posting, txn in zip(postings, txns, strict=True):
        for account_id, amount in _legs(posting, received):
            balances[account_id] += amount
            entries.append(
                LedgerEntry(
                    transaction_id=txn.pk,
                    account_id=account_id,
                    amount=amount,
                    balance_after=balances[account_id],
                    kind=KIND,
                    posted_at=when,
                )
            )
        contributions.append(_contribution(posting, txn.pk))
    LedgerEntry.objects.bulk_create(entries, batch_size=500)
    Contribution.objects.bulk_create(contributions, batch_size=500)


def _contribution(posting, transaction_id):
    return Contribution(
        cardholder_id=posting.cardholder_id,
        employer_id=posting.employer_id,
        scheme=posting.scheme,
        month=posting.row.month,
        payer=posting.payer,
        wage_base_declared=posting.row.wage,
        wage_base=posting.wage_base,
        to_pooled=posting.to_pooled,
        to_personal=posting.to_personal,
        transaction_id=transaction_id,
    )


def _copy(cursor, table, columns, data):
    """COPY `data` (bytes) into `table`."""
    # Not wrapped by Django's cursor: a unique violation must arrive as IntegrityError.
    with connection.wrap_database_errors:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.BytesIO(data))


TRANSACTION_COLUMNS = ["id", "kind", "idempotency_key", "reference", "description", "posted_at"]
ENTRY_COLUMNS = ["transaction_id", "account_id", "amount", "balance_after", "kind", "posted_at"]
CONTRIBUTION_COLUMNS = [
    "cardholder_id",
    "employer_id",
    "scheme",
    "month",
    "payer",
    "wage_base_declared",
    "wage_base",
    "to_pooled",
    "to_personal",
    "transaction_id",
    "created_at",
]


def _write_postgresql(postings, received, balances, when):
    """COPY the chunk's rows, computed here from the locked balances."""
    missing = [posting for posting in postings if posting.txn_id is None]
    for posting, pk in zip(missing, _draw_ids(len(missing)) if missing else (), strict=True):
        posting.txn_id = pk
    lines = _copy_lines(postings, received, balances, when.isoformat())
    _copy_chunk(*("".join(part).encode() for part in lines))


def _write_draft(draft, received, pool):
    """COPY a chunk as drafted, the system account's running balance (from `pool`
    before the chunk) filled in."""
    parts = []
    for posting, (head, rest) in zip(draft.postings, draft.entries, strict=True):
        pool -= posting.to_pooled + posting.to_personal
        parts += (head, str(pool), rest)
    _copy_chunk(draft.transactions, "".join(parts).encode(), draft.contributions)


def _copy_chunk(transactions, entries, contributions):
    """COPY straight into the ledger tables. Transaction ids were drawn from the sequence
    beforehand so entries and contributions can name them. A key posted concurrently
    makes the COPY fail on the unique index: the chunk lost a race."""
    with connection.cursor() as cursor:
        # A crash loses at most the last chunks' commits, which re-running the file redoes.
        cursor.execute("SET LOCAL synchronous_commit = off")
        with _foreign_key_checks_skipped(cursor):
            _copy(cursor, "accounts_ledgertransaction", TRANSACTION_COLUMNS, transactions)
            _copy(cursor, "accounts_ledgerentry", ENTRY_COLUMNS, entries)
            _copy(cursor, "accounts_contribution", CONTRIBUTION_COLUMNS, contributions)


def _copy_lines(postings, received, balances, stamp):
    """COPY lines for the transactions, entries (with running balances) and contributions."""
    txn_lines, entry_lines, contribution_lines = [], [], []
    pool = balances[received]
    for posting in postings:
        pk = posting.txn_id
        txn_lines.append(
            f"{pk}\t{KIND}\t{posting.key}\t{posting.reference}\t{posting.description}\t{stamp}\n"
        )
        to_pooled, to_personal = posting.to_pooled, posting.to_personal
        total = to_pooled + to_personal
        pool -= total
        entry_lines.append(f"{pk}\t{received}\t{-total}\t{pool}\t{KIND}\t{stamp}\n")
        if to_pooled:
            balance = balances[posting.pooled_id] = balances[posting.pooled_id] + to_pooled
            entry_lines.append(
                f"{pk}\t{posting.pooled_id}\t{to_pooled}\t{balance}\t{KIND}\t{stamp}\n"
            )
        if to_personal:
            balance = balances[posting.personal_id] = balances[posting.personal_id] + to_personal
            entry_lines.append(
                f"{pk}\t{posting.personal_id}\t{to_personal}\t{balance}\t{KIND}\t{stamp}\n"
            )
        employer = "\\N" if posting.employer_id is None else posting.employer_id
        contribution_lines.append(
            f"{posting.cardholder_id}\t{employer}\t{posting.scheme}\t{posting.reference}-01\t"
            f"{posting.payer}\t{posting.row.wage}\t{posting.wage_base}\t{to_pooled}\t"
            f"{to_personal}\t{pk}\t{stamp}\n"
        )
    balances[received] = pool
    return txn_lines, entry_lines, contribution_lines


@contextmanager
def _foreign_key_checks_skipped(cursor):
    """Skip the per-row foreign-key triggers for the COPYs, when the role may.

    They are most of the server's work on a bulk load and prove nothing here: every row
    written names ledger transactions written by the same COPYs, accounts locked FOR
    UPDATE (so their cardholders cannot go either) and employers locked FOR KEY SHARE,
    all in this transaction. `session_replication_role = replica` turns off ordinary
    triggers; the ledger's own trigger fires on UPDATE and DELETE only, which a COPY
    never does. Roles that may not set it (only superusers and roles granted SET on
    the parameter may) keep the checks. The setting is local to the transaction and
    restored before the balances move.
    """
    allowed = "current_setting('is_superuser') = 'on'"
    if connection.pg_version >= 150000:
        allowed += " OR has_parameter_privilege('session_replication_role', 'SET')"
    cursor.execute(f"SELECT current_setting('session_replication_role'), {allowed}")
    previous, allowed = cursor.fetchone()
    if allowed:
        cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    # (On an error the transaction is rolled back, and the setting with it.)
    if allowed:
        cursor.execute("SELECT set_config('session_replication_role', %s, true)", [previous])


def _update_balances(balances, locked):
    """Set every changed balance in one statement (per parameter batch on SQLite)."""
    if not balances:
        return
    if connection.vendor == "postgresql":
        # Rows found by their addresses; the arrays go as text, which is quicker to
        # build than tens of thousands of adapted parameters.
        addresses = ",".join(f'"{locked[pk][2]}"' for pk in balances)
        amounts = ",".join(map(str, balances.values()))
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE accounts_account AS a SET balance = v.balance "
                "FROM unnest(%s::tid[], %s::numeric[]) AS v(address, balance) "
                "WHERE a.ctid = v.address",
                [f"{{{addresses}}}", f"{{{amounts}}}"],
            )
            if cursor.rowcount != len(balances):
                raise RuntimeError("an account locked for the chunk was not found again")
        return
    Account.objects.bulk_update(
        [Account(id=pk, balance=balance) for pk, balance in balances.items()],
        ["balance"],
        batch_size=300,
    )


# ---------------------------------------------------------------------------
# Synthetic data for tests and benchmarks
# ---------------------------------------------------------------------------


def synthetic_population(count, *, employers=20, flexible_every=10, region="000000", seed=0):
    """Create `count` cardholders with their accounts, and `employers` employers, in bulk.

    ID numbers are valid and unique (region 110105, births spread over 1960-1999);
    every `flexible_every`-th person is flexibly employed. Returns nothing; read the
    people back from the database (see `write_payroll_csv`).
    """
    from datetime import timedelta

    from accounts.validators import generate_credit_code, generate_national_id

    rng = random.Random(seed)  # noqa: S311 - synthetic test data
    existing = Cardholder.objects.count()
    Employer.objects.bulk_create(
        [
            Employer(
                name=f"Synthetic Employer {n}", credit_code=generate_credit_code(f"91110105{n:09d}")
            )
            for n in range(Employer.objects.count(), Employer.objects.count() + employers)
        ],
        ignore_conflicts=True,
    )
    first_day = date(1960, 1, 1)
    batch = 5_000
    for start in range(existing, existing + count, batch):
        people = []
        for n in range(start, min(start + batch, existing + count)):
            birth = first_day + timedelta(days=n % 14_600)
            gender = "M" if rng.random() < 0.5 else "F"
            people.append(
                Cardholder(
                    name=f"Person {n}",
                    national_id=generate_national_id("110105", birth, (n // 14_600) % 1000, gender),
                    gender=gender,
                    date_of_birth=birth,
                    region=region,
                    card_number=f"S{n:09d}",
                    employment_status="flexible" if n % flexible_every == 0 else "employed",
                )
            )
        created = Cardholder.objects.bulk_create(people)
        accounts = []
        for person in created:
            for scheme in Scheme.values:
                accounts.append(Account(cardholder_id=person.pk, scheme=scheme, kind="pooled"))
            for scheme in ("pension", "medical"):
                accounts.append(Account(cardholder_id=person.pk, scheme=scheme, kind="personal"))
        Account.objects.bulk_create(accounts)


def write_payroll_csv(out, *, months, limit=None, seed=0):
    """Write a payroll CSV to the text stream `out` for the cardholders in the database:
    one row per person and month (month-major, as monthly payrolls arrive), employers
    assigned round-robin, wages between 3,000 and 40,000 yuan. Returns the row count."""
    rng = random.Random(seed)  # noqa: S311 - synthetic test data
    employers = list(Employer.objects.order_by("id").values_list("credit_code", flat=True))
    if not employers:
        raise ValueError("create employers first")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    written = 0
    # Read (and decrypt) the people once, not once a month.
    people = Cardholder.objects.order_by("id").values_list("id", "national_id")
    people = list(people[:limit] if limit else people)
    for month in months:
        for pk, national_id in people:
            wage = Decimal(rng.randrange(300_000, 4_000_000)) / 100
            writer.writerow(
                (employers[pk % len(employers)], national_id, f"{month:%Y-%m}", f"{wage:.2f}")
            )
            written += 1
    return written


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
    "import_payroll",
    "month_range",
    "post_rows",
    "read_payroll",
    "synthetic_population",
    "write_payroll_csv",
]
