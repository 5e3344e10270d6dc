"""The bulk ledger writer keeps the invariants of `ledger.post`, on SQLite and PostgreSQL."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from accounts import ledger, ledger_bulk
from accounts.audit import run_audit
from accounts.exceptions import UnbalancedTransaction
from accounts.models import Account, Contribution, LedgerEntry, LedgerTransaction, Settlement
from tests.factories import CardholderFactory, EmployerFactory, InstitutionFactory

pytestmark = pytest.mark.django_db
KIND = LedgerTransaction.Kind.SETTLEMENT


@pytest.fixture
def accounts():
    person = CardholderFactory()
    return {
        "person": person,
        "received": ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED).pk,
        "payable": ledger.system_account(Account.SystemCode.SETTLEMENTS_PAYABLE).pk,
        "personal": person.accounts.get(scheme="medical", kind="personal").pk,
        "pooled": person.accounts.get(scheme="medical", kind="pooled").pk,
    }


def credit(accounts, key, amount, target="personal"):
    amount = Decimal(amount)
    return ledger_bulk.Posting(
        key, "contribution", ((accounts["received"], -amount), (accounts[target], amount))
    )


def debit(accounts, key, amount):
    amount = Decimal(amount)
    return ledger_bulk.Posting(
        key, KIND, ((accounts["personal"], -amount), (accounts["payable"], amount))
    )


def balance(pk):
    return Account.objects.get(pk=pk).balance


def test_groups_post_with_running_balances_and_the_audit_passes(accounts):
    outcome = ledger_bulk.BulkWriter().post(
        [
            ledger_bulk.Group(1, [credit(accounts, "a", "100.00"), credit(accounts, "b", "5.50")]),
            ledger_bulk.Group(2, [debit(accounts, "c", "30.25")]),
        ]
    )

    assert (outcome.posted, outcome.transactions, outcome.refused) == (2, 3, [])
    assert balance(accounts["personal"]) == Decimal("75.25")
    assert list(
        LedgerEntry.objects.filter(account_id=accounts["personal"])
        .order_by("id")
        .values_list("amount", "balance_after")
    ) == [
        (Decimal("100.00"), Decimal("100.00")),
        (Decimal("5.50"), Decimal("105.50")),
        (Decimal("-30.25"), Decimal("75.25")),
    ]
    assert run_audit().ok


def test_a_key_posts_once_even_repeated_within_a_chunk(accounts):
    writer = ledger_bulk.BulkWriter()
    first = writer.post(
        [
            ledger_bulk.Group(1, [credit(accounts, "k", "10.00")]),
            ledger_bulk.Group(2, [credit(accounts, "k", "10.00")]),
        ]
    )
    again = writer.post([ledger_bulk.Group(3, [credit(accounts, "k", "10.00")])])

    assert (first.posted, first.already_posted) == (1, 1)
    assert (again.posted, again.already_posted, again.transactions) == (0, 1, 0)
    assert balance(accounts["personal"]) == Decimal("10.00")
    assert LedgerTransaction.objects.filter(idempotency_key="k").count() == 1


def test_an_overdraft_refuses_its_whole_group_and_nothing_else(accounts):
    outcome = ledger_bulk.BulkWriter().post(
        [
            ledger_bulk.Group(1, [credit(accounts, "in", "50.00")]),
            # The credit in this group does not make up for the overdraft before it.
            ledger_bulk.Group(
                2, [debit(accounts, "out", "60.00"), credit(accounts, "in2", "100.00")]
            ),
            ledger_bulk.Group(3, [debit(accounts, "out2", "50.00")]),
        ]
    )

    assert outcome.refused == [(2, "insufficient_balance")]
    assert (outcome.posted, outcome.transactions) == (2, 2)
    assert balance(accounts["personal"]) == Decimal("0.00")
    assert not LedgerTransaction.objects.filter(idempotency_key__in=["out", "in2"]).exists()
    assert run_audit().ok


def test_closed_frozen_and_missing_accounts_are_refused_per_group(accounts):
    other = CardholderFactory()
    frozen = other.accounts.get(scheme="medical", kind="personal")
    closed = other.accounts.get(scheme="pension", kind="personal")
    Account.objects.filter(pk=frozen.pk).update(status=Account.Status.FROZEN, balance=0)
    Account.objects.filter(pk=closed.pk).update(status=Account.Status.CLOSED)
    accounts = {**accounts, "frozen": frozen.pk, "closed": closed.pk, "gone": 10**9}
    writer = ledger_bulk.BulkWriter()

    outcome = writer.post(
        [
            ledger_bulk.Group("to closed", [credit(accounts, "1", "1.00", target="closed")]),
            ledger_bulk.Group("to frozen", [credit(accounts, "2", "1.00", target="frozen")]),
            ledger_bulk.Group("to nowhere", [credit(accounts, "3", "1.00", target="gone")]),
            ledger_bulk.Group(
                "from frozen",
                [
                    ledger_bulk.Posting(
                        "4",
                        KIND,
                        ((frozen.pk, Decimal("-1.00")), (accounts["payable"], Decimal("1.00"))),
                    )
                ],
            ),
        ]
    )

    assert sorted(outcome.refused) == [
        ("from frozen", "account_frozen"),
        ("to closed", "account_closed"),
        ("to nowhere", "no_accounts"),
    ]
    # Money may still come in to a frozen account.
    assert (outcome.posted, balance(frozen.pk)) == (1, Decimal("1.00"))


def test_an_unbalanced_posting_is_refused_before_anything_moves(accounts):
    lopsided = ledger_bulk.Posting(
        "x",
        KIND,
        ((accounts["received"], Decimal("-1.00")), (accounts["personal"], Decimal("2.00"))),
    )
    one_account = ledger_bulk.Posting(
        "y",
        KIND,
        ((accounts["personal"], Decimal("-1.00")), (accounts["personal"], Decimal("1.00"))),
    )
    for posting in (lopsided, one_account):
        with pytest.raises(UnbalancedTransaction):
            ledger_bulk.BulkWriter().post([ledger_bulk.Group(1, [posting])])
    assert not LedgerTransaction.objects.exists()


def test_records_are_written_with_their_postings_and_a_vanished_row_refuses_the_group(accounts):
    employer, gone = EmployerFactory(), EmployerFactory()
    institution = InstitutionFactory()
    contributions = ledger_bulk.Records(
        Contribution,
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
        ],
        held=["employer_id"],
        owner="cardholder_id",
    )
    settlements = ledger_bulk.Records(
        Settlement,
        ["institution_id", "cardholder_id", "amount", "description", "idempotency_key"],
        held=["institution_id"],
        owner="cardholder_id",
    )
    person = accounts["person"].pk
    month = date(2026, 1, 1)

    def contribution(key, employer_id):
        posting = credit(accounts, key, "200.00")
        posting.records = contributions
        posting.record = (
            person,
            employer_id,
            "medical",
            month,
            "employee",
            Decimal("10000.00"),
            Decimal("10000.00"),
            Decimal("0.00"),
            Decimal("200.00"),
        )
        return posting

    purchase = debit(accounts, "buy", "12.50")
    purchase.records = settlements
    purchase.record = (institution.pk, person, Decimal("12.50"), "Pills", "buy")
    gone_id = gone.pk
    gone.delete()

    outcome = ledger_bulk.BulkWriter().post(
        [
            ledger_bulk.Group(1, [contribution("c1", employer.pk)]),
            ledger_bulk.Group(2, [contribution("c2", gone_id)]),
            ledger_bulk.Group(3, [purchase]),
        ]
    )

    assert outcome.refused == [(2, "unknown_employer")]
    row = Contribution.objects.get()
    assert (row.employer, row.to_personal, row.transaction.idempotency_key) == (
        employer,
        Decimal("200.00"),
        "c1",
    )
    settlement = Settlement.objects.get()
    assert (settlement.amount, settlement.transaction.idempotency_key) == (Decimal("12.50"), "buy")
    assert balance(accounts["personal"]) == Decimal("187.50")
    assert run_audit().ok


@pytest.mark.postgres
def test_a_draft_on_stale_balances_is_written_from_the_locked_ones(accounts):
    # Prepared on one balance, the account moves before the chunk is written: the
    # guarded UPDATE finds it changed and the chunk is written the careful way.
    writer = ledger_bulk.BulkWriter()
    prepared = writer.prepare([ledger_bulk.Group(1, [credit(accounts, "late", "10.00")])])
    assert prepared.draft is not None
    ledger.post(
        kind="contribution",
        idempotency_key="meanwhile",
        legs=[
            ledger.Leg(accounts["received"], Decimal("-7.00")),
            ledger.Leg(accounts["personal"], Decimal("7.00")),
        ],
    )

    outcome = writer.write(prepared)

    assert outcome.posted == 1
    assert balance(accounts["personal"]) == Decimal("17.00")
    assert run_audit().ok


@pytest.mark.postgres
def test_a_key_posted_while_the_chunk_was_prepared_loses_the_race_cleanly(accounts):
    writer = ledger_bulk.BulkWriter()
    prepared = writer.prepare(
        [
            ledger_bulk.Group(1, [credit(accounts, "raced", "10.00")]),
            ledger_bulk.Group(2, [credit(accounts, "other", "1.00", target="pooled")]),
        ]
    )
    ledger.post(
        kind="contribution",
        idempotency_key="raced",
        legs=[
            ledger.Leg(accounts["received"], Decimal("-10.00")),
            ledger.Leg(accounts["personal"], Decimal("10.00")),
        ],
    )

    outcome = writer.write(prepared)

    assert (outcome.posted, outcome.already_posted, outcome.transactions) == (1, 1, 1)
    assert balance(accounts["personal"]) == Decimal("10.00")
    assert balance(accounts["pooled"]) == Decimal("1.00")
    assert run_audit().ok


@pytest.mark.postgres
def test_the_population_generator_posts_through_the_writer_and_passes_the_audit():
    from bench.population import generate, generate_deep_account

    counts = generate(cardholders=30, months=2, employers=3, settle_every=3, log=lambda _: None)
    holder = generate_deep_account(entries=300, log=lambda _: None)

    assert counts["cardholders"] == 30
    # 27 employed people × 7 parts (maternity goes with medical) + 3 flexibly employed
    # × 2, per month, plus purchases.
    assert Contribution.objects.filter(cardholder__card_number__startswith="G").exclude(
        cardholder=holder
    ).count() == 2 * (27 * 7 + 3 * 2)
    assert Settlement.objects.exists()
    medical = holder.accounts.get(scheme="medical", kind="personal")
    assert medical.entries.count() > 250
    assert run_audit().ok
    assert connection.vendor == "postgresql"
