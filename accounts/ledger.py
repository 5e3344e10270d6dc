"""The one place money moves, with `accounts.ledger_bulk` beside it for bulk jobs.

`post` writes a double-entry transaction: it locks every account it touches in id
order (so two postings can never deadlock), refuses what would break an invariant,
writes entries that sum to zero and updates the materialised balances, all in one
database transaction. Replaying an idempotency key returns the first result.

Jobs that move money in bulk (the payroll import, the benchmark population, interest
and payment runs) write thousands of transactions per database transaction through
`ledger_bulk.BulkWriter`, with the same guarantees. Nothing else writes ledger rows or
balances.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.exceptions import (
    AccountClosed,
    AccountFrozen,
    InsufficientBalance,
    InvalidAmount,
    UnbalancedTransaction,
)
from accounts.models import ZERO, Account, LedgerEntry, LedgerTransaction

CENT = Decimal("0.01")


def to_money(value, *, field="amount", allow_zero=False, allow_negative=False):
    """Parse `value` into a two-place Decimal, refusing floats, junk and fractions of a fen."""
    if isinstance(value, float):
        raise InvalidAmount(field=field)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidAmount(field=field) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise InvalidAmount(field=field)
    if (amount == 0 and not allow_zero) or (amount < 0 and not allow_negative):
        raise InvalidAmount(field=field)
    if abs(amount) >= Decimal("1e12"):
        raise InvalidAmount(field=field)
    return amount.quantize(CENT)


@dataclass(frozen=True)
class Leg:
    """A signed amount on one account: positive credits it, negative debits it."""

    account_id: int
    amount: Decimal


def system_account(code):
    """The system account for `code`, created on first use."""
    account, _ = Account.objects.get_or_create(
        kind=Account.Kind.SYSTEM, system_code=code, defaults={"scheme": ""}
    )
    return account


def fund_code(scheme, region):
    """The system code of a scheme's fund in a pooling region (`unemployment_fund:110100`)."""
    return f"{scheme}_fund:{region}"


def fund_account(scheme, region):
    """The fund of `scheme` in `region`: the system account that stands for the pooled
    money as a whole and pays that scheme's benefits (DESIGN: a fund per scheme and
    region). The per-person pooled accounts never pay anything out."""
    return system_account(fund_code(scheme, region))


def _check(account, change, *, closing):
    if account.status == Account.Status.CLOSED:
        raise AccountClosed(field="account")
    if account.kind == Account.Kind.SYSTEM:
        return
    if change < 0 and account.status == Account.Status.FROZEN:
        raise AccountFrozen(field="account")
    if account.balance + change < 0:
        raise InsufficientBalance(field="amount")
    if closing and account.balance + change != 0:
        raise InsufficientBalance(field="amount")


@transaction.atomic
def post(
    *,
    kind,
    idempotency_key,
    legs,
    reference="",
    description="",
    actor=None,
    reverses=None,
    close_accounts=(),
    posted_at=None,
    record=None,
):
    """Post one balanced transaction. Returns (transaction, created).

    `close_accounts` names accounts this posting empties and closes (a payout);
    they must end at exactly zero. `record` is an unsaved row that belongs to the
    posting (a Contribution): it is saved naming the transaction, in the same database
    transaction, when the posting is new. A key seen before returns its transaction
    without moving anything.
    """
    existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing, False

    legs = [Leg(leg.account_id, to_money(leg.amount, allow_negative=True)) for leg in legs]
    changes = defaultdict(lambda: ZERO)
    for leg in legs:
        changes[leg.account_id] += leg.amount
    if sum(changes.values(), ZERO) != 0 or len(changes) < 2:
        raise UnbalancedTransaction()

    accounts = {
        account.id: account
        for account in Account.objects.select_for_update().filter(id__in=changes).order_by("id")
    }
    # Someone may have posted the same key while this one waited for the locks.
    existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing, False
    closing = set(close_accounts)
    for account_id, change in changes.items():
        _check(accounts[account_id], change, closing=account_id in closing)

    when = posted_at or timezone.now()
    try:
        with transaction.atomic():
            txn = LedgerTransaction.objects.create(
                kind=kind,
                idempotency_key=idempotency_key,
                reference=reference,
                description=description[:255],
                posted_at=when,
                created_by=actor,
                reverses=reverses,
            )
    except IntegrityError:
        return LedgerTransaction.objects.get(idempotency_key=idempotency_key), False

    entries = []
    for leg in legs:
        account = accounts[leg.account_id]
        account.balance += leg.amount
        entries.append(
            LedgerEntry(
                transaction=txn,
                account=account,
                amount=leg.amount,
                balance_after=account.balance,
                kind=kind,
                posted_at=when,
            )
        )
    LedgerEntry.objects.bulk_create(entries)
    for account_id in changes:
        account = accounts[account_id]
        fields = {"balance": account.balance}
        if account_id in closing:
            fields.update(status=Account.Status.CLOSED, closed_at=when)
        Account.objects.filter(id=account_id).update(**fields)
    if record is not None:
        record.transaction = txn
        record.save(force_insert=True)
    return txn, True


def reverse(original, *, actor, reason):
    """Correct `original` by posting its entries negated, referencing it."""
    legs = [Leg(entry.account_id, -entry.amount) for entry in original.entries.all()]
    return post(
        kind=LedgerTransaction.Kind.CORRECTION,
        idempotency_key=f"correction:{original.pk}",
        legs=legs,
        reference=original.reference,
        description=reason,
        actor=actor,
        reverses=original,
    )
