"""Many postings at once, with the guarantees of `ledger.post`.

`ledger.post` writes one transaction; this module writes thousands per database
transaction for the jobs that move money in bulk (the payroll import, the benchmark
population, interest and payment runs). The invariants are the same:

- every posting's legs sum to zero and touch at least two accounts;
- the balances move with their entries, in the same database transaction, and every
  entry carries its account's running `balance_after`;
- an idempotency key is posted once: keys already posted are skipped, and a key posted
  concurrently makes the chunk lose the race cleanly (the unique index refuses it) and
  retry without it;
- a closed account takes nothing, a frozen one gives nothing, a holder account never
  goes below zero, an account that does not exist takes nothing: such a posting is
  refused with a stable code, with the rest of its group, and reported (`Outcome`);
- the accounts are locked in id order, as `post` locks them.

Postings come in groups (`Group`): a group posts all its postings that are not posted
yet, or none (one payroll row is one group of up to eight postings). A posting may carry
one row of a table written with it (`Records`: a Contribution per contribution, a
Settlement per purchase), in the same transaction, naming the ledger transaction.

Speed, on PostgreSQL:

- the ledger rows are written with COPY, transaction ids drawn from the sequence first;
- `prepare` runs without locks and may run on another connection while the previous
  chunk is written (`BulkWriter.stream` does that in a thread): it drops what is posted
  already and drafts the chunk's COPY text on the balances its accounts are expected to
  have. `write` then moves every balance with one guarded UPDATE (where each account is
  still open and holds what the draft expected; system accounts, which every row touches,
  by their change) and copies the draft. If any account is not as expected, the
  transaction is rolled back and the chunk written the careful way: accounts locked
  FOR UPDATE in id order, each group checked, the text written from the locked balances;
- each chunk's transaction commits asynchronously (a crash loses at most the last
  chunks, which re-running the job redoes: every posting has its idempotency key);
- the per-row foreign-key triggers are skipped for the COPYs where the role may: every
  reference is held another way inside the transaction (see `_foreign_key_checks_skipped`).

On SQLite (the embedded default) the same rules run with bulk_create and bulk_update.

A payment run's range may go the set-based way instead (`post_rows`, PostgreSQL): the
run stages one row per payment (one COPY into a temporary table, described by a
`Shape` of `Template`s) and the server draws the ids and writes the transactions, their
records and the entries with one INSERT … SELECT each, every balance moving with one
UPDATE … FROM in account id order, guarded as above (each account open, a holder
account never below zero at any entry). Anything not as the rows expect — an account
not open or short, a row a record names gone, a key posted already — rolls the range
back and writes it the row path's way, which refuses and reports per group; both paths
write the same transactions from the same rows (`Shape.groups`).
"""

import gc
import io
import queue
import threading
from collections import defaultdict, deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import IntegrityError, connection, connections, reset_queries, transaction
from django.utils import timezone

from accounts.exceptions import UnbalancedTransaction
from accounts.models import Account, LedgerEntry, LedgerTransaction

ZERO = Decimal("0.00")
OPEN, FROZEN, CLOSED = Account.Status.OPEN, Account.Status.FROZEN, Account.Status.CLOSED
SYSTEM = Account.Kind.SYSTEM
# Refusal codes, per group.
NO_ACCOUNT = "no_accounts"
ACCOUNT_CLOSED = "account_closed"
ACCOUNT_FROZEN = "account_frozen"
INSUFFICIENT_BALANCE = "insufficient_balance"
# A chunk that loses a race (someone posted one of its keys meanwhile) is retried.
ATTEMPTS = 3

TRANSACTION_COLUMNS = ["id", "kind", "idempotency_key", "reference", "description", "posted_at"]
ENTRY_COLUMNS = ["transaction_id", "account_id", "amount", "balance_after", "kind", "posted_at"]


