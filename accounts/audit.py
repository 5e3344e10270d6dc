"""Whole-ledger invariant checks, each one set-based query (GROUP BY or a window).

The checks compare with a half-fen tolerance: every stored amount has two places, so
any real difference is at least 0.01, and SQLite's sums of decimals may carry float
noise that must not read as a violation.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value, Window
from django.db.models.functions import Abs, Coalesce

from accounts.models import MONEY, Account, LedgerEntry, LedgerTransaction

HALF_FEN = Decimal("0.005")
ZERO = Value(Decimal("0.00"), output_field=DecimalField(**MONEY))


@dataclass(frozen=True)
class Violation:
    check: str
    message: str
    account_id: int | None = None
    transaction_id: int | None = None

    def __str__(self):
        return f"[{self.check}] {self.message}"


@dataclass
class AuditResult:
    checked: dict = field(default_factory=dict)
    violations: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.violations


def _money(expression):
    return ExpressionWrapper(expression, output_field=DecimalField(**MONEY))


def unbalanced_transactions():
    """Transactions whose entries do not sum to zero, or that have fewer than two."""
    rows = (
        LedgerTransaction.objects.order_by()
        .annotate(
            legs=Count("entries"),
            total=Coalesce(Sum("entries__amount"), ZERO),
        )
        .annotate(off=_money(Abs(F("total"))))
        .filter(Q(legs__lt=2) | Q(off__gte=HALF_FEN))
        .values_list("id", "legs", "total")
        .order_by("id")
    )
    for txn_id, legs, total in rows:
        if legs < 2:
            message = f"transaction {txn_id} has {legs} entr{'y' if legs == 1 else 'ies'}"
        else:
            message = f"transaction {txn_id} entries sum to {total}, not 0"
        yield Violation("transaction_balanced", message, transaction_id=txn_id)


def balance_mismatches():
    """Accounts whose materialised balance is not the sum of their entries."""
    rows = (
        Account.objects.order_by()
        .annotate(total=Coalesce(Sum("entries__amount"), ZERO))
        .annotate(off=_money(Abs(F("balance") - F("total"))))
        .filter(off__gte=HALF_FEN)
        .values_list("id", "balance", "total")
        .order_by("id")
    )
    for account_id, balance, total in rows:
        yield Violation(
            "balance_equals_entries",
            f"account {account_id} balance {balance} but its entries sum to {total}",
            account_id=account_id,
        )


def broken_balance_chains():
    """Entries whose balance_after is not the running sum of their account's entries."""
    rows = (
        LedgerEntry.objects.order_by()
        .annotate(
            running=Window(Sum("amount"), partition_by=[F("account_id")], order_by=F("id").asc())
        )
        .annotate(off=_money(Abs(F("balance_after") - F("running"))))
        .filter(off__gte=HALF_FEN)
        .values_list("id", "account_id", "transaction_id", "balance_after", "running")
    )
    for entry_id, account_id, txn_id, balance_after, running in sorted(rows):
        yield Violation(
            "balance_after_chain",
            f"entry {entry_id} (account {account_id}, transaction {txn_id}) says balance "
            f"{balance_after} after it, but the entries up to it sum to {running}",
            account_id=account_id,
            transaction_id=txn_id,
        )


def negative_holder_accounts():
    """Personal or pooled accounts below zero."""
    rows = (
        Account.objects.exclude(kind=Account.Kind.SYSTEM)
        .filter(balance__lt=0)
        .values_list("id", "balance")
        .order_by("id")
    )
    for account_id, balance in rows:
        yield Violation(
            "holder_not_negative",
            f"account {account_id} is negative: {balance}",
            account_id=account_id,
        )


def postings_after_close():
    """Entries on a closed account posted after it closed; closed accounts not empty
    or without a closing time."""
    rows = (
        LedgerEntry.objects.filter(
            account__status=Account.Status.CLOSED, posted_at__gt=F("account__closed_at")
        )
        .values_list("id", "account_id", "transaction_id")
        .order_by("id")
    )
    for entry_id, account_id, txn_id in rows:
        yield Violation(
            "closed_takes_nothing",
            f"entry {entry_id} of transaction {txn_id} was posted to account {account_id} "
            f"after it closed",
            account_id=account_id,
            transaction_id=txn_id,
        )
    closed = (
        Account.objects.filter(status=Account.Status.CLOSED)
        .filter(Q(closed_at__isnull=True) | ~Q(balance=0))
        .exclude(kind=Account.Kind.SYSTEM)
        .values_list("id", "balance", "closed_at")
        .order_by("id")
    )
    for account_id, balance, closed_at in closed:
        problem = "has no closing time" if closed_at is None else f"still holds {balance}"
        yield Violation(
            "closed_takes_nothing",
            f"closed account {account_id} {problem}",
            account_id=account_id,
        )


def entry_copies_disagree():
    """Entries whose copied kind or time differ from their transaction's."""
    rows = (
        LedgerEntry.objects.exclude(
            kind=F("transaction__kind"), posted_at=F("transaction__posted_at")
        )
        .values_list("id", "account_id", "transaction_id")
        .order_by("id")
    )
    for entry_id, account_id, txn_id in rows:
        yield Violation(
            "entry_matches_transaction",
            f"entry {entry_id} disagrees with transaction {txn_id} on kind or time",
            account_id=account_id,
            transaction_id=txn_id,
        )


CHECKS = (
    unbalanced_transactions,
    balance_mismatches,
    broken_balance_chains,
    negative_holder_accounts,
    postings_after_close,
    entry_copies_disagree,
)


def run_audit():
    """Every check over the whole ledger; returns what was checked and every violation."""
    result = AuditResult(
        checked={
            "transactions": LedgerTransaction.objects.count(),
            "entries": LedgerEntry.objects.count(),
            "accounts": Account.objects.count(),
        }
    )
    for check in CHECKS:
        result.violations.extend(check())
    return result


# --- the record's audit trail -------------------------------------------------------


def record_trail(cardholder):
    """Every change of the cardholder's identity fields, newest first: field, value
    before and after, who decided it, in which case, when."""
    from accounts.models import RecordChange

    return RecordChange.objects.filter(cardholder=cardholder).select_related("actor")
