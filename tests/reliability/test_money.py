"""Money under concurrency, on PostgreSQL: nothing paid twice, nothing overdrawn,
one effect per idempotency key, and rows the database itself refuses to rewrite."""

import random
import threading
import time
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Min, Sum

from accounts.models import Account, InstitutionAPIKey, LedgerTransaction, Scheme, Settlement
from tests.factories import (
    CardholderFactory,
    InstitutionFactory,
    death_claim,
    fund,
    staff_with,
    verify_applicant,
)
from tests.reliability.conftest import (
    assert_ledger_clean,
    ledger_audit,
    ready_for_approval,
    run_at_once,
    token_client,
)
from withdrawals import eligibility, services, tasks
from withdrawals.models import ApplicationEvent, Status, WithdrawalApplication

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SETTLEMENTS_URL = "/api/v1/settlements/"


def personal_accounts(cardholder):
    return Account.objects.filter(cardholder=cardholder, kind=Account.Kind.PERSONAL)


def institution_key():
    """A pharmacy's API key (the secret a till sends)."""
    institution = InstitutionFactory()
    _key, secret = InstitutionAPIKey.objects.create_key(name="till", institution=institution)
    return secret


def api_key_client(secret):
    from rest_framework.test import APIClient

    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return client


# --- approvals -----------------------------------------------------------------------------


def test_200_concurrent_approvals_from_four_approvers_pay_out_once(record_property):
    application = ready_for_approval(pension="700.00", medical="300.00")
    approvers = [staff_with("approve_application", "view_withdrawalapplication") for _ in range(4)]
    clients = [token_client(user) for user in approvers]
    url = f"/api/v1/withdrawals/{application.pk}/approve/"

    def approve(n):
        response = clients[n % 4].post(url, {}, format="json")
        body = response.json()
        return response.status_code, body.get("code") or body.get("status")

    started = time.monotonic()
    outcomes = run_at_once(approve, 200, threads=25)
    elapsed = time.monotonic() - started
    record_property("approvals_seconds", round(elapsed, 2))

    counts = Counter(outcomes)
    assert counts[(200, Status.APPROVED)] == 1, counts
    assert counts[(409, "already_decided")] == 199, counts
    assert not [o for o in outcomes if isinstance(o, str) or o[0] >= 500]
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.PAYOUT).count() == 1
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.amount == Decimal("1000.00")
    assert application.approved_by in approvers
    assert application.events.filter(new_status=Status.APPROVED).count() == 1
    for account in personal_accounts(application.cardholder):
        assert (account.balance, account.status) == (Decimal("0.00"), Account.Status.CLOSED)
    payable = Account.objects.get(system_code=Account.SystemCode.PAYOUTS_PAYABLE)
    assert payable.balance == Decimal("1000.00")
    assert "Ledger OK" in ledger_audit()
    print(f"200 approvals on 25 threads in {elapsed:.2f}s: {dict(counts)}")


def test_an_heirs_claim_and_a_second_claim_on_one_account_pay_once():
    """Two heirs claim the same accounts at the same moment. The second is refused at
    submission (account_already_claimed); approving both at once then pays one."""
    first = death_claim(pension="800.00", medical="200.00")
    second = death_claim(cardholder=first.cardholder, pension=None, medical=None)

    def submit(n):
        application = (first, second)[n]
        try:
            services.application_submit(application, actor=application.applicant)
            return "submitted"
        except services.IneligibleError as exc:
            return exc.decision.codes

    outcomes = run_at_once(submit, 2, threads=2)
    assert "submitted" in outcomes, outcomes
    refused = [o for o in outcomes if o != "submitted"]
    assert len(refused) == 1 and eligibility.ACCOUNT_ALREADY_CLAIMED in refused[0], outcomes
    winner, loser = (first, second) if outcomes[0] == "submitted" else (second, first)
    loser.refresh_from_db()
    assert loser.status == Status.DRAFT
    assert eligibility.ACCOUNT_ALREADY_CLAIMED in loser.decision_codes  # kept on the record

    tasks.review_application.apply(args=[winner.pk])
    services.cardholder_verify_death(
        winner,
        actor=staff_with("verify_life_event"),
        date_of_death=date(2026, 1, 3),
        certificate_number="DC-1",
    )
    verify_applicant(winner)
    approvers = [staff_with("approve_application"), staff_with("approve_application")]

    def approve(n):
        application = WithdrawalApplication.objects.get(pk=(winner, loser)[n].pk)
        try:
            services.application_approve(application, actor=approvers[n])
            return "approved"
        except services.DomainError as exc:
            return exc.code

    assert run_at_once(approve, 2, threads=2) == ["approved", "illegal_transition"]
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.PAYOUT).count() == 1
    assert sum(a.balance for a in personal_accounts(first.cardholder)) == Decimal("0.00")
    assert_ledger_clean()