def copy_text(value):
    """A value as COPY's text format writes it."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


class Records:
    """One table whose rows are written with the postings, one per posting, naming the
    posting's transaction in `transaction_id`.

    `fields` are the attribute names a posting's `record` gives values for, in order.
    `held` names foreign-key fields whose rows the writer holds FOR KEY SHARE until
    commit (as a foreign-key check would), refusing a group whose row is gone with the
    code `unknown_<name>`; `owner` names the cardholder field, which must be the
    cardholder of an account the posting moves (held by that account's lock). Every
    other column gets its model default; auto_now fields get the posting time.
    `text(values)` may give the COPY text of the values (tab-joined) faster than the
    generic `copy_text`.
    """

    def __init__(self, model, fields, *, held=(), owner=None, text=None):
        self.model = model
        self.table = model._meta.db_table
        self.fields = tuple(fields)
        meta = model._meta
        self.held = {name: meta.get_field(name).related_model for name in held}
        self.held_index = {name: self.fields.index(name) for name in held}
        self.owner_index = self.fields.index(owner) if owner else None
        self.text = text or (lambda values: "\t".join(map(copy_text, values)))
        self.columns = [meta.get_field(name).column for name in self.fields]
        self._rest = [
            item
            for item in meta.concrete_fields
            if not item.primary_key
            and item.column not in self.columns
            and item.column != "transaction_id"
        ]
        self.columns += ["transaction_id"] + [item.column for item in self._rest]

    def suffix(self, stamp):
        """The COPY text after the transaction id: every other column's value."""
        parts = []
        for item in self._rest:
            if getattr(item, "auto_now", False) or getattr(item, "auto_now_add", False):
                parts.append(stamp)
            else:
                value = item.get_default()
                parts.append(copy_text(getattr(value, "pk", value)))
        return "".join("\t" + part for part in parts) + "\n"

    def instance(self, values, transaction_id, when):
        fields = dict(zip(self.fields, values, strict=True))
        for item in self._rest:
            if getattr(item, "auto_now", False) or getattr(item, "auto_now_add", False):
                fields[item.attname] = when
        return self.model(**fields, transaction_id=transaction_id)


@dataclass(slots=True)
class Posting:
    """One ledger transaction to write: its legs are (account id, signed two-place
    Decimal), summing to zero; `record` the values of its `records` row, if any."""

    key: str
    kind: str
    legs: tuple
    reference: str = ""
    description: str = ""
    records: Records | None = None
    record: tuple | None = None
    txn_id: int | None = None  # drawn ahead on PostgreSQL


@dataclass(slots=True)
class Group:
    """Postings that post together or not at all; `tag` is the caller's (a line number)."""

    tag: object
    postings: list


@dataclass
class Outcome:
    """What a chunk did: groups posted, groups whose postings were all posted before,
    transactions written, and the refused groups as (tag, code)."""

    posted: int = 0
    already_posted: int = 0
    transactions: int = 0
    refused: list = field(default_factory=list)
    # The posted groups' tags, when the caller asked for them.
    posted_tags: list | None = None


class AccountState(NamedTuple):
    """What the writer needs of an account: as read, unlocked. (A named tuple: one is
    made per account per chunk, at half the cost of a frozen dataclass.)"""

    balance: Decimal
    status: str
    kind: str
    cardholder_id: int | None


def holder_accounts(cardholder_ids):
    """These cardholders' accounts: ({(cardholder id, scheme, kind): account id},
    {account id: AccountState}), read without locks; pass the second to `prepare`."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, cardholder_id, scheme, kind, balance, status FROM accounts_account "
                "WHERE cardholder_id = ANY(%s)",
                [list(cardholder_ids)],
            )
            rows = cursor.fetchall()
    else:
        rows = lookup(
            lambda batch: Account.objects.filter(cardholder_id__in=batch).values_list(
                "id", "cardholder_id", "scheme", "kind", "balance", "status"
            ),
            cardholder_ids,
        )
    index, states = {}, {}
    for pk, holder, scheme, kind, balance, status in rows:
        index[holder, scheme, kind] = pk
        states[pk] = AccountState(balance, status, kind, holder)
    return index, states


def _read_accounts(ids):
    rows = lookup(
        lambda batch: Account.objects.filter(id__in=batch).values_list(
            "id", "balance", "status", "kind", "cardholder_id"
        ),
        ids,
    )
    return {
        pk: AccountState(balance, status, kind, holder)
        for pk, balance, status, kind, holder in rows
    }


def _batches(values, size):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _in_size():
    # SQLite caps the number of bound parameters; PostgreSQL takes one big IN list.
    return 50_000 if connection.vendor == "postgresql" else 900


def lookup(queryset_for, values):
    """Run `queryset_for(batch)` over `values` in parameter-sized batches; chain the rows."""
    for batch in _batches(values, _in_size()):
        yield from queryset_for(batch)


@dataclass
class Prepared:
    """A chunk ready for its transaction: the groups still to post, the outcome so far
    (groups already posted) and, on PostgreSQL, its COPY text drafted ahead."""

    outcome: Outcome
    todo: list
    when: object
    draft: "_Draft | None" = None


@dataclass
class _Draft:
    """A chunk's COPY text written before its transaction, on the balances its accounts
    are expected to have. `entries` holds text and, for every leg on a system account
    (whose running balance only the writer knows), (account id, amount)."""

    postings: list
    accounts: int  # how many accounts the guarded UPDATE must find
    moves: tuple  # ids, expected balances before and after (NULL: by change), as array texts
    transactions: bytes
    records: dict  # Records → bytes
    entries: list


class _LostRace(Exception):
    pass


class _NotAsDrafted(Exception):
    pass


class BulkWriter:
    """Writes chunks of postings, one database transaction per chunk.

    One writer per job run: it carries from chunk to chunk the balances the last chunk
    drafted is expected to leave. `check_keys=False` skips the look-up of posted keys;
    only for a job that holds the ledger tables locked and writes keys that cannot
    exist yet (the unique index, or its rebuild, still refuses a duplicate).
    """

    # Chunks that may be drafted but not yet committed when the next is drafted.
    in_flight = 1

    def __init__(self, *, check_keys=True, keep_tags=False):
        self.check_keys = check_keys
        self.keep_tags = keep_tags
        self.expected = deque(maxlen=self.in_flight)

    # -- one chunk ---------------------------------------------------------------

    def post(self, groups, *, posted_at=None, accounts=None):
        """Prepare and write one chunk; returns its Outcome."""
        return self.write(self.prepare(groups, posted_at=posted_at, accounts=accounts))

    def prepare(self, groups, *, posted_at=None, accounts=None):
        """Everything the chunk's transaction needs, read without locks: which postings
        are posted already and, on PostgreSQL, the chunk's COPY text. `accounts` are
        AccountStates the caller read already (`holder_accounts`)."""
        outcome = Outcome(posted_tags=[] if self.keep_tags else None)
        todo = self._unposted(groups, outcome)
        when = posted_at or timezone.now()
        draft = None
        if todo and connection.vendor == "postgresql":
            draft = self._draft(todo, accounts or {}, when)
        return Prepared(outcome, todo, when, draft)

    def write(self, prepared):
        """Write a prepared chunk in one transaction: as drafted if the draft still
        holds, else from the locked balances. A chunk that loses a race drops what is
        now posted and tries again."""
        outcome, todo, draft = prepared.outcome, prepared.todo, prepared.draft
        races = 0
        while todo:
            try:
                if draft is not None:
                    self._write_drafted(todo, draft, outcome)
                else:
                    self._write_locked(todo, prepared.when, outcome)
            except _NotAsDrafted:
                draft = None
                continue
            except _LostRace:
                races += 1
                if races == ATTEMPTS:
                    raise RuntimeError(
                        "a bulk posting kept conflicting with concurrent postings"
                    ) from None
                todo, draft = self._unposted(todo, outcome), None
                continue
            break
        return outcome

    # -- many chunks, the next prepared while one is written ------------------------

    def stream(self, chunks, build):
        """For each chunk, `build(chunk)` returns (context, groups, posted_at, accounts:
        AccountStates already read, or None); yields
        (context, Outcome) after each chunk's transaction.

        On PostgreSQL, outside an open transaction, a thread with its own connection
        builds and prepares the next chunk while this one is written: psycopg2 lets go
        of the GIL while it waits for the server, so the caller's parsing and look-ups
        and the drafting overlap the server's writing. At most two chunks are held.
        Inside an open transaction (a caller's atomic block, a test) another connection
        would not see its rows, so the chunks take turns on this connection.
        """

        def prepare(chunk):
            context, groups, posted_at, accounts = build(chunk)
            return context, self.prepare(groups, posted_at=posted_at, accounts=accounts)

        with _fewer_collections():
            for context, prepared in _ahead(chunks, prepare):
                yield context, self.write(prepared)

    # -- preparing ---------------------------------------------------------------------

    def _unposted(self, groups, outcome):
        """Drop the postings whose keys are posted (or repeated within the chunk); a group
        left with none counts as already posted."""
        keys = [posting.key for group in groups for posting in group.postings]
        seen = _posted_keys(keys) if self.check_keys else set()
        if not seen and len(set(keys)) == len(keys):
            # Nothing posted and no key repeated (a first run): every group as it is.
            empty = sum(1 for group in groups if not group.postings)
            outcome.already_posted += empty
            return [group for group in groups if group.postings] if empty else list(groups)
        todo = []
        for group in groups:
            fresh = []
            for posting in group.postings:
                if posting.key in seen:
                    continue
                seen.add(posting.key)
                fresh.append(posting)
            if fresh:
                todo.append(Group(group.tag, fresh))
            else:
                outcome.already_posted += 1
        return todo

    def _draft(self, todo, known, when):
        """Draw the chunk's transaction ids and write its COPY text on expected balances:
        the ones the chunk drafted before it will leave, else the ones read. None when a
        group would be refused on those balances (the careful way then decides)."""
        postings = [posting for group in todo for posting in group.postings]
        ids = {account_id for posting in postings for account_id, _amount in posting.legs}
        missing = ids - known.keys()
        states = dict(known) if not missing else {**known, **_read_accounts(missing)}
        starts = {}
        floating = set()
        for pk in ids:
            state = states.get(pk)
            if state is None or state.status != OPEN:
                return None
            if state.kind == SYSTEM:
                floating.add(pk)
                continue
            for balances in reversed(self.expected):
                if pk in balances:
                    starts[pk] = balances[pk]
                    break
            else:
                starts[pk] = state.balance
        ends = dict(starts)
        changes = dict.fromkeys(floating, ZERO)
        stamp = when.isoformat()
        end = f"\t{stamp}\n"
        transactions = []
        records = defaultdict(list)
        entries = []
        suffixes = {}
        # Decimals as `!s`: a plain f-string field calls Decimal.__format__, five times slower.
        for posting, pk in zip(postings, _draw_ids(len(postings)), strict=True):
            posting.txn_id = pk
            kind = posting.kind
            transactions.append(
                f"{pk}\t{kind}\t{posting.key}\t{posting.reference}\t{posting.description}{end}"
            )
            records_of = posting.records
            owner = None
            if records_of is not None:
                owner = records_of.owner_index
                owner = None if owner is None else posting.record[owner]
                suffix = suffixes.get(records_of)
                if suffix is None:
                    suffix = suffixes[records_of] = records_of.suffix(stamp)
                records[records_of].append(f"{records_of.text(posting.record)}\t{pk}{suffix}")
            tail = f"\t{kind}{end}"
            text = ""
            total = ZERO
            owned = owner is None
            legs = posting.legs
            first = legs[0][0] if legs else None
            two = False
            for account_id, amount in legs:
                if not amount:
                    raise UnbalancedTransaction()
                total += amount
                if account_id != first:
                    two = True
                if account_id in floating:
                    entries.append(f"{text}{pk}\t{account_id}\t{amount!s}\t")
                    entries.append((account_id, amount))
                    text = tail
                    changes[account_id] += amount
                    continue
                if not owned and states[account_id].cardholder_id == owner:
                    owned = True
                balance = ends[account_id] + amount
                if balance < 0:
                    return None
                ends[account_id] = balance
                text += f"{pk}\t{account_id}\t{amount!s}\t{balance!s}{tail}"
            if total or not two:
                raise UnbalancedTransaction()
            if not owned:
                return None
            entries.append(text)
        self.expected.append(ends)
        order = sorted(starts)
        order_floating = sorted(changes)
        moves = (
            "{" + ",".join(map(str, order + order_floating)) + "}",
            "{"
            + ",".join([*map(str, map(starts.__getitem__, order)), *["NULL"] * len(changes)])
            + "}",
            "{"
            + ",".join(
                [
                    *map(str, map(ends.__getitem__, order)),
                    *map(str, map(changes.__getitem__, order_floating)),
                ]
            )
            + "}",
        )
        return _Draft(
            postings,
            len(order) + len(order_floating),
            moves,
            "".join(transactions).encode(),
            {spec: "".join(lines).encode() for spec, lines in records.items()},
            entries,
        )

    # -- writing -----------------------------------------------------------------------

    def _write_drafted(self, todo, draft, outcome):
        """One statement moves every balance, provided each account is open and holds
        what the draft expected (it locks them, in id order); then the drafted text is
        copied. If anything is not as drafted, roll back and raise `_NotAsDrafted`."""
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "WITH moved AS ("
                    " UPDATE accounts_account AS a SET balance = CASE"
                    "  WHEN v.before IS NULL THEN a.balance + v.after ELSE v.after END"
                    " FROM (SELECT * FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[])"
                    "  AS u(id, before, after) ORDER BY id) AS v"
                    " WHERE a.id = v.id AND a.status = 'open'"
                    "  AND (v.before IS NULL OR a.balance = v.before)"
                    " RETURNING a.id, a.balance - v.after AS start, v.before IS NULL AS floating)"
                    "SELECT count(*), array_agg(id) FILTER (WHERE floating),"
                    " array_agg(start) FILTER (WHERE floating) FROM moved",
                    list(draft.moves),
                )
                moved, floating_ids, floating_starts = cursor.fetchone()
            if moved != draft.accounts or not self._hold(todo, refused=None):
                raise _NotAsDrafted()
            running = dict(zip(floating_ids or (), floating_starts or (), strict=True))
            parts = []
            for piece in draft.entries:
                if type(piece) is str:
                    parts.append(piece)
                else:
                    account_id, amount = piece
                    running[account_id] += amount
                    parts.append(str(running[account_id]))
            try:
                _copy_chunk(draft.transactions, "".join(parts).encode(), draft.records)
            except IntegrityError:
                raise _LostRace() from None
        self._count(outcome, todo, len(draft.postings))

    def _count(self, outcome, groups, transactions):
        outcome.posted += len(groups)
        outcome.transactions += transactions
        if outcome.posted_tags is not None:
            outcome.posted_tags.extend(group.tag for group in groups)

    def _hold(self, groups, refused):
        """Hold the rows the records name (FOR KEY SHARE, until commit). With a `refused`
        list: returns the groups whose rows all exist, adding the others to it; without:
        True if every row exists."""
        wanted = defaultdict(set)
        for group in groups:
            for posting in group.postings:
                if posting.records is not None:
                    for name, index in posting.records.held_index.items():
                        value = posting.record[index]
                        if value is not None:
                            wanted[posting.records.held[name]].add(value)
        present = {model: _hold_rows(model, ids) for model, ids in wanted.items()}
        if refused is None:
            return all(len(present[model]) == len(ids) for model, ids in wanted.items())
        kept = []
        for group in groups:
            reason = None
            for posting in group.postings:
                if posting.records is None:
                    continue
                for name, index in posting.records.held_index.items():
                    value = posting.record[index]
                    if value is not None and value not in present[posting.records.held[name]]:
                        reason = f"unknown_{name.removesuffix('_id')}"
            if reason:
                refused.append((group.tag, reason))
            else:
                kept.append(group)
        return kept

    def _write_locked(self, todo, when, outcome):
        """The careful way, in one transaction: lock the chunk's accounts in id order,
        refuse the groups that cannot post, write the rest from the locked balances."""
        refused, good, postings = [], [], []
        with transaction.atomic():
            ids = {account_id for group in todo for p in group.postings for account_id, _ in p.legs}
            locked = _lock_accounts(ids)
            groups = self._hold(todo, refused)
            balances = {pk: state.balance for pk, state in locked.items()}
            start = dict(balances)
            for group in groups:
                reason = _refusal(group, locked, balances)
                if reason:
                    refused.append((group.tag, reason))
                    continue
                good.append(group)
                postings.extend(group.postings)
            if postings:
                balances = dict(start)
                try:
                    if connection.vendor == "postgresql":
                        self._copy_from(postings, balances, when)
                    else:
                        _write_portable(postings, balances, when)
                except IntegrityError:
                    raise _LostRace() from None
                changed = {pk: value for pk, value in balances.items() if value != start[pk]}
                _update_balances(changed, locked)
        outcome.refused.extend(refused)
        self._count(outcome, good, len(postings))

    def _copy_from(self, postings, balances, when):
        missing = [posting for posting in postings if posting.txn_id is None]
        for posting, pk in zip(missing, _draw_ids(len(missing)) if missing else (), strict=True):
            posting.txn_id = pk
        stamp = when.isoformat()
        end = f"\t{stamp}\n"
        transactions, entries = [], []
        records = defaultdict(list)
        suffixes = {}
        for posting in postings:
            pk, kind = posting.txn_id, posting.kind
            transactions.append(
                f"{pk}\t{kind}\t{posting.key}\t{posting.reference}\t{posting.description}{end}"
            )
            for account_id, amount in posting.legs:
                balance = balances[account_id] = balances[account_id] + amount
                entries.append(f"{pk}\t{account_id}\t{amount!s}\t{balance!s}\t{kind}{end}")
            records_of = posting.records
            if records_of is not None:
                suffix = suffixes.get(records_of)
                if suffix is None:
                    suffix = suffixes[records_of] = records_of.suffix(stamp)
                records[records_of].append(f"{records_of.text(posting.record)}\t{pk}{suffix}")
        _copy_chunk(
            "".join(transactions).encode(),
            "".join(entries).encode(),
            {spec: "".join(lines).encode() for spec, lines in records.items()},
        )


def _two_accounts(legs):
    first = legs[0][0]
    return any(account_id != first for account_id, _amount in legs)


def _check_balanced(posting):
    """Legs that sum to zero, none of them zero, on at least two accounts."""
    total = ZERO
    for _account_id, amount in posting.legs:
        if not amount:
            raise UnbalancedTransaction()
        total += amount
    if total or not posting.legs or not _two_accounts(posting.legs):
        raise UnbalancedTransaction()


def _owned(posting, states):
    """The record's cardholder owns an account the posting moves (so that account's lock
    holds the cardholder too)."""
    index = posting.records.owner_index
    if index is None:
        return True
    owner = posting.record[index]
    for account_id, _amount in posting.legs:
        state = states.get(account_id)
        if state is not None and state.cardholder_id == owner:
            return True
    return False


def _refusal(group, locked, balances):
    """Why a group cannot post on the locked accounts, or None; if it can, its changes
    are applied to `balances`."""
    tentative = {}
    for posting in group.postings:
        _check_balanced(posting)
        for account_id, amount in posting.legs:
            state = locked.get(account_id)
            if state is None:
                return NO_ACCOUNT
            if state.status == CLOSED:
                return ACCOUNT_CLOSED
            if state.kind == SYSTEM:
                continue
            if amount < 0 and state.status == FROZEN:
                return ACCOUNT_FROZEN
            balance = tentative.get(account_id, balances[account_id]) + amount
            if balance < 0:
                return INSUFFICIENT_BALANCE
            tentative[account_id] = balance
        if posting.records is not None and not _owned(posting, locked):
            raise ValueError(f"the record of {posting.key} names a cardholder it does not credit")
    for posting in group.postings:
        for account_id, amount in posting.legs:
            if locked[account_id].kind == SYSTEM:
                balances[account_id] += amount
    balances.update(tentative)
    return None


def _lock_accounts(account_ids):
    """Lock the accounts in id order (as `ledger.post` does): {id: AccountState}; on
    PostgreSQL also the row address, under `_addresses`, since a locked row cannot move."""
    ids = sorted(account_ids)
    locked = _Locked()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, balance, status, kind, cardholder_id, ctid FROM accounts_account "
                "WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                [ids],
            )
            for pk, balance, status, kind, holder, ctid in cursor:
                locked[pk] = AccountState(balance, status, kind, holder)
                locked.addresses[pk] = ctid
        return locked
    for batch in _batches(ids, _in_size()):
        for pk, balance, status, kind, holder in (
            Account.objects.select_for_update()
            .filter(id__in=batch)
            .order_by("id")
            .values_list("id", "balance", "status", "kind", "cardholder_id")
        ):
            locked[pk] = AccountState(balance, status, kind, holder)
    return locked


class _Locked(dict):
    def __init__(self):
        super().__init__()
        self.addresses = {}


def _hold_rows(model, ids):
    """The rows of `model` that still exist among `ids`, held against deletion until
    commit (the lock a foreign-key check takes)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The key column by name: a child table of multi-table inheritance names it
            # after its parent link (`case_ptr_id`), not `id`.
            key = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(
                f"SELECT {key} FROM {model._meta.db_table} WHERE {key} = ANY(%s) "  # noqa: S608
                f"ORDER BY {key} FOR KEY SHARE",
                [sorted(ids)],
            )
            return {value for (value,) in cursor.fetchall()}
    return set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))


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
        lookup(
            lambda batch: LedgerTransaction.objects.filter(idempotency_key__in=batch).values_list(
                "idempotency_key", flat=True
            ),
            keys,
        )
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


