"""A province-scale synthetic population for benchmarks, written with COPY.

`generate(cardholders=N, months=M)` creates N insured people (valid ID numbers, a login
each, the seven accounts each), employers, and M months of contributions for every one
of them posted by the rules of `services.contribution_post` — the same rates in force
(read from the rates table), wage clamping, half-up rounding, split between pooled and
personal accounts, idempotency keys and Contribution rows — plus medical settlements
paid from personal medical accounts as `services.settlement_create` posts them. Every
entry carries its running `balance_after`, and every materialised balance equals the
sum of its entries, so `ledger_audit` passes on the result.

The amounts are computed in Python in integer fen and streamed to PostgreSQL with COPY,
in one database transaction: either the whole population appears or nothing does.
When the load is larger than what the ledger tables already hold, their secondary
indexes and foreign keys are dropped for the load and rebuilt afterwards (a sorted
build is many times faster than maintaining them row by row).

`generate_deep_account(entries=E)` adds one cardholder whose personal medical account
has about E entries (monthly contributions and many small pharmacy purchases), for
timing the first and the last page of a very long history.

PostgreSQL only.
"""

import io
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts import ledger, services
from accounts.models import (
    PERSONAL_SCHEMES,
    Account,
    Cardholder,
    Contribution,
    ContributionRate,
    Employer,
    Institution,
    LedgerEntry,
    LedgerTransaction,
    Scheme,
    Settlement,
)
from accounts.pii import id_digest
from accounts.validators import generate_credit_code, generate_national_id

Payer = ContributionRate.Payer
CONTRIBUTION = LedgerTransaction.Kind.CONTRIBUTION
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
BLOCK = 20_000  # cardholders per COPY batch within a month


def fen(value):
    """Integer fen → the decimal text COPY expects ('-12.05')."""
    if value < 0:
        return f"-{-value // 100}.{-value % 100:02d}"
    return f"{value // 100}.{value % 100:02d}"


