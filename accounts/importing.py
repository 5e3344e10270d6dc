"""The monthly payroll import: employer files in, contributions for all five schemes out.

A payroll file has one row per person and month (`employer_credit_code,national_id,
month,wage_base`). Each good row is posted with exactly the rules of
`services.contribution_post` — the same rates, clamping, split, idempotency keys and
Contribution rows — but set-based: rows are read in chunks, everything a chunk needs is
fetched with a few IN queries, the amounts are computed in Python, and one database
transaction per chunk locks the chunk's accounts in id order, writes transactions,
entries and contributions in bulk and moves every balance with one statement.

Every bad row is reported with its line number and a stable reason code and posts
nothing. A row already posted (same idempotency keys) is skipped, so re-running a
file posts nothing twice. The file is streamed: memory does not grow with its length
beyond one small key per row, kept to report duplicates.
"""

import csv
import io
import random
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
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
DEFAULT_CHUNK_SIZE = 5_000
ZERO = Decimal("0.00")
MAX_WAGE = Decimal("1e12")
Payer = ContributionRate.Payer
Destination = ContributionRate.Destination
KIND = LedgerTransaction.Kind.CONTRIBUTION

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_NUMBER = re.compile(r"^[+-]?(\d+)(?:\.(\d*))?$|^[+-]?\.(\d+)$")
# A chunk that loses a race (someone posted one of its keys meanwhile) is retried.
_ATTEMPTS = 3


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
    """
    summary = ImportSummary()
    caches = Caches()
    batch, rejects = [], []

    def flush():
        result = post_rows(batch, caches=caches)
        chunk_rejects = sorted(rejects + result.rejects, key=lambda reject: reject.line)
        result.rejects = chunk_rejects
        summary.add(result)
        batch.clear()
        rejects.clear()
        if on_chunk:
            on_chunk(summary, chunk_rejects)

    for item in read_payroll(stream, today=today):
        summary.rows_read += 1
        if isinstance(item, Reject):
            rejects.append(item)
        else:
            batch.append(item)
        if summary.rows_read % chunk_size == 0:
            flush()
    flush()
    return summary


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
    cardholder_id: int
    employer_id: int | None
    scheme: str
    payer: str
    wage_base: Decimal
    to_pooled: Decimal
    to_personal: Decimal
    pooled_id: int | None
    personal_id: int | None


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
    """What one import run looks up once: employer ids by credit code, rates in force."""

    def __init__(self):
        self.employers = {}
        self.plans = {}
        self.rates = None


def post_rows(rows, *, caches=None, posted_at=None):
    """Post validated PayrollRows (one chunk) set-based. Returns an ImportSummary for them.

    A row posts all its due parts or nothing; rows whose keys all exist are counted as
    already posted. `employer_code=None` posts without an employer (a flexibly
    employed person paying for themselves). `caches` (a `Caches`) carries employers
    and rates from one chunk to the next within a run.
    """
    caches = caches or Caches()
    if not rows:
        return ImportSummary()
    for _attempt in range(_ATTEMPTS):
        try:
            return _post_rows_once(rows, caches, posted_at)
        except _LostRace:
            continue
    raise RuntimeError("payroll chunk kept conflicting with concurrent postings")


class _LostRace(Exception):
    pass


def _post_rows_once(rows, caches, posted_at):
    summary = ImportSummary()
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
    accounts = {}
    for pk, holder, scheme, kind in _lookup(
        lambda batch: Account.objects.filter(cardholder_id__in=batch).values_list(
            "id", "cardholder_id", "scheme", "kind"
        ),
        [value[0] for value in cardholders.values()],
    ):
        accounts[holder, scheme, kind] = pk

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
        postings, missing = [], False
        for scheme, part in plan:
            to_pooled = _amount(row.wage, part.pooled)
            to_personal = _amount(row.wage, part.personal)
            if to_pooled + to_personal == 0:
                continue
            pooled_id = accounts.get((holder_id, scheme, "pooled")) if to_pooled else None
            personal_id = accounts.get((holder_id, scheme, "personal")) if to_personal else None
            if (to_pooled and pooled_id is None) or (to_personal and personal_id is None):
                missing = True
                break
            postings.append(
                _Posting(
                    row,
                    f"contribution:{holder_id}:{scheme}:{row.month:%Y-%m}:{part.payer}",
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
        if missing:
            summary.reject(_reject(row.line, "no_accounts"))
            continue
        postings_by_row.append((row, postings))

    keys = [posting.key for _row, postings in postings_by_row for posting in postings]
    existing = set(
        _lookup(
            lambda batch: LedgerTransaction.objects.filter(idempotency_key__in=batch).values_list(
                "idempotency_key", flat=True
            ),
            keys,
        )
    )
    todo = []
    seen_keys = set(existing)
    for row, postings in postings_by_row:
        fresh = [posting for posting in postings if posting.key not in seen_keys]
        seen_keys.update(posting.key for posting in fresh)
        if fresh:
            todo.append((row, fresh))
        else:
            summary.rows_already_posted += 1
    if not todo:
        return summary

    with transaction.atomic():
        received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED).pk
        account_ids = {received}
        for _row, postings in todo:
            for posting in postings:
                account_ids.update(
                    pk for pk in (posting.pooled_id, posting.personal_id) if pk is not None
                )
        locked = _lock_accounts(account_ids)
        balances = {pk: balance for pk, (balance, _status) in locked.items()}
        closed = {pk for pk, (_balance, status) in locked.items() if status == "closed"}
        if received in closed:
            raise AccountClosed(field="account")
        good = []
        for row, postings in todo:
            if closed and any(
                posting.pooled_id in closed or posting.personal_id in closed for posting in postings
            ):
                summary.reject(_reject(row.line, "account_closed"))
            else:
                good.extend(postings)
                summary.rows_posted += 1
        if not good:
            return summary
        when = posted_at or timezone.now()
        start = dict(balances)
        try:
            if connection.vendor == "postgresql":
                _write_postgresql(good, received, balances, when)
            else:
                _write_portable(good, received, balances, when)
        except IntegrityError:
            raise _LostRace() from None
        _update_balances({pk: balances[pk] for pk in balances if balances[pk] != start[pk]})
        summary.transactions_posted = len(good)
    return summary


def _lock_accounts(account_ids):
    """Lock the accounts in id order (as the ledger service does): {id: (balance, status)}."""
    ids = sorted(account_ids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, balance, status FROM accounts_account WHERE id = ANY(%s) "
                "ORDER BY id FOR UPDATE",
                [ids],
            )
            return {pk: (balance, status) for pk, balance, status in cursor.fetchall()}
    locked = {}
    for batch in _batches(ids, _in_size()):
        for pk, balance, status in (
            Account.objects.select_for_update()
            .filter(id__in=batch)
            .order_by("id")
            .values_list("id", "balance", "status")
        ):
            locked[pk] = (balance, status)
    return locked


def _legs(posting, received):
    total = posting.to_pooled + posting.to_personal
    legs = [(received, -total)]
    if posting.to_pooled:
        legs.append((posting.pooled_id, posting.to_pooled))
    if posting.to_personal:
        legs.append((posting.personal_id, posting.to_personal))
    return legs


def _description(posting):
    return f"{posting.scheme} contribution {posting.row.month:%Y-%m} paid by {posting.payer}"


def _write_portable(postings, received, balances, when):
    txns = LedgerTransaction.objects.bulk_create(
        [
            LedgerTransaction(
                kind=KIND,
                idempotency_key=posting.key,
                reference=f"{posting.row.month:%Y-%m}",
                description=_description(posting),
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


def _copy(cursor, table, columns, lines):
    buffer = io.StringIO("".join(lines))
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _write_postgresql(postings, received, balances, when):
    """COPY the chunk's rows. Transaction ids are drawn from the sequence up front so
    entries and contributions can name them; the transactions go through a staging
    table and `ON CONFLICT DO NOTHING`, and a short count means a race was lost."""
    stamp = when.isoformat()
    count = len(postings)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('accounts_ledgertransaction', 'id')) "
            "FROM generate_series(1, %s)",
            [count],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS import_ledgertransaction "
            "(LIKE accounts_ledgertransaction INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        txn_lines, entry_lines, contribution_lines = [], [], []
        for posting, pk in zip(postings, ids, strict=True):
            month = f"{posting.row.month:%Y-%m}"
            txn_lines.append(
                f"{pk}\t{KIND}\t{posting.key}\t{month}\t{_description(posting)}\t{stamp}\n"
            )
            for account_id, amount in _legs(posting, received):
                balance = balances[account_id] + amount
                balances[account_id] = balance
                entry_lines.append(f"{pk}\t{account_id}\t{amount}\t{balance}\t{KIND}\t{stamp}\n")
            employer = "\\N" if posting.employer_id is None else posting.employer_id
            contribution_lines.append(
                f"{posting.cardholder_id}\t{employer}\t{posting.scheme}\t{month}-01\t"
                f"{posting.payer}\t{posting.row.wage}\t{posting.wage_base}\t{posting.to_pooled}\t"
                f"{posting.to_personal}\t{pk}\t{stamp}\n"
            )
        _copy(
            cursor,
            "import_ledgertransaction",
            ["id", "kind", "idempotency_key", "reference", "description", "posted_at"],
            txn_lines,
        )
        del txn_lines
        cursor.execute(
            "INSERT INTO accounts_ledgertransaction "
            "(id, kind, idempotency_key, reference, description, posted_at) "
            "SELECT id, kind, idempotency_key, reference, description, posted_at "
            "FROM import_ledgertransaction ORDER BY id "
            "ON CONFLICT (idempotency_key) DO NOTHING"
        )
        if cursor.rowcount != count:
            raise IntegrityError("an idempotency key was posted concurrently")
        cursor.execute("TRUNCATE import_ledgertransaction")
        _copy(
            cursor,
            "accounts_ledgerentry",
            ["transaction_id", "account_id", "amount", "balance_after", "kind", "posted_at"],
            entry_lines,
        )
        del entry_lines
        _copy(
            cursor,
            "accounts_contribution",
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
                "transaction_id",
                "created_at",
            ],
            contribution_lines,
        )


def _update_balances(balances):
    """Set every changed balance in one statement (per parameter batch on SQLite)."""
    if not balances:
        return
    if connection.vendor == "postgresql":
        from psycopg2.extras import execute_values

        with connection.cursor() as cursor:
            execute_values(
                cursor.cursor,
                "UPDATE accounts_account AS a SET balance = v.balance "
                "FROM (VALUES %s) AS v(id, balance) WHERE a.id = v.id",
                list(balances.items()),
                template="(%s::bigint, %s::numeric)",
                page_size=10_000,
            )
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