def _write_portable(postings, balances, when):
    txns = LedgerTransaction.objects.bulk_create(
        [
            LedgerTransaction(
                kind=posting.kind,
                idempotency_key=posting.key,
                reference=posting.reference,
                description=posting.description,
                posted_at=when,
            )
            for posting in postings
        ],
        batch_size=500,
    )
    entries = []
    records = defaultdict(list)
    for posting, txn in zip(postings, txns, strict=True):
        for account_id, amount in posting.legs:
            balances[account_id] += amount
            entries.append(
                LedgerEntry(
                    transaction_id=txn.pk,
                    account_id=account_id,
                    amount=amount,
                    balance_after=balances[account_id],
                    kind=posting.kind,
                    posted_at=when,
                )
            )
        if posting.records is not None:
            records[posting.records].append(posting.records.instance(posting.record, txn.pk, when))
    LedgerEntry.objects.bulk_create(entries, batch_size=500)
    for spec, rows in records.items():
        spec.model.objects.bulk_create(rows, batch_size=500)


def _copy(cursor, table, columns, data):
    """COPY `data` (bytes) into `table`."""
    # Not wrapped by Django's cursor: a unique violation must arrive as IntegrityError.
    with connection.wrap_database_errors:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.BytesIO(data))


def _copy_chunk(transactions, entries, records):
    """COPY straight into the ledger tables. Transaction ids were drawn from the sequence
    beforehand so entries and records can name them. A key posted concurrently makes the
    COPY fail on the unique index: the chunk lost a race."""
    with connection.cursor() as cursor:
        # A crash loses at most the last chunks' commits, which re-running the job redoes.
        cursor.execute("SET LOCAL synchronous_commit = off")
        with _foreign_key_checks_skipped(cursor):
            _copy(cursor, "accounts_ledgertransaction", TRANSACTION_COLUMNS, transactions)
            _copy(cursor, "accounts_ledgerentry", ENTRY_COLUMNS, entries)
            for spec, data in records.items():
                _copy(cursor, spec.table, spec.columns, data)


