"""A province-scale synthetic population for benchmarks, and smaller synthetic data for tests.

`generate(cardholders=N, months=M)` creates N insured people (valid ID numbers, a login
each, the seven accounts each), employers, and M months of contributions for every one
of them, plus medical settlements paid from personal medical accounts. The people,
logins and accounts (with zero balances) are written with COPY; every posting goes
through the bulk ledger writer (`accounts.ledger_bulk`), the contributions built by the
payroll import's posting builder on the contribution rules, so the money is posted
exactly as the import and `services.contribution_post` post it, and `ledger_audit`
passes on the result.

Everything happens in one database transaction: either the whole population appears or
nothing does. When the load is larger than what the ledger tables already hold, their
secondary indexes and foreign keys are dropped for the load and rebuilt afterwards (a
sorted build is many times faster than maintaining them row by row); the tables are
locked meanwhile, and the rebuilt unique indexes still refuse any duplicate key.

`generate_deep_account(entries=E)` adds one cardholder whose personal medical account
has about E entries (monthly contributions and many small pharmacy purchases), for
timing the first and the last page of a very long history.

`synthetic_population` and `write_payroll_csv` make small populations and payroll files
for the import's tests (any database).

PostgreSQL only, except the last two.
"""

import csv
import io
import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts import ledger, ledger_bulk, services
from accounts.importing import HEADER, Caches, PayrollRow, contribution_postings
from accounts.models import (
    PERSONAL_SCHEMES,
    Account,
    Cardholder,
    ContributionRate,
    Employer,
    Institution,
    LedgerTransaction,
    Scheme,
    Settlement,
)
from accounts.pii import id_digest
from accounts.validators import generate_credit_code, generate_national_id

SETTLEMENT = LedgerTransaction.Kind.SETTLEMENT
# The seven accounts of a cardholder, in the order their ids are assigned.
ACCOUNT_SLOTS = [(scheme, "pooled") for scheme in Scheme.values] + [
    (scheme, "personal") for scheme in PERSONAL_SCHEMES
]
SLOT = {key: index for index, key in enumerate(ACCOUNT_SLOTS)}
# Pooling regions of the generated people (city codes); rates fall back to national.
REGIONS = ["320100", "320200", "320500", "330100", "370200", "420100", "510100", "610100"]
CARD_PREFIX = "G"  # card numbers G000000001…: how generated people are recognised
INSTITUTION_CODE = "GEN-PHARMACY-1"
# Every generated login shares this password (the hash is computed once).
PASSWORD = "Bench-Pass-2026"  # noqa: S105 - synthetic benchmark data
LEDGER_TABLES = (
    "accounts_ledgertransaction",
    "accounts_ledgerentry",
    "accounts_contribution",
    "accounts_settlement",
)
BLOCK = 10_000  # cardholders per bulk-ledger chunk within a month
PURCHASE = "Pharmacy purchase"


class Table:
    """COPY lines for one model: the columns given per row, then every other column
    filled with its model default (auto_now fields with the load's time)."""

    def __init__(self, model, columns, now):
        self.model = model
        self.table = model._meta.db_table
        self.columns = list(columns)
        rest = []
        for item in model._meta.concrete_fields:
            if item.column in self.columns or item.primary_key:
                continue
            if getattr(item, "auto_now", False) or getattr(item, "auto_now_add", False):
                value = now
            elif item.has_default() or item.null or item.empty_strings_allowed:
                value = item.get_default()
            else:
                raise ValueError(f"{self.table}.{item.column} needs a value")
            rest.append((item.column, ledger_bulk.copy_text(getattr(value, "pk", value))))
        self.all_columns = self.columns + [column for column, _ in rest]
        self.suffix = "".join("\t" + text for _, text in rest) + "\n"

    def copy(self, cursor, lines):
        """`lines` are tab-joined values of `columns`, without the newline."""
        if not lines:
            return
        suffix = self.suffix
        buffer = io.StringIO(suffix.join(lines) + suffix)
        cursor.copy_expert(
            f"COPY {self.table} ({', '.join(self.all_columns)}) FROM STDIN", buffer, size=1 << 20
        )


