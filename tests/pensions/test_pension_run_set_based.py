"""The set-based write of a pension run's range (PostgreSQL) writes exactly what the
bulk writer's row path writes from the same range: the same transactions, entries with
their running balances, payment, credit and arrears rows, suspensions and balances; and
a re-run posts nothing."""

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from accounts import ledger, ledger_bulk
from accounts.models import Account, Cardholder, LedgerEntry, LedgerTransaction
from pensions import payment_run
from pensions.models import (
    PensionArrears,
    PensionIncrease,
    PensionPayment,
    RetireeMedicalCredit,
    SuspendedMonth,
)
from tests.factories import CardholderFactory
from tests.pensions.conftest import REGION, in_payment, retiree_medical_data
from tests.pensions.test_pension_run import audit_clean

pytestmark = pytest.mark.postgres

D = Decimal
APR = date(2027, 4, 1)
KINDS = ("pension", "retiree_medical", "pension_arrears")


@pytest.fixture
def funds(db):
    retiree_medical_data(REGION)
    return ledger.fund_account_open("pension", REGION)


def _pensioner(name, **award):
    holder = CardholderFactory(name=name, region=REGION)
    return in_payment(holder, **award)


@pytest.fixture
def mixed(funds):
    return _mixed()


@pytest.fixture
def mixed_on_time(funds):
    """The same range, the 2027 increase entered on time (no arrears)."""
    return _mixed(late=False)


def _mixed(late=True):
    """One range of claims, each a different case for the April 2027 run:
    - `arrears`: paid to March 2027 before the 2 % increase from January 2027 was
      entered (late): April at the new amount and the arrears of January to March;
    - `draining`: from August 2026, never paid: eight months of back pay and April,
      the 2,000.00 on the personal account running out in October, the fund paying
      the rest;
    - `lapsed`: from January 2026, the living check due on 1 January 2027: 2026 and
      January 2027 as back pay, February to April suspended;
    - `deceased`: from October 2026, died 15 January 2027 (recorded before the run):
      stopped, October to January left to the estate's claim;
    - `card`: from April 2027, paid to the card's financial account;
    - `empty`: from March 2027 with nothing on the personal account."""
    arrears = _pensioner("Arrears", starts_on=date(2026, 8, 1), basic="1575.00",
                         personal="932.37", balance=D("129600.00"))  # fmt: skip
    if late:
        payment_run.pension_pay_month("2027-03", today=date(2027, 3, 1))
    row = PensionIncrease.objects.create(
        region="000000", from_month=date(2027, 1, 1), percent=D("2"), source="Test figure"
    )
    if late:
        PensionIncrease.objects.filter(pk=row.pk).update(
            recorded_at=datetime(2027, 3, 20, 9, tzinfo=UTC)
        )
    draining = _pensioner("Draining", starts_on=date(2026, 8, 1), basic="1500.00",
                          personal="900.00", balance=D("2000.00"))  # fmt: skip
    lapsed = _pensioner("Lapsed", starts_on=date(2026, 1, 1), basic="1200.00",
                        personal="300.00", balance=D("50000.00"))  # fmt: skip
    deceased = _pensioner("Deceased", starts_on=date(2026, 10, 1), basic="1300.00",
                          personal="400.00", balance=D("30000.00"))  # fmt: skip
    Cardholder.objects.filter(pk=deceased.cardholder_id).update(date_of_death=date(2027, 1, 15))
    card = _pensioner("Card", starts_on=APR, basic="1400.00", personal="500.00",
                      balance=D("40000.00"))  # fmt: skip
    Cardholder.objects.filter(pk=card.cardholder_id).update(card_financial_activated=True)
    empty = _pensioner("Empty", starts_on=date(2027, 3, 1), basic="1100.00", personal="200.00")
    return {
        "arrears": arrears,
        "draining": draining,
        "lapsed": lapsed,
        "deceased": deceased,
        "card": card,
        "empty": empty,
    }


def snapshot():
    """What the run left, without ids and times: every transaction of the run's kinds
    in id order with its entries in id order, the rows written with them, the
    suspensions and every balance."""
    entries = {}
    for txn_id, account, amount, after, kind in (
        LedgerEntry.objects.filter(transaction__kind__in=KINDS)
        .order_by("id")
        .values_list("transaction_id", "account_id", "amount", "balance_after", "kind")
    ):
        entries.setdefault(txn_id, []).append((account, amount, after, kind))
    transactions = [
        (kind, key, reference, description, entries.get(pk))
        for pk, kind, key, reference, description in LedgerTransaction.objects.filter(
            kind__in=KINDS
        )
        .order_by("id")
        .values_list("id", "kind", "idempotency_key", "reference", "description")
    ]

    def rows(model, *fields):
        return sorted(model.objects.values_list(*fields, "transaction__idempotency_key"), key=str)

    return {
        "transactions": transactions,
        "payments": rows(
            PensionPayment,
            "claim_id",
            "month",
            "basic",
            "personal_from_account",
            "personal_from_fund",
            "total",
            "destination",
            "payee",
            "bank_name",
            "account_number",
            "back_pay",
        ),
        "credits": rows(RetireeMedicalCredit, "claim_id", "month", "amount", "rate_id"),
        "arrears": rows(
            PensionArrears,
            "claim_id",
            "increase_id",
            "first_month",
            "last_month",
            "months",
            "amount",
            "paid_in",
            "destination",
            "payee",
            "bank_name",
            "account_number",
        ),
        "suspended": sorted(SuspendedMonth.objects.values_list("claim_id", "month", "check_due")),
        "balances": dict(Account.objects.values_list("id", "balance")),
    }