@contextmanager
def _foreign_key_checks_skipped(cursor):
    """Skip the per-row foreign-key triggers for the COPYs, when the role may.

    They are most of the server's work on a bulk load and prove nothing here: every row
    written names ledger transactions written by the same COPYs, accounts locked FOR
    UPDATE (by the guarded UPDATE or the lock), a record's cardholder owning one of those
    accounts, and the other rows a record names held FOR KEY SHARE, all in this
    transaction. `session_replication_role = replica` turns off ordinary triggers; the
    ledger's own trigger fires on UPDATE and DELETE only, which a COPY never does. Roles
    that may not set it (only superusers and roles granted SET on the parameter may)
    keep the checks. The setting is local to the transaction and restored before the
    balances move.
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
        addresses = ",".join(f'"{locked.addresses[pk]}"' for pk in balances)
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


@contextmanager
def _fewer_collections():
    """Run the cyclic garbage collector's youngest generation every 50,000 allocations
    instead of every 700 while chunks stream. A chunk allocates hundreds of thousands of
    small objects (postings, legs, records, text) that form no cycles; with the default
    threshold the collector's passes over them cost a third of the Python time per row.
    Reference counting still frees everything as before."""
    previous = gc.get_threshold()
    gc.set_threshold(max(previous[0], 50_000), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


# For other bulk jobs that build many small objects per chunk (a payment run's range).
fewer_collections = _fewer_collections

_END = object()


def _ahead(chunks, prepare):
    """Yield prepare(chunk) for every chunk, the next one prepared on a second
    connection while the caller writes the current one (see `BulkWriter.stream`)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        for chunk in chunks:
            yield prepare(chunk)
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
            for chunk in chunks:
                item = prepare(chunk)
                reset_queries()  # with DEBUG on, each connection keeps every query's SQL
                if not hand_over(item):
                    return
            hand_over(_END)
        except BaseException as exc:  # re-raised in the writing thread
            hand_over(exc)
        finally:
            connections.close_all()  # this thread's connection only

    worker = threading.Thread(target=produce, name="ledger-bulk-prepare", daemon=True)
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