def test_two_claims_both_awaiting_a_decision_never_pay_twice():
    """Defence in depth: even if a second claim on the same accounts had slipped past
    the submission check, approving both at once moves the money at most once."""
    first = death_claim(pension="800.00", medical="200.00")
    second = death_claim(cardholder=first.cardholder, pension=None, medical=None)
    ready_for_approval(first)
    WithdrawalApplication.objects.filter(pk=second.pk).update(status=Status.AWAITING_DECISION)
    approvers = [staff_with("approve_application"), staff_with("approve_application")]

    def approve(n):
        application = WithdrawalApplication.objects.get(pk=(first, second)[n].pk)
        try:
            services.application_approve(application, actor=approvers[n])
            return "approved"
        except services.IneligibleError as exc:
            return sorted(set(exc.decision.codes))
        except services.DomainError as exc:
            return exc.code

    outcomes = run_at_once(approve, 2, threads=2)
    payouts = LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.PAYOUT).count()
    assert payouts == outcomes.count("approved") <= 1, outcomes
    # Each claim sees the other holding the accounts: both go back to a human.
    assert all(eligibility.ACCOUNT_ALREADY_CLAIMED in o for o in outcomes), outcomes
    assert sum(a.balance for a in personal_accounts(first.cardholder)) == Decimal("1000.00")
    assert_ledger_clean()


# --- settlements ----------------------------------------------------------------------------


def test_500_concurrent_settlements_with_random_amounts_never_overdraw():
    holder = CardholderFactory()
    account = fund(holder, Scheme.MEDICAL, "3000.00")
    start = account.balance
    rng = random.Random(20260808)
    amounts = [Decimal(rng.randint(1, 3000)) / 100 for _ in range(500)]
    secret = institution_key()
    clients = {}

    def settle(n):
        client = clients.setdefault(threading.get_ident(), api_key_client(secret))
        response = client.post(
            SETTLEMENTS_URL,
            {"card_number": holder.card_number, "amount": str(amounts[n]), "description": "x"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"random-{n}",
        )
        return response.status_code, response.json().get("code")

    started = time.monotonic()
    outcomes = run_at_once(settle, 500, threads=25)
    elapsed = time.monotonic() - started

    counts = Counter(outcomes)
    assert set(counts) <= {(201, None), (422, "insufficient_balance")}, counts
    accepted = [amounts[n] for n, o in enumerate(outcomes) if o[0] == 201]
    refused = [amounts[n] for n, o in enumerate(outcomes) if o[0] != 201]
    assert accepted and refused
    account.refresh_from_db()
    entries = account.entries.aggregate(total=Sum("amount"), lowest=Min("balance_after"))
    assert entries["lowest"] >= 0  # never negative, at any point in the chain
    assert account.balance == start - sum(accepted) == entries["total"]
    assert account.balance < min(refused)  # every refusal was for more than was left
    assert Settlement.objects.filter(cardholder=holder).count() == len(accepted)
    assert "Ledger OK" in ledger_audit()
    print(
        f"500 settlements on 25 threads in {elapsed:.2f}s: {len(accepted)} accepted "
        f"({sum(accepted)}), {len(refused)} refused, {account.balance} left"
    )


def test_one_idempotency_key_replayed_1000_times_50_at_once_has_one_effect():
    holder = CardholderFactory()
    account = fund(holder, Scheme.MEDICAL, "500.00")
    secret = institution_key()
    body = {"card_number": holder.card_number, "amount": "42.50", "description": "inhaler"}
    clients = {}

    def replay(n):
        client = clients.setdefault(threading.get_ident(), api_key_client(secret))
        response = client.post(
            SETTLEMENTS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="receipt-0001"
        )
        return response.status_code, response.content

    started = time.monotonic()
    outcomes = run_at_once(replay, 1000, threads=50)
    elapsed = time.monotonic() - started

    assert len(set(outcomes)) == 1, Counter(outcomes).most_common(3)
    status, content = outcomes[0]
    assert status == 201, content
    assert Settlement.objects.count() == 1
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.SETTLEMENT).count() == 1
    account.refresh_from_db()
    assert account.balance == Decimal("457.50")

    other = api_key_client(secret).post(
        SETTLEMENTS_URL,
        {**body, "amount": "42.51"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="receipt-0001",
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_conflict"
    account.refresh_from_db()
    assert account.balance == Decimal("457.50")
    assert "Ledger OK" in ledger_audit()
    print(f"1000 replays on 50 threads in {elapsed:.2f}s: 1 settlement, identical answers")


# --- rows the database refuses to rewrite ----------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE casework_event SET note_code = 'rewritten' WHERE id = %s",
        "DELETE FROM casework_event WHERE id = %s",
    ],
)
def test_postgres_refuses_to_rewrite_the_application_timeline(sql):
    application = death_claim()
    services.application_submit(application, actor=application.applicant)
    event = ApplicationEvent.objects.filter(case=application).latest("id")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.note and event.note != "rewritten"
