"""The set-based write of a benefit run's range (PostgreSQL) writes exactly what the
bulk writer's row path writes from the same range, and a re-run posts nothing."""

import dataclasses
from decimal import Decimal

import pytest
from django.db import transaction

from accounts import ledger, ledger_bulk
from accounts.models import Account, LedgerEntry, LedgerTransaction
from benefits import payment_run, selectors
from benefits.models import BenefitPayment, RegionalMedicalContribution, UnemploymentClaim
from tests.benefits.conftest import approve, make_person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

KINDS = ("benefit", "benefit_medical")


@pytest.fixture
def claims(rita, amos, django_capture_on_commit_callbacks):
    """Four benefits in payment: two ordinary, one in its last month entitled (the run
    ends it), one starting next month (not due); the medical figure of the month's year
    paying into both medical accounts."""
    made = [
        approve(make_person(f"p{n}"), rita, amos, django_capture_on_commit_callbacks)
        for n in range(4)
    ]
    month = made[0].starts_on
    UnemploymentClaim.objects.filter(pk=made[2].pk).update(months_entitled=1)
    UnemploymentClaim.objects.filter(pk=made[3].pk).update(starts_on=selectors.add_months(month, 1))
    RegionalMedicalContribution.objects.filter(year=month.year).update(to_personal=Decimal("20.00"))
    # Set up before the runs: a system account the row path's rolled-back run created
    # would come back with another id.
    ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE)
    for region in set(selectors.claims_in_payment().values_list("cardholder__region", flat=True)):
        ledger.fund_account_open("unemployment", region)
    return made


def snapshot():
    entries = {}
    for txn_id, account, amount, after, kind in (
        LedgerEntry.objects.filter(transaction__kind__in=KINDS)
        .order_by("id")
        .values_list("transaction_id", "account_id", "amount", "balance_after", "kind")
    ):
        entries.setdefault(txn_id, []).append((account, amount, after, kind))
    return {
        "transactions": [
            (kind, key, reference, description, entries.get(pk))
            for pk, kind, key, reference, description in LedgerTransaction.objects.filter(
                kind__in=KINDS
            )
            .order_by("id")
            .values_list("id", "kind", "idempotency_key", "reference", "description")
        ],
        "payments": sorted(
            BenefitPayment.objects.values_list(
                "claim_id",
                "month",
                "amount",
                "medical_pooled",
                "medical_personal",
                "transaction__idempotency_key",
            )
        ),
        "statuses": sorted(UnemploymentClaim.objects.values_list("pk", "status")),
        "balances": dict(Account.objects.values_list("id", "balance")),
    }


@pytest.fixture
def set_writes(monkeypatch):
    """The transactions each set-based write posted (the write itself unchanged)."""
    calls = []
    original = ledger_bulk._set_write

    def counted(*args, **kwargs):
        written = original(*args, **kwargs)
        calls.append(written[0])
        return written

    monkeypatch.setattr(ledger_bulk, "_set_write", counted)
    return calls


def test_the_set_based_path_writes_what_the_row_path_writes(claims, set_writes):
    month = claims[0].starts_on.strftime("%Y-%m")
    with transaction.atomic():
        _plan, by_rows = payment_run.pay_month(month, force_rows=True)
        rows_view = snapshot()
        transaction.set_rollback(True)
    assert set_writes == []
    _plan, by_set = payment_run.pay_month(month)
    assert set_writes == [6]  # three benefits and their medical contributions
    assert snapshot() == rows_view
    assert dataclasses.asdict(by_set) == dataclasses.asdict(by_rows)
    assert (by_set.paid, by_set.not_due, by_set.exhausted) == (3, 1, 1)
    medical = LedgerTransaction.objects.filter(kind="benefit_medical").first()
    assert sorted(e.amount for e in medical.entries.all()) == [
        Decimal("-146.00"),
        Decimal("20.00"),
        Decimal("126.00"),
    ]


def test_a_second_run_posts_nothing(claims, set_writes):
    month = claims[0].starts_on.strftime("%Y-%m")
    payment_run.pay_month(month)
    before = snapshot()
    _plan, again = payment_run.pay_month(month)
    # The one in its last month has ended: two were paid before, one is not due.
    assert (again.paid, again.already_paid, again.not_due) == (0, 2, 1)
    assert snapshot() == before
    assert set_writes == [6]
