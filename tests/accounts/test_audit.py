from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts import ledger, services
from accounts.audit import run_audit
from accounts.models import Account, LedgerEntry, LedgerTransaction, Scheme
from tests.factories import CardholderFactory, InstitutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_ledger():
    """A few people with contributions, purchases and a correction."""
    people = [CardholderFactory() for _ in range(3)]
    people[2].employment_status = "flexible"
    people[2].save()
    for person in people:
        for month in (date(2025, 1, 1), date(2025, 2, 1)):
            # Flexibly employed people pay pension and medical only.
            schemes = ["pension", "medical"] if person == people[2] else Scheme.values
            for scheme in schemes:
                services.contribution_post(
                    cardholder=person, scheme=scheme, month=month, wage="12345.67"
                )
    institution = InstitutionFactory()
    settlement, _ = services.settlement_create(
        institution=institution,
        card_number=people[0].card_number,
        amount="33.33",
        description="",
        idempotency_key="a",
    )
    services.settlement_create(
        institution=institution,
        card_number=people[1].card_number,
        amount="0.01",
        description="",
        idempotency_key="b",
    )
    from tests.factories import StaffFactory

    services.correction_post(original=settlement.transaction, actor=StaffFactory(), reason="refund")
    return people


def test_clean_ledger_passes(busy_ledger, capsys):
    call_command("ledger_audit")

    out = capsys.readouterr().out
    transactions = LedgerTransaction.objects.count()
    assert f"Checked {transactions} transactions" in out
    assert "no violations" in out
    assert run_audit().ok


def test_corrupted_balance_is_named(busy_ledger):
    account = busy_ledger[1].accounts.get(scheme=Scheme.PENSION, kind=Account.Kind.PERSONAL)
    Account.objects.filter(pk=account.pk).update(balance=account.balance + Decimal("0.01"))

    with pytest.raises(CommandError) as failed:
        call_command("ledger_audit")

    message = str(failed.value)
    assert "1 ledger violation" in message
    assert f"account {account.pk} balance" in message


def test_unbalanced_transaction_and_post_after_close_are_named(busy_ledger):
    account = busy_ledger[0].accounts.get(scheme=Scheme.MEDICAL, kind=Account.Kind.POOLED)
    now = timezone.now()
    # Forged rows, as another program writing straight to the tables might leave them.
    lonely = LedgerTransaction.objects.create(
        kind="contribution", idempotency_key="x", posted_at=now
    )
    LedgerEntry.objects.create(
        transaction=lonely,
        account=account,
        amount=Decimal("5.00"),
        balance_after=account.balance + Decimal("5.00"),
        kind="contribution",
        posted_at=now,
    )
    Account.objects.filter(pk=account.pk).update(
        balance=account.balance + Decimal("5.00"),
        status=Account.Status.CLOSED,
        closed_at=now - timedelta(days=1),
    )

    result = run_audit()

    found = {(v.check, v.account_id, v.transaction_id) for v in result.violations}
    assert ("transaction_balanced", None, lonely.pk) in found
    assert ("closed_takes_nothing", account.pk, lonely.pk) in found
    assert ("closed_takes_nothing", account.pk, None) in found  # closed but not empty
    with pytest.raises(CommandError, match=f"transaction {lonely.pk} has 1 entry"):
        call_command("ledger_audit")


def test_broken_balance_after_chain_is_named(busy_ledger):
    account = busy_ledger[0].accounts.get(scheme=Scheme.PENSION, kind=Account.Kind.POOLED)
    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED)
    now = timezone.now()
    txn = LedgerTransaction.objects.create(kind="contribution", idempotency_key="y", posted_at=now)
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                transaction=txn,
                account=account,
                amount=Decimal("1.00"),
                balance_after=Decimal("999.00"),
                kind="contribution",
                posted_at=now,
            ),
            LedgerEntry(
                transaction=txn,
                account=received,
                amount=Decimal("-1.00"),
                balance_after=received.balance - 1,
                kind="contribution",
                posted_at=now,
            ),
        ]
    )
    Account.objects.filter(pk=account.pk).update(balance=account.balance + 1)
    Account.objects.filter(pk=received.pk).update(balance=received.balance - 1)

    [violation] = run_audit().violations
    assert violation.check == "balance_after_chain"
    assert violation.account_id == account.pk and violation.transaction_id == txn.pk