# -- the set-based path: a payment run's range in a few statements ---------------------


@dataclass(frozen=True)
class Template:
    """One ledger transaction a staged row carries, its parts named by the row's columns.

    A row whose `key` is None carries none of this kind. The row's transactions with the
    same `tag` (of any template, across rows) form one Group. `legs` are (account
    column, amount column) pairs; a leg whose amount is zero or None is left out. `record`
    names the columns giving `records.fields`, in that order."""

    kind: str
    key: str
    tag: str
    reference: str
    description: str
    legs: tuple
    records: Records | None = None
    record: tuple = ()


class Shape:
    """The rows a payment run stages for a range, each a tuple of values for `columns`
    ((name, SQL type) pairs), and the ledger transactions each row carries (`templates`).

    `text(row)` may give a row's COPY text (tab-joined, no newline) faster than the
    generic `copy_text`. The same rows become Groups of Postings for the row path
    (`groups`), so both paths write the same transactions from the same figures.
    """

    def __init__(self, columns, templates, *, text=None):
        self.columns = tuple(columns)
        index = {name: n for n, (name, _type) in enumerate(self.columns)}
        self.templates = tuple(templates)
        self._specs = []
        for template in self.templates:
            records = template.records
            if records is not None and (
                records.owner_index is not None or len(template.record) != len(records.fields)
            ):
                raise ValueError("a staged record names every field and no owner")
            self._specs.append(
                (
                    index[template.key],
                    index[template.tag],
                    index[template.reference],
                    index[template.description],
                    tuple((index[account], index[amount]) for account, amount in template.legs),
                    tuple(index[name] for name in template.record),
                )
            )
        self.text = text or (lambda row: "\t".join(map(copy_text, row)))

    def groups(self, rows):
        """The rows as Groups, in the order the set-based path writes them: each group
        where its first transaction comes (rows in order, templates in order), its
        postings in that order."""
        groups = {}
        for row in rows:
            for template, (key, tag, reference, description, legs, record) in zip(
                self.templates, self._specs, strict=True
            ):
                if row[key] is None:
                    continue
                posting = Posting(
                    key=row[key],
                    kind=template.kind,
                    legs=tuple((row[a], row[m]) for a, m in legs if row[m]),
                    reference=row[reference],
                    description=row[description],
                    records=template.records,
                    record=tuple(row[n] for n in record) if template.records else None,
                )
                group = groups.get(row[tag])
                if group is None:
                    group = groups[row[tag]] = Group(row[tag], [])
                group.postings.append(posting)
        return list(groups.values())

    # The SQL of the set-based path, on the staged rows in `_ledger_set_rows`.

    def _create_sql(self):
        columns = ", ".join(f"{name} {kind}" for name, kind in self.columns)
        return (
            f"CREATE TEMP TABLE _ledger_set_rows (n integer, {columns}) ON COMMIT DROP",
            "CREATE TEMP TABLE _ledger_set_txn (id bigint, ord bigint, tag bigint, "
            "key text, kind text, reference text, description text, accounts bigint[], "
            "amounts numeric[]) ON COMMIT DROP",
        )

    def _postings_sql(self):
        """Every transaction the rows carry, in the order `groups` gives them, with the
        ids drawn from the sequence in that order."""
        count = len(self.templates)
        parts = []
        for t, template in enumerate(self.templates):
            accounts = ", ".join(account for account, _amount in template.legs)
            amounts = ", ".join(amount for _account, amount in template.legs)
            parts.append(
                f"SELECT n * {count} + {t} AS ord, {template.tag} AS tag, {template.key} AS key, "  # noqa: S608
                f"'{template.kind}' AS kind, {template.reference} AS reference, "
                f"{template.description} AS description, "
                f"ARRAY[{accounts}]::bigint[] AS accounts, ARRAY[{amounts}]::numeric[] AS amounts "
                f"FROM _ledger_set_rows WHERE {template.key} IS NOT NULL"
            )
        return (
            "INSERT INTO _ledger_set_txn "  # noqa: S608
            "SELECT i.id, p.ord, p.tag, p.key, p.kind, p.reference, p.description,"
            " p.accounts, p.amounts FROM ("
            " SELECT *, row_number() OVER (ORDER BY grp, ord) AS k FROM ("
            "  SELECT *, min(ord) OVER (PARTITION BY tag) AS grp FROM ("
            + " UNION ALL ".join(parts)
            + ") AS u) AS f) AS p"
            " JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM ("
            "  SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)) AS s) AS i"
            " ON i.k = p.k"
        )

    def _records_sql(self, when):
        """(sql, params) per template with records: its rows, naming their transaction."""
        count = len(self.templates)
        statements = []
        for t, template in enumerate(self.templates):
            records = template.records
            if records is None:
                continue
            values = [f"r.{name}" for name in template.record] + ["x.id"]
            params = []
            for item in records._rest:
                if getattr(item, "auto_now", False) or getattr(item, "auto_now_add", False):
                    params.append(when)
                else:
                    value = item.get_default()
                    params.append(getattr(value, "pk", value))
                values.append("%s")
            statements.append(
                (
                    f"INSERT INTO {records.table} ({', '.join(records.columns)}) "  # noqa: S608
                    f"SELECT {', '.join(values)} FROM _ledger_set_rows r "
                    f"JOIN _ledger_set_txn x ON x.ord = r.n * {count} + {t} ORDER BY x.id",
                    params,
                )
            )
        return statements

    def _held(self):
        """[(model, key column, staged column, template key column)] of the rows to hold."""
        held = []
        for template in self.templates:
            records = template.records
            if records is None:
                continue
            for name, position in records.held_index.items():
                model = records.held[name]
                held.append((model, model._meta.pk.column, template.record[position], template.key))
        return held