# The Settlement row written with each purchase.
SETTLEMENTS = ledger_bulk.Records(
    Settlement,
    [
        "institution_id",
        "cardholder_id",
        "amount",
        "description",
        "idempotency_key",
        "request_fingerprint",
    ],
    held=["institution_id"],
    owner="cardholder_id",
)


def yuan(fen):
    """Integer fen → a two-place Decimal."""
    return Decimal(fen).scaleb(-2)


def month_list(count, *, today=None):
    """The `count` months up to and including last month, oldest first."""
    today = today or timezone.localdate()
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(date(year, month, 1))
    return months[::-1]


def _next_month(month):
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def _stamp(month, day, hour=2):
    # Contributions of a month are posted early the next month; purchases mid-month.
    return datetime(month.year, month.month, day, hour, tzinfo=UTC)


def _take_ids(cursor, model, count):
    """`count` consecutive ids of `model` after the highest one; the sequence is moved
    past them."""
    table = model._meta.db_table
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
    first = cursor.fetchone()[0]
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [table, first + count]
    )
    return first


def _purchase(institution, holder_id, card, account_id, payable, amount, settle_key):
    amount = yuan(amount)
    return ledger_bulk.Posting(
        f"settlement:{institution.pk}:{settle_key}",
        SETTLEMENT,
        ((account_id, -amount), (payable, amount)),
        settle_key,
        PURCHASE,
        SETTLEMENTS,
        (
            institution.pk,
            holder_id,
            amount,
            PURCHASE,
            settle_key,
            services.settlement_fingerprint(card, f"{amount}", PURCHASE),
        ),
    )


class _Poster:
    """Posts a load's chunks through one bulk writer and counts what it wrote."""

    def __init__(self, check_keys):
        self.writer = ledger_bulk.BulkWriter(check_keys=check_keys)
        self.rows = {"transactions": 0, "groups": 0}

    def post(self, groups, when):
        if not groups:
            return
        outcome = self.writer.post(groups, posted_at=when)
        if outcome.refused:
            raise RuntimeError(f"generated postings refused: {outcome.refused[:3]}")
        self.rows["transactions"] += outcome.transactions
        self.rows["groups"] += outcome.posted


def _secondary_structures(cursor, tables):
    """(drop statements, create statements) for the foreign keys, unique constraints
    and plain indexes of `tables` (primary keys and check constraints stay)."""
    fks, uniques, indexes = [], [], []
    for table in tables:
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
            [table],
        )
        for name, kind, definition in cursor.fetchall():
            (fks if kind == "f" else uniques).append((table, name, definition))
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
            [table],
        )
        indexes.extend(cursor.fetchall())
    drops = [f'ALTER TABLE {t} DROP CONSTRAINT "{n}"' for t, n, _ in fks + uniques]
    drops += [f'DROP INDEX "{name}"' for name, _ in indexes]
    creates = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in uniques]
    creates += [definition for _, definition in indexes]
    creates += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in fks]
    return drops, creates


def _employers(count, log):
    """`count` generated employers (credit codes 9132…): existing ones are reused."""
    codes = [generate_credit_code(f"91320100G{n:08d}") for n in range(count)]
    Employer.objects.bulk_create(
        [
            Employer(name=f"Generated Employer {n}", credit_code=code, region="320100")
            for n, code in enumerate(codes)
        ],
        ignore_conflicts=True,
        batch_size=5_000,
    )
    by_code = dict(Employer.objects.filter(credit_code__in=codes).values_list("credit_code", "id"))
    return [by_code[code] for code in codes]


def _first_index():
    """The number of the next generated person (after those already generated)."""
    last = (
        Cardholder.objects.filter(card_number__startswith=CARD_PREFIX)
        .order_by("-card_number")
        .values_list("card_number", flat=True)
        .first()
    )
    return int(last[len(CARD_PREFIX) :]) + 1 if last else 1