@pytest.fixture
def set_writes(monkeypatch):
    """How many ranges the set-based write posted (the write itself unchanged)."""
    calls = []
    original = ledger_bulk._set_write

    def counted(*args, **kwargs):
        written = original(*args, **kwargs)
        calls.append(written[0])
        return written

    monkeypatch.setattr(ledger_bulk, "_set_write", counted)
    return calls


def both_ways(month, today):
    """The run through the row path (then rolled back), and through the set-based
    path: (row path's RunResult and snapshot, set path's)."""
    with transaction.atomic():
        _plan, by_rows = payment_run.pension_pay_month(month, today=today, force_rows=True)
        rows_view = snapshot()
        transaction.set_rollback(True)
    _plan, by_set = payment_run.pension_pay_month(month, today=today)
    return (by_rows, rows_view), (by_set, snapshot())


def test_the_set_based_path_writes_what_the_row_path_writes(mixed, set_writes):
    (by_rows, rows_view), (by_set, set_view) = both_ways("2027-04", date(2027, 4, 1))
    assert set_writes and set_writes[-1] > 0  # the April range went the set-based way
    assert set_view == rows_view
    assert dataclasses.asdict(by_set) == dataclasses.asdict(by_rows)
    # And what they wrote is the run the cases call for.
    assert (by_set.arrears_paid, by_set.suspended, by_set.stopped) == (1, 1, 1)
    payments = PensionPayment.objects.filter(month__lte=APR)
    draining = {
        p.month: (p.personal_from_account, p.personal_from_fund)
        for p in payments.filter(claim=mixed["draining"])
    }
    assert draining[date(2026, 8, 1)] == (D("900.00"), D("0.00"))
    assert draining[date(2026, 9, 1)] == (D("900.00"), D("0.00"))
    assert draining[date(2026, 10, 1)] == (D("200.00"), D("700.00"))
    assert draining[APR] == (D("0.00"), D("900.00"))
    assert len(draining) == 9
    lapsed = set(payments.filter(claim=mixed["lapsed"]).values_list("month", flat=True))
    assert max(lapsed) == date(2027, 1, 1) and len(lapsed) == 13
    assert set(
        SuspendedMonth.objects.filter(claim=mixed["lapsed"]).values_list("month", flat=True)
    ) == {date(2027, 2, 1), date(2027, 3, 1), APR}
    assert not payments.filter(claim=mixed["deceased"]).exists()
    assert payments.get(claim=mixed["card"]).destination == "card"
    assert PensionArrears.objects.get(claim=mixed["arrears"]).amount == D("150.45")
    # Every month paid credited the medical account at the test rate.
    assert RetireeMedicalCredit.objects.count() == PensionPayment.objects.count()
    audit_clean()


def test_a_second_run_posts_nothing(mixed_on_time, set_writes):
    # (The increase entered on time: the months this run pays are created before the
    # fixed test date of a late increase, so they would look paid before it.)
    first = payment_run.pension_pay_month("2027-04", today=date(2027, 4, 1))[1]
    assert first.months_paid > 0 and set_writes == [first.months_paid + first.medical_credits]
    before = snapshot()
    again = payment_run.pension_pay_month("2027-04", today=date(2027, 4, 1))[1]
    assert (again.months_paid, again.medical_credits, again.arrears_paid) == (0, 0, 0)
    # Four paid before, one stopped; the lapsed one's April is suspended already.
    assert (again.already_paid, again.stopped) == (4, 1)
    assert SuspendedMonth.objects.filter(month=APR).count() == 1
    assert snapshot() == before
    assert set_writes == [first.months_paid + first.medical_credits]  # nothing staged again


def test_a_closed_medical_account_holds_back_only_its_credit_either_way(mixed, set_writes):
    medical = Account.objects.get(
        cardholder_id=mixed["card"].cardholder_id, scheme="medical", kind="personal"
    )
    Account.objects.filter(pk=medical.pk).update(
        status=Account.Status.CLOSED, closed_at=datetime(2027, 3, 31, tzinfo=UTC)
    )
    (by_rows, rows_view), (by_set, set_view) = both_ways("2027-04", date(2027, 4, 1))
    assert set_view == rows_view
    assert dataclasses.asdict(by_set) == dataclasses.asdict(by_rows)
    assert (mixed["card"].pk, "retiree_medical_account_closed") in by_set.refused
    assert PensionPayment.objects.filter(claim=mixed["card"], month=APR).exists()
    audit_clean()