def _set_write(shape, rows, when):
    """The set-based write of a range, in one transaction: stage the rows with one COPY;
    draw the transaction ids and insert the transactions and their records with one
    INSERT … SELECT each (the unique indexes refuse a key or month posted before); hold
    the rows the records name; then move every balance with one UPDATE … FROM in
    account id order (each account open, a holder account never below zero at any
    entry) and insert the entries with their running balances. Returns
    (transactions, posted tags), or raises `_NotAsDrafted` (rolled back) when an
    account or a row is not as the rows expect, `_LostRace` when a key is posted."""
    stamp = when.isoformat()
    data = "".join(f"{n}\t{shape.text(row)}\n" for n, row in enumerate(rows)).encode()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        # Dropped at commit, or here when the range ran inside a caller's transaction.
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(_SET_TABLES)}")
        for statement in shape._create_sql():
            cursor.execute(statement)
        columns = ["n", *(name for name, _kind in shape.columns)]
        _copy(cursor, "_ledger_set_rows", columns, data)
        cursor.execute("SELECT pg_get_serial_sequence('accounts_ledgertransaction', 'id')")
        (sequence,) = cursor.fetchone()
        wanted = sum(1 for row in rows for spec in shape._specs if row[spec[0]] is not None)
        cursor.execute(shape._postings_sql(), [sequence, wanted])
        cursor.execute(
            "SELECT count(*), count(DISTINCT key), array_agg(DISTINCT tag) FROM _ledger_set_txn"
        )
        count, distinct, tags = cursor.fetchone()
        if not count:
            return 0, []
        if distinct != count:
            raise _LostRace()
        # Every posting balanced, on at least two accounts, with no zero leg written.
        cursor.execute(
            "SELECT count(*) FROM _ledger_set_txn t WHERE NOT EXISTS ("
            " SELECT 1 FROM unnest(t.accounts, t.amounts) AS l(account, amount)"
            " WHERE l.amount <> 0 HAVING sum(l.amount) = 0 AND count(DISTINCT l.account) > 1)"
        )
        if cursor.fetchone()[0]:
            raise UnbalancedTransaction()
        # A leg on no account: the row path refuses its group.
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM _ledger_set_txn t, unnest(t.accounts, t.amounts)"
            " AS l(account, amount) WHERE l.amount <> 0 AND l.account IS NULL)"
        )
        if cursor.fetchone()[0]:
            raise _NotAsDrafted()
        for model, key, column, key_column in shape._held():
            cursor.execute(
                f"SELECT count(*) FROM (SELECT {key} FROM {model._meta.db_table} "  # noqa: S608
                f"WHERE {key} IN (SELECT {column} FROM _ledger_set_rows "
                f"WHERE {key_column} IS NOT NULL AND {column} IS NOT NULL) "
                f"ORDER BY {key} FOR KEY SHARE) AS held"
            )
            (present,) = cursor.fetchone()
            cursor.execute(
                f"SELECT count(DISTINCT {column}) FROM _ledger_set_rows "  # noqa: S608
                f"WHERE {key_column} IS NOT NULL"
            )
            if present != cursor.fetchone()[0]:
                raise _NotAsDrafted()
        try:
            with _foreign_key_checks_skipped(cursor):
                cursor.execute(
                    "INSERT INTO accounts_ledgertransaction "
                    "(id, kind, idempotency_key, reference, description, posted_at) "
                    "SELECT id, kind, key, reference, description, %s FROM _ledger_set_txn "
                    "ORDER BY id",
                    [when],
                )
                for sql, params in shape._records_sql(when):
                    cursor.execute(sql, params)
        except IntegrityError:
            raise _LostRace() from None
        # The legs with each account's running change, then every balance moved at once
        # (the accounts locked in id order), guarded by the lowest point each holder
        # account reaches: it never goes below zero at any entry.
        cursor.execute(
            "CREATE TEMP TABLE _ledger_set_legs ON COMMIT DROP AS "
            "SELECT t.id AS txn, l.leg, l.account, l.amount, t.kind,"
            " sum(l.amount) OVER (PARTITION BY l.account ORDER BY t.id, l.leg) AS running "
            "FROM _ledger_set_txn t, unnest(t.accounts, t.amounts) WITH ORDINALITY "
            "AS l(account, amount, leg) WHERE l.amount <> 0"
        )
        cursor.execute(
            "CREATE TEMP TABLE _ledger_set_moved (id bigint, start numeric) ON COMMIT DROP"
        )
        cursor.execute(
            "WITH moved AS ("
            " UPDATE accounts_account AS a SET balance = a.balance + d.delta"
            " FROM (SELECT account, sum(amount) AS delta, min(running) AS low"
            "  FROM _ledger_set_legs GROUP BY account ORDER BY account) AS d"
            " WHERE a.id = d.account AND a.status = 'open'"
            "  AND (a.kind = 'system' OR a.balance + least(d.low, 0) >= 0)"
            " RETURNING a.id, a.balance - d.delta)"
            "INSERT INTO _ledger_set_moved SELECT * FROM moved"
        )
        moved = cursor.rowcount
        cursor.execute("SELECT count(DISTINCT account) FROM _ledger_set_legs")
        if moved != cursor.fetchone()[0]:
            raise _NotAsDrafted()
        with _foreign_key_checks_skipped(cursor):
            cursor.execute(
                "INSERT INTO accounts_ledgerentry "
                "(transaction_id, account_id, amount, balance_after, kind, posted_at) "
                "SELECT l.txn, l.account, l.amount, m.start + l.running, l.kind,"
                " %s::timestamptz FROM _ledger_set_legs l JOIN _ledger_set_moved m"
                " ON m.id = l.account ORDER BY l.txn, l.leg",
                [stamp],
            )
        cursor.execute(f"DROP TABLE {', '.join(_SET_TABLES)}")
    return count, tags


_SET_TABLES = (
    "_ledger_set_rows",
    "_ledger_set_txn",
    "_ledger_set_legs",
    "_ledger_set_moved",
)


def set_based():
    """Whether this database takes the set-based path (PostgreSQL)."""
    return connection.vendor == "postgresql"


def post_rows(writer, shape, rows, *, accounts=None, posted_at=None, force_rows=False):
    """Post a range's staged rows: on PostgreSQL set-based (`_set_write`) unless
    `force_rows`; else, or when the set-based write
    finds an account or a row not as expected or a key posted already (rolled back),
    as Groups through `writer` (the row path, which refuses and reports per group).
    Returns the Outcome, its `posted_tags` filled."""
    when = posted_at or timezone.now()
    if rows and not force_rows and set_based():
        try:
            count, tags = _set_write(shape, rows, when)
        except (_NotAsDrafted, _LostRace):
            pass
        else:
            return Outcome(posted=len(tags), transactions=count, posted_tags=list(tags))
    writer.keep_tags = True
    return writer.post(shape.groups(rows), posted_at=when, accounts=accounts)