def _person(n):
    """A unique valid ID number for generated person number `n`."""
    birth = date(1962, 1, 1) + timedelta(days=n % 14_600)
    k = n // 14_600
    gender = "M" if (n * 7919) % 2 else "F"
    sequence = (k % 500) * 2 + (1 if gender == "M" else 0)
    region = REGIONS[(k // 500) % len(REGIONS)]
    return generate_national_id(region, birth, sequence, gender), gender, birth, region


def _institution():
    institution, _ = Institution.objects.get_or_create(
        code=INSTITUTION_CODE,
        defaults={"name": "Generated Pharmacy 1", "kind": Institution.Kind.PHARMACY},
    )
    return institution


@transaction.atomic
def generate(
    *,
    cardholders,
    months,
    employers=None,
    settle_every=10,
    flexible_every=10,
    seed=0,
    rebuild_indexes="auto",
    log=print,
):
    """Create `cardholders` people with `months` months of history. Returns row counts."""
    if connection.vendor != "postgresql":
        raise RuntimeError("generate_population needs PostgreSQL")
    started = time.monotonic()
    rng = random.Random(seed)
    User = get_user_model()
    employer_ids = _employers(employers or max(1, cardholders // 50), log)
    institution = _institution()
    cursor = connection.cursor().cursor  # the psycopg2 cursor, for copy_expert
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    cursor.execute(
        "LOCK TABLE accounts_cardholder, accounts_account, "
        + ", ".join(LEDGER_TABLES)
        + " IN SHARE ROW EXCLUSIVE MODE"
    )
    now = timezone.now()
    month_dates = month_list(months)

    cursor.execute("SELECT COUNT(*) FROM accounts_ledgerentry")
    existing_entries = cursor.fetchone()[0]
    expected_entries = cardholders * len(month_dates) * 14
    rebuild = rebuild_indexes == "yes" or (
        rebuild_indexes == "auto" and expected_entries > existing_entries
    )
    creates = []
    if rebuild:
        drops, creates = _secondary_structures(cursor, LEDGER_TABLES)
        for statement in drops:
            cursor.execute(statement)
        log(f"dropped {len(drops)} indexes/constraints for the load")

    # People, logins and their accounts, all empty.
    first = _first_index()
    holder_base = _take_ids(cursor, Cardholder, cardholders)
    user_base = _take_ids(cursor, User, cardholders)
    account_base = _take_ids(cursor, Account, cardholders * len(ACCOUNT_SLOTS))
    password = make_password(PASSWORD)
    encrypt = Cardholder._meta.get_field("national_id").get_prep_value
    user_table = Table(
        User, ["id", "username", "national_id", "password", "first_name", "is_active"], now
    )
    holder_table = Table(
        Cardholder,
        [
            "id",
            "user_id",
            "name",
            "national_id",
            "national_id_digest",
            "gender",
            "date_of_birth",
            "region",
            "card_number",
            "employment_status",
        ],
        now,
    )
    account_table = Table(
        Account, ["id", "cardholder_id", "scheme", "kind", "balance", "opened_at"], now
    )
    opened = _stamp(month_dates[0], 1, hour=0).isoformat() if month_dates else now.isoformat()
    people = []  # (holder id, first account id, employer id or None, wage, region, card)
    user_lines, holder_lines, account_lines = [], [], []
    for i in range(cardholders):
        n = first + i
        national_id, gender, birth, region = _person(n)
        holder_id, user_id = holder_base + i, user_base + i
        flexible = n % flexible_every == 0
        card = f"{CARD_PREFIX}{n:09d}"
        name = f"Person {n}"
        # COPY bypasses the model fields: encrypt and digest the number here.
        digest = id_digest(national_id)
        user_lines.append(f"{user_id}\t{digest}\t{encrypt(national_id)}\t{password}\t{name}\tt")
        holder_lines.append(
            f"{holder_id}\t{user_id}\t{name}\t{encrypt(national_id)}\t{digest}\t{gender}\t"
            f"{birth}\t{region}\t{card}\t{'flexible' if flexible else 'employed'}"
        )
        first_account = account_base + i * len(ACCOUNT_SLOTS)
        for slot, (scheme, kind) in enumerate(ACCOUNT_SLOTS):
            account_lines.append(
                f"{first_account + slot}\t{holder_id}\t{scheme}\t{kind}\t0.00\t{opened}"
            )
        wage = yuan(rng.randrange(300_000, 4_000_000))
        employer = None if flexible else employer_ids[n % len(employer_ids)]
        people.append((holder_id, first_account, employer, wage, region, card))
    user_table.copy(cursor, user_lines)
    holder_table.copy(cursor, holder_lines)
    account_table.copy(cursor, account_lines)
    del user_lines, holder_lines, account_lines
    log(
        f"{cardholders:,} cardholders, logins and accounts written "
        f"({time.monotonic() - started:.0f}s)"
    )

    poster = _Poster(check_keys=not rebuild)
    caches = Caches()
    received = caches.received_id()
    payable = ledger.system_account(Account.SystemCode.SETTLEMENTS_PAYABLE).pk
    medical = {}  # personal medical balances, in fen, to keep purchases within them
    medical_slot = SLOT["medical", "personal"]
    settle_counter = _settlement_counter()
    for month_number, month in enumerate(month_dates):
        posted = _next_month(month)
        for block in range(0, cardholders, BLOCK):
            groups, purchases = [], []
            for holder_id, first_account, employer, wage, region, card in people[
                block : block + BLOCK
            ]:
                plan = caches.plan(region, month, employer is None)
                accounts = {
                    (holder_id, scheme, kind): first_account + slot
                    for (scheme, kind), slot in SLOT.items()
                }
                row = PayrollRow(0, "", None, month, wage)
                postings = contribution_postings(
                    row, holder_id, employer, plan, accounts, received, caches
                )
                if postings:
                    groups.append(ledger_bulk.Group(holder_id, postings))
                account_id = first_account + medical_slot
                balance = medical.get(account_id, 0) + sum(
                    int(amount * 100)
                    for posting in postings
                    for pk, amount in posting.legs
                    if pk == account_id
                )
                medical[account_id] = balance
                # Some people buy medicine this month, paid from the personal account.
                if settle_every and (holder_id + month_number) % settle_every == 0:
                    amount = min(balance, rng.randrange(1_000, 30_000))
                    if amount > 0:
                        medical[account_id] = balance - amount
                        settle_counter += 1
                        purchases.append(
                            ledger_bulk.Group(
                                holder_id,
                                [
                                    _purchase(
                                        institution,
                                        holder_id,
                                        card,
                                        account_id,
                                        payable,
                                        amount,
                                        f"gen-{settle_counter}",
                                    )
                                ],
                            )
                        )
            poster.post(groups, _stamp(posted, 1))
            poster.post(purchases, _stamp(posted, 1, hour=12))
        log(
            f"month {month:%Y-%m}: {poster.rows['transactions']:,} transactions so far "
            f"({time.monotonic() - started:.0f}s)"
        )

    for statement in creates:
        step = time.monotonic()
        cursor.execute(statement)
        log(f"  {statement[:90]}… {time.monotonic() - step:.0f}s")
    for table in ("accounts_cardholder", "accounts_account", *LEDGER_TABLES, User._meta.db_table):
        cursor.execute(f"ANALYZE {table}")
    counts = {
        "transactions": poster.rows["transactions"],
        "cardholders": cardholders,
        "seconds": round(time.monotonic() - started),
    }
    log(f"done: {counts}")
    return counts


def _settlement_counter():
    """How many generated purchases exist, so new keys follow them."""
    return Settlement.objects.filter(idempotency_key__startswith="gen-").count()


@transaction.atomic
def generate_deep_account(*, entries, log=print):
    """One more cardholder whose personal medical account holds about `entries` entries:
    a contribution at the wage ceiling every month (for as long as rates are in force,
    up to 40 years) and, between them, many tiny pharmacy purchases that never take
    the balance below zero. Returns the cardholder."""
    if connection.vendor != "postgresql":
        raise RuntimeError("generate_deep_account needs PostgreSQL")
    started = time.monotonic()
    User = get_user_model()
    institution = _institution()
    n = _first_index()
    national_id, gender, birth, region = _person(n)
    user = User.objects.create(
        username=id_digest(national_id), national_id=national_id, password=make_password(PASSWORD)
    )
    holder = Cardholder.objects.create(
        user=user,
        name=f"Person {n} (long history)",
        national_id=national_id,
        gender=gender,
        date_of_birth=birth,
        region=region,
        card_number=f"{CARD_PREFIX}{n:09d}",
        employment_status=Cardholder.EmploymentStatus.FLEXIBLE,
    )
    services.cardholder_open_accounts(holder)
    accounts = {(holder.pk, a.scheme, a.kind): a.pk for a in holder.accounts.all()}
    cursor = connection.cursor().cursor
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("LOCK TABLE " + ", ".join(LEDGER_TABLES) + " IN SHARE ROW EXCLUSIVE MODE")
    poster = _Poster(check_keys=True)
    caches = Caches()
    received = caches.received_id()
    payable = ledger.system_account(Account.SystemCode.SETTLEMENTS_PAYABLE).pk
    # Every month since the earliest rate in force: 40 years where the rates go back so far.
    earliest = ContributionRate.objects.order_by("effective_from").values_list(
        "effective_from", flat=True
    )[0]
    month_dates = [month for month in month_list(480) if month >= earliest]
    per_month = max(0, entries - len(month_dates)) // len(month_dates)
    wage = Decimal("35000.00")
    personal = accounts[holder.pk, Scheme.MEDICAL, "personal"]
    balance = 0  # fen
    settle_counter = 0
    for month in month_dates:
        plan = [part for part in caches.plan(region, month, True) if part.scheme == Scheme.MEDICAL]
        row = PayrollRow(0, national_id, None, month, wage)
        postings = contribution_postings(row, holder.pk, None, plan, accounts, received, caches)
        balance += sum(
            int(amount * 100) for p in postings for pk, amount in p.legs if pk == personal
        )
        purchase_day = _next_month(month)
        poster.post([ledger_bulk.Group(month, postings)], _stamp(purchase_day, 1))
        purchases = []
        for k in range(per_month):
            amount = 1 + (k % 9)  # 0.01 … 0.09 yuan: less than a month's credit in all
            if balance < amount:
                break
            balance -= amount
            settle_counter += 1
            purchases.append(
                ledger_bulk.Group(
                    k,
                    [
                        _purchase(
                            institution,
                            holder.pk,
                            holder.card_number,
                            personal,
                            payable,
                            amount,
                            f"deep-{holder.pk}-{settle_counter}",
                        )
                    ],
                )
            )
        poster.post(purchases, _stamp(purchase_day, 1, hour=3))
    cursor.execute("ANALYZE accounts_ledgerentry")
    log(
        f"deep account {personal} of cardholder {holder.pk} ({national_id}): "
        f"{poster.rows['transactions']:,} transactions written in "
        f"{time.monotonic() - started:.0f}s"
    )
    return holder


# ---------------------------------------------------------------------------
# Small synthetic data for the import's tests (any database)
# ---------------------------------------------------------------------------


def synthetic_population(count, *, employers=20, flexible_every=10, region="000000", seed=0):
    """Create `count` cardholders with their accounts, and `employers` employers, in bulk.

    ID numbers are valid and unique (region 110105, births spread over 1960-1999);
    every `flexible_every`-th person is flexibly employed. Returns nothing; read the
    people back from the database (see `write_payroll_csv`).
    """
    rng = random.Random(seed)
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
    rng = random.Random(seed)
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