def _escape(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _text(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return _escape(str(value))


class Table:
    """COPY lines for one model: the columns given per row, then every other column
    filled with its model default (auto_now fields with the load's time)."""

    def __init__(self, model, columns, now):
        self.model = model
        self.table = model._meta.db_table
        self.columns = list(columns)
        rest = []
        for field in model._meta.concrete_fields:
            if field.column in self.columns:
                continue
            if field.primary_key:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            elif field.has_default() or field.null or field.empty_strings_allowed:
                value = field.get_default()
            else:
                raise ValueError(f"{self.table}.{field.column} needs a value")
            if hasattr(value, "pk"):
                value = value.pk
            rest.append((field.column, _text(value)))
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


@dataclass(frozen=True)
class Part:
    """What one payer pays for one scheme: rate rows as (rate in 1/10000, floor, ceiling)
    in fen, by destination."""

    scheme: str
    payer: str
    pooled: tuple
    personal: tuple
    floor: int
    ceiling: int


def _to_fen(value):
    return int(value * 100)


def _plan(region, month, flexible):
    payers = [Payer.FLEXIBLE] if flexible else [Payer.EMPLOYER, Payer.EMPLOYEE]
    parts = []
    for scheme in Scheme.values:
        rows = services.rates_in_force(region, scheme, month, payers)
        for payer in payers:
            mine = [row for row in rows if row.payer == payer]
            if not mine:
                continue

            def rates(destination, mine=mine):
                return tuple(
                    (
                        int(row.rate * 10_000),
                        _to_fen(row.wage_base_floor),
                        _to_fen(row.wage_base_ceiling),
                    )
                    for row in mine
                    if row.destination == destination
                )

            parts.append(
                Part(
                    scheme,
                    payer,
                    rates("pooled"),
                    rates("personal"),
                    _to_fen(mine[0].wage_base_floor),
                    _to_fen(mine[0].wage_base_ceiling),
                )
            )
    return tuple(parts)


def _amount(wage, rows):
    # Half-up rounding of clamp(wage) × rate to the fen, as services.part does.
    return sum((min(max(wage, lo), hi) * rate + 5_000) // 10_000 for rate, lo, hi in rows)


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


class Loader:
    """Ids, running balances and COPY writers for one load, inside one transaction."""

    def __init__(self, cursor, log):
        self.cursor = cursor
        self.log = log
        self.now = timezone.now()
        self.next_id = {}
        for model in (
            Cardholder,
            Account,
            LedgerTransaction,
            LedgerEntry,
            Contribution,
            Settlement,
            get_user_model(),
        ):
            table = model._meta.db_table
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
            self.next_id[table] = cursor.fetchone()[0]
        self.received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED)
        self.payable = ledger.system_account(Account.SystemCode.SETTLEMENTS_PAYABLE)
        # Running balances in fen of every account this load touches.
        self.balance = {
            self.received.pk: _to_fen(self.received.balance),
            self.payable.pk: _to_fen(self.payable.balance),
        }
        self.txn = Table(
            LedgerTransaction,
            ["id", "kind", "idempotency_key", "reference", "description", "posted_at"],
            self.now,
        )
        self.entry = Table(
            LedgerEntry,
            ["id", "transaction_id", "account_id", "amount", "balance_after", "kind", "posted_at"],
            self.now,
        )
        self.contribution = Table(
            Contribution,
            [
                "id",
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
            ],
            self.now,
        )
        self.settlement = Table(
            Settlement,
            [
                "id",
                "institution_id",
                "cardholder_id",
                "amount",
                "description",
                "idempotency_key",
                "request_fingerprint",
                "transaction_id",
            ],
            self.now,
        )
        self.rows = {"transactions": 0, "entries": 0, "contributions": 0, "settlements": 0}
        self._reset()

    def _reset(self):
        self.txn_lines, self.entry_lines = [], []
        self.contribution_lines, self.settlement_lines = [], []

    def take_ids(self, model, count):
        table = model._meta.db_table
        first = self.next_id[table]
        self.next_id[table] = first + count
        return first

    def post(self, kind, key, reference, description, stamp, legs):
        """One balanced transaction: legs are (account_id, fen); returns its id."""
        txn_id = self.next_id["accounts_ledgertransaction"]
        self.next_id["accounts_ledgertransaction"] = txn_id + 1
        self.txn_lines.append(f"{txn_id}\t{kind}\t{key}\t{reference}\t{description}\t{stamp}")
        entry_id = self.next_id["accounts_ledgerentry"]
        balance = self.balance
        lines = self.entry_lines
        for account_id, amount in legs:
            after = balance[account_id] + amount
            balance[account_id] = after
            lines.append(
                f"{entry_id}\t{txn_id}\t{account_id}\t{fen(amount)}\t{fen(after)}\t{kind}\t{stamp}"
            )
            entry_id += 1
        self.next_id["accounts_ledgerentry"] = entry_id
        return txn_id

    def flush(self):
        cursor = self.cursor
        self.rows["transactions"] += len(self.txn_lines)
        self.rows["entries"] += len(self.entry_lines)
        self.rows["contributions"] += len(self.contribution_lines)
        self.rows["settlements"] += len(self.settlement_lines)
        self.txn.copy(cursor, self.txn_lines)
        self.entry.copy(cursor, self.entry_lines)
        self.contribution.copy(cursor, self.contribution_lines)
        self.settlement.copy(cursor, self.settlement_lines)
        self._reset()

    def finish(self, accounts_table, account_lines):
        """Write the holder accounts with their final balances, move the system
        accounts' balances, and advance every id sequence past what was written."""
        accounts_table.copy(self.cursor, account_lines)
        for pk in (self.received.pk, self.payable.pk):
            Account.objects.filter(pk=pk).update(balance=fen(self.balance[pk]))
        for table, next_id in self.next_id.items():
            # is_called false: the next id handed out is next_id itself (1 on an empty table).
            self.cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [table, next_id]
            )


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


def _stamp(month, day, hour=2):
    # Contributions of a month are posted early the next month; purchases mid-month.
    return datetime(month.year, month.month, day, hour, tzinfo=UTC).isoformat()


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
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    User = get_user_model()
    employer_ids = _employers(employers or max(1, cardholders // 50), log)
    institution, _ = Institution.objects.get_or_create(
        code=INSTITUTION_CODE,
        defaults={"name": "Generated Pharmacy 1", "kind": Institution.Kind.PHARMACY},
    )
    cursor = connection.cursor().cursor  # the psycopg2 cursor, for copy_expert
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    cursor.execute(
        "LOCK TABLE accounts_cardholder, accounts_account, "
        + ", ".join(LEDGER_TABLES)
        + " IN SHARE ROW EXCLUSIVE MODE"
    )
    loader = Loader(cursor, log)
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

    # People, logins, accounts (accounts written last, with their final balances).
    first = _first_index()
    holder_base = loader.take_ids(Cardholder, cardholders)
    user_base = loader.take_ids(User, cardholders)
    account_base = loader.take_ids(Account, cardholders * len(ACCOUNT_SLOTS))
    password = make_password(PASSWORD)
    encrypt = Cardholder._meta.get_field("national_id").get_prep_value
    user_table = Table(
        User, ["id", "username", "national_id", "password", "first_name", "is_active"], loader.now
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
        loader.now,
    )
    account_table = Table(
        Account, ["id", "cardholder_id", "scheme", "kind", "balance", "opened_at"], loader.now
    )
    people = []  # (holder id, first account id, employer id or None, wage fen, region, card)
    user_lines, holder_lines = [], []
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
        wage = rng.randrange(300_000, 4_000_000)
        employer = None if flexible else employer_ids[n % len(employer_ids)]
        people.append((holder_id, account_base + i * 7, employer, wage, region, card))
    user_table.copy(cursor, user_lines)
    holder_table.copy(cursor, holder_lines)
    del user_lines, holder_lines
    for _holder_id, first_account, *_ in people:
        for slot in range(len(ACCOUNT_SLOTS)):
            loader.balance[first_account + slot] = 0
    log(f"{cardholders:,} cardholders and logins written ({time.monotonic() - started:.0f}s)")

    plans = {}
    medical_personal = SLOT["medical", "personal"]
    received = loader.received.pk
    payable = loader.payable.pk
    settle_counter = loader.next_id["accounts_settlement"]
    for month_number, month in enumerate(month_dates):
        reference = f"{month:%Y-%m}"
        posted = _next_month(month)
        contribution_stamp = _stamp(posted, 1)
        purchase_stamp = _stamp(posted, 1, hour=12)
        for block in range(0, cardholders, BLOCK):
            for holder_id, first_account, employer, wage, region, card in people[
                block : block + BLOCK
            ]:
                flexible = employer is None
                key = (region, month, flexible)
                plan = plans.get(key)
                if plan is None:
                    plan = plans[key] = _plan(region, month, flexible)
                employer_text = "\\N" if employer is None else employer
                wage_text = fen(wage)
                for part in plan:
                    to_pooled = _amount(wage, part.pooled)
                    to_personal = _amount(wage, part.personal)
                    total = to_pooled + to_personal
                    if not total:
                        continue
                    legs = [(received, -total)]
                    if to_pooled:
                        legs.append((first_account + SLOT[part.scheme, "pooled"], to_pooled))
                    if to_personal:
                        legs.append((first_account + SLOT[part.scheme, "personal"], to_personal))
                    txn_id = loader.post(
                        CONTRIBUTION,
                        f"contribution:{holder_id}:{part.scheme}:{reference}:{part.payer}",
                        reference,
                        f"{part.scheme} contribution {reference} paid by {part.payer}",
                        contribution_stamp,
                        legs,
                    )
                    contribution_id = loader.next_id["accounts_contribution"]
                    loader.next_id["accounts_contribution"] = contribution_id + 1
                    loader.contribution_lines.append(
                        f"{contribution_id}\t{holder_id}\t{employer_text}\t{part.scheme}\t"
                        f"{month}\t{part.payer}\t{wage_text}\t"
                        f"{fen(min(max(wage, part.floor), part.ceiling))}\t"
                        f"{fen(to_pooled)}\t{fen(to_personal)}\t{txn_id}"
                    )
                # Some people buy medicine this month, paid from the personal account.
                if settle_every and (holder_id + month_number) % settle_every == 0:
                    account_id = first_account + medical_personal
                    amount = min(loader.balance[account_id], rng.randrange(1_000, 30_000))
                    if amount > 0:
                        settle_key = f"gen-{settle_counter}"
                        description = "Pharmacy purchase"
                        amount_text = fen(amount)
                        fingerprint = services.settlement_fingerprint(
                            card, amount_text, description
                        )
                        txn_id = loader.post(
                            SETTLEMENT,
                            f"settlement:{institution.pk}:{settle_key}",
                            settle_key,
                            description,
                            purchase_stamp,
                            [(account_id, -amount), (payable, amount)],
                        )
                        settlement_id = loader.next_id["accounts_settlement"]
                        loader.next_id["accounts_settlement"] = settlement_id + 1
                        settle_counter += 1
                        loader.settlement_lines.append(
                            f"{settlement_id}\t{institution.pk}\t{holder_id}\t{amount_text}\t"
                            f"{description}\t{settle_key}\t{fingerprint}\t{txn_id}"
                        )
            loader.flush()
        log(
            f"month {reference}: {loader.rows['entries']:,} entries so far "
            f"({time.monotonic() - started:.0f}s)"
        )

    opened = _stamp(month_dates[0], 1, hour=0) if month_dates else loader.now.isoformat()
    account_lines = []
    for holder_id, first_account, *_ in people:
        for slot, (scheme, kind) in enumerate(ACCOUNT_SLOTS):
            pk = first_account + slot
            account_lines.append(
                f"{pk}\t{holder_id}\t{scheme}\t{kind}\t{fen(loader.balance[pk])}\t{opened}"
            )
    loader.finish(account_table, account_lines)
    del account_lines
    log(f"accounts written ({time.monotonic() - started:.0f}s)")

    for statement in creates:
        step = time.monotonic()
        cursor.execute(statement)
        log(f"  {statement[:90]}… {time.monotonic() - step:.0f}s")
    for table in ("accounts_cardholder", "accounts_account", *LEDGER_TABLES, User._meta.db_table):
        cursor.execute(f"ANALYZE {table}")
    counts = dict(loader.rows, cardholders=cardholders, seconds=round(time.monotonic() - started))
    log(f"done: {counts}")
    return counts


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
    institution, _ = Institution.objects.get_or_create(
        code=INSTITUTION_CODE,
        defaults={"name": "Generated Pharmacy 1", "kind": Institution.Kind.PHARMACY},
    )
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
    accounts = {(a.scheme, a.kind): a.pk for a in holder.accounts.all()}
    cursor = connection.cursor().cursor
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("LOCK TABLE " + ", ".join(LEDGER_TABLES) + " IN SHARE ROW EXCLUSIVE MODE")
    loader = Loader(cursor, log)
    for pk in accounts.values():
        loader.balance[pk] = 0
    # Every month since the earliest rate in force: 40 years where the rates go back so far.
    earliest = ContributionRate.objects.order_by("effective_from").values_list(
        "effective_from", flat=True
    )[0]
    month_dates = [month for month in month_list(480) if month >= earliest]
    per_month = max(0, entries - len(month_dates)) // len(month_dates)
    wage = 3_500_000
    personal = accounts["medical", "personal"]
    received, payable = loader.received.pk, loader.payable.pk
    settle_counter = 0
    for month in month_dates:
        reference = f"{month:%Y-%m}"
        plan = _plan(region, month, True)
        stamp = _stamp(_next_month(month), 1)
        for part in plan:
            if part.scheme != Scheme.MEDICAL:
                continue
            to_pooled, to_personal = _amount(wage, part.pooled), _amount(wage, part.personal)
            legs = [(received, -(to_pooled + to_personal))]
            legs += [(accounts[part.scheme, "pooled"], to_pooled)] if to_pooled else []
            legs += [(accounts[part.scheme, "personal"], to_personal)] if to_personal else []
            txn_id = loader.post(
                CONTRIBUTION,
                f"contribution:{holder.pk}:{part.scheme}:{reference}:{part.payer}",
                reference,
                f"{part.scheme} contribution {reference} paid by {part.payer}",
                stamp,
                legs,
            )
            contribution_id = loader.take_ids(Contribution, 1)
            loader.contribution_lines.append(
                f"{contribution_id}\t{holder.pk}\t\\N\t{part.scheme}\t{month}\t{part.payer}\t"
                f"{fen(wage)}\t{fen(min(max(wage, part.floor), part.ceiling))}\t"
                f"{fen(to_pooled)}\t{fen(to_personal)}\t{txn_id}"
            )
        purchase_day = _next_month(month)
        for k in range(per_month):
            amount = 1 + (k % 9)  # 0.01 … 0.09 yuan: less than a month's credit in all
            if loader.balance[personal] < amount:
                break
            settle_counter += 1
            settle_key = f"deep-{holder.pk}-{settle_counter}"
            amount_text = fen(amount)
            seconds = 3600 * 3 + k
            stamp_k = (
                datetime(purchase_day.year, purchase_day.month, 1, tzinfo=UTC)
                + timedelta(seconds=seconds)
            ).isoformat()
            txn_id = loader.post(
                SETTLEMENT,
                f"settlement:{institution.pk}:{settle_key}",
                settle_key,
                "Pharmacy purchase",
                stamp_k,
                [(personal, -amount), (payable, amount)],
            )
            settlement_id = loader.take_ids(Settlement, 1)
            fingerprint = services.settlement_fingerprint(
                holder.card_number, amount_text, "Pharmacy purchase"
            )
            loader.settlement_lines.append(
                f"{settlement_id}\t{institution.pk}\t{holder.pk}\t{amount_text}\t"
                f"Pharmacy purchase\t{settle_key}\t"
                f"{fingerprint}\t{txn_id}"
            )
        if len(loader.entry_lines) > 400_000:
            loader.flush()
    loader.flush()
    for (_scheme, _kind), pk in accounts.items():
        Account.objects.filter(pk=pk).update(balance=fen(loader.balance[pk]))
    loader.finish(Table(Account, ["id"], loader.now), [])
    cursor.execute("ANALYZE accounts_ledgerentry")
    log(
        f"deep account {personal} of cardholder {holder.pk} ({national_id}): "
        f"{loader.rows['entries']:,} entries written in {time.monotonic() - started:.0f}s"
    )
    return holder
