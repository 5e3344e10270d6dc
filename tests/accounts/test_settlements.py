import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum

from accounts import ledger, services
from accounts.exceptions import (
    AccountClosed,
    AccountFrozen,
    CardholderNotLiving,
    CardNotActive,
    DomainError,
    Forbidden,
    IdempotencyConflict,
    InsufficientBalance,
    InvalidAmount,
    UnknownCard,
)
from accounts.ledger import Leg
from accounts.models import Account, Cardholder, LedgerTransaction, Scheme, Settlement
from tests.factories import CardholderFactory, InstitutionFactory, StaffFactory, UserFactory


def medical(cardholder):
    return Account.objects.get(cardholder=cardholder, scheme=Scheme.MEDICAL, kind="personal")


def fund(cardholder, amount):
    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED)
    ledger.post(
        kind=LedgerTransaction.Kind.CONTRIBUTION,
        idempotency_key=f"fund:{cardholder.pk}",
        legs=[Leg(received.id, -Decimal(amount)), Leg(medical(cardholder).id, Decimal(amount))],
    )


@pytest.fixture
def alice(db):
    alice = CardholderFactory(name="Alice", card_number="A20000001")
    fund(alice, "100.00")
    return alice


@pytest.fixture
def pharmacy(db):
    return InstitutionFactory(name="Corner Pharmacy")


def settle(pharmacy, amount="30.00", key="k-1", card="A20000001", description="cough syrup"):
    return services.settlement_create(
        institution=pharmacy,
        card_number=card,
        amount=amount,
        description=description,
        idempotency_key=key,
    )


def test_purchase_debits_the_personal_medical_account(alice, pharmacy):
    settlement, created = settle(pharmacy)

    assert created
    assert settlement.amount == Decimal("30.00")
    assert settlement.cardholder == alice
    assert medical(alice).balance == Decimal("70.00")
    payable = ledger.system_account(Account.SystemCode.SETTLEMENTS_PAYABLE)
    assert payable.balance == Decimal("30.00")
    assert settlement.transaction.kind == LedgerTransaction.Kind.SETTLEMENT


def test_replay_returns_the_first_settlement_and_moves_nothing(alice, pharmacy):
    first, _ = settle(pharmacy, amount="30")
    again, created = settle(pharmacy, amount="30.00", card=" a20000001 ")

    assert not created
    assert again == first
    assert Settlement.objects.count() == 1
    assert medical(alice).balance == Decimal("70.00")


def test_same_key_different_body_is_a_409(alice, pharmacy):
    settle(pharmacy)
    with pytest.raises(IdempotencyConflict) as refused:
        settle(pharmacy, amount="31.00")
    assert refused.value.code == "idempotency_conflict"
    assert refused.value.status == 409
    assert medical(alice).balance == Decimal("70.00")


def test_same_key_at_another_institution_is_another_settlement(alice, pharmacy):
    settle(pharmacy)
    _, created = settle(InstitutionFactory())
    assert created
    assert medical(alice).balance == Decimal("40.00")


def test_insufficient_balance_is_refused_and_moves_nothing(alice, pharmacy):
    with pytest.raises(InsufficientBalance) as refused:
        settle(pharmacy, amount="100.01")
    assert refused.value.code == "insufficient_balance"
    assert medical(alice).balance == Decimal("100.00")
    assert not Settlement.objects.exists()
    assert not LedgerTransaction.objects.filter(kind="settlement").exists()


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (Cardholder.CardStatus.REPORTED_LOST, CardNotActive),
        (Cardholder.CardStatus.FROZEN, CardNotActive),
        (Cardholder.CardStatus.CANCELLED, CardNotActive),
    ],
)
def test_card_not_active_is_refused(alice, pharmacy, status, error):
    Cardholder.objects.filter(pk=alice.pk).update(card_status=status)
    with pytest.raises(error) as refused:
        settle(pharmacy)
    assert refused.value.code == "card_not_active"
    assert medical(alice).balance == Decimal("100.00")


def test_lost_card_reported_by_the_cardholder_is_refused(alice, pharmacy):
    user = UserFactory()
    Cardholder.objects.filter(pk=alice.pk).update(user=user)
    alice.refresh_from_db()
    services.card_report_lost(cardholder=alice, actor=user)
    with pytest.raises(CardNotActive):
        settle(pharmacy)
    with pytest.raises(Forbidden):
        services.card_reactivate(cardholder=alice, actor=user)
    services.card_reactivate(cardholder=alice, actor=StaffFactory())
    _, created = settle(pharmacy)
    assert created


def test_someone_else_cannot_report_the_card_lost(alice):
    with pytest.raises(Forbidden):
        services.card_report_lost(cardholder=alice, actor=UserFactory())


@pytest.mark.parametrize("life", ["deceased", "emigrated"])
def test_cardholder_not_living_here_is_refused(alice, pharmacy, life):
    Cardholder.objects.filter(pk=alice.pk).update(life_status=life, date_of_death="2026-01-02")
    with pytest.raises(CardholderNotLiving) as refused:
        settle(pharmacy)
    # A death (on record, dated before today) has its own code.
    expected = "cardholder_deceased" if life == "deceased" else "cardholder_not_living"
    assert refused.value.code == expected


def test_frozen_and_closed_accounts_are_refused(alice, pharmacy):
    staff = StaffFactory()
    services.account_freeze(account=medical(alice), actor=staff)
    with pytest.raises(AccountFrozen):
        settle(pharmacy)
    services.account_unfreeze(account=medical(alice), actor=staff)
    Account.objects.filter(pk=medical(alice).pk).update(status=Account.Status.CLOSED)
    with pytest.raises(AccountClosed):
        settle(pharmacy, key="k-2")
    with pytest.raises(AccountClosed):
        services.account_freeze(account=medical(alice), actor=staff)
    assert not Settlement.objects.exists()


def test_unknown_card(pharmacy, db):
    with pytest.raises(UnknownCard) as refused:
        settle(pharmacy, card="Z99999999")
    assert refused.value.code == "unknown_card"


@pytest.mark.parametrize("amount", ["0", "-5.00", "1.001", "abc", "", None, 1.5, "NaN", "Infinity"])
def test_bad_amount_is_refused(alice, pharmacy, amount):
    with pytest.raises(InvalidAmount) as refused:
        settle(pharmacy, amount=amount)
    assert refused.value.field == "amount"
    assert medical(alice).balance == Decimal("100.00")


def test_missing_key_is_refused(alice, pharmacy):
    with pytest.raises(DomainError) as refused:
        settle(pharmacy, key="  ")
    assert refused.value.code == "invalid_idempotency_key"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_settlements_never_overdraw():
    holder = CardholderFactory(card_number="C30000001")
    fund(holder, "1000.00")
    pharmacy = InstitutionFactory()
    start = medical(holder).balance
    amounts = [Decimal("37.00") + n for n in range(50)]  # far more than the balance in total
    accepted, refused, errors = [], [], []
    barrier = threading.Barrier(len(amounts))

    def buy(n, amount):
        try:
            barrier.wait()
            settlement, created = services.settlement_create(
                institution=pharmacy,
                card_number="C30000001",
                amount=amount,
                description=f"item {n}",
                idempotency_key=f"concurrent-{n}",
            )
            assert created
            accepted.append(settlement.amount)
        except InsufficientBalance:
            refused.append(amount)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buy, args=(n, a)) for n, a in enumerate(amounts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(accepted) + len(refused) == 50
    assert accepted and refused
    account = medical(holder)
    entries_total = account.entries.aggregate(total=Sum("amount"))["total"]
    assert account.balance >= 0
    assert account.balance == entries_total == start - sum(accepted)
    assert Settlement.objects.count() == len(accepted)
    # The balance only falls, so every refusal was for more than what is left now.
    assert account.balance < min(refused)
    assert connection.vendor == "postgresql"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_of_one_request_settle_once():
    holder = CardholderFactory(card_number="C30000002")
    fund(holder, "100.00")
    pharmacy = InstitutionFactory()
    results, errors = [], []
    barrier = threading.Barrier(10)

    def buy():
        try:
            barrier.wait()
            results.append(
                services.settlement_create(
                    institution=pharmacy,
                    card_number="C30000002",
                    amount="12.34",
                    description="bandages",
                    idempotency_key="same-request",
                )
            )
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buy) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len({settlement.pk for settlement, _created in results}) == 1
    assert sum(created for _settlement, created in results) == 1
    assert medical(holder).balance == Decimal("87.66")


# --- spending after death -------------------------------------------------------------


def test_after_a_verified_death_later_purchases_are_refused_and_earlier_ones_listed(
    alice, pharmacy
):
    from datetime import timedelta

    from django.utils import timezone

    from accounts import selectors
    from accounts.exceptions import CardholderDeceased

    before, _ = settle(pharmacy, amount="10.00", key="before")
    after, _ = settle(pharmacy, amount="12.50", key="after")
    later, _ = settle(pharmacy, amount="7.25", key="later")
    today = timezone.localdate()
    died = today - timedelta(days=10)
    # The first purchase was the day of the death, the others after it.
    Settlement.objects.filter(pk=before.pk).update(created_at=timezone.now() - timedelta(days=10))
    Settlement.objects.filter(pk=after.pk).update(created_at=timezone.now() - timedelta(days=9))
    assert selectors.settlements_to_recover(alice).settlements == []  # living: nothing

    # Staff verify the death (as withdrawals' cardholder_verify_death does).
    Cardholder.objects.filter(pk=alice.pk).update(life_status="deceased", date_of_death=died)
    alice.refresh_from_db()
    balance = medical(alice).balance
    with pytest.raises(CardholderDeceased) as refused:
        settle(pharmacy, amount="5.00", key="after-verification")
    assert refused.value.code == "cardholder_deceased"
    assert medical(alice).balance == balance
    assert not Settlement.objects.filter(idempotency_key="after-verification").exists()

    found = selectors.settlements_to_recover(alice)
    assert [s.pk for s in found.settlements] == [after.pk, later.pk]
    assert found.total == Decimal("19.75")
    # A purchase replayed with its old key still answers as before (nothing moves).
    replay, created = settle(pharmacy, amount="10.00", key="before")
    assert replay == before and not created


def test_the_cardholder_admin_page_lists_what_to_recover(alice, pharmacy, client):
    from datetime import timedelta

    from django.utils import timezone

    from tests.conftest import otp_login

    settle(pharmacy, amount="12.50", key="after")
    Cardholder.objects.filter(pk=alice.pk).update(
        life_status="deceased", date_of_death=timezone.localdate() - timedelta(days=3)
    )
    otp_login(client, StaffFactory(is_superuser=True))
    html = client.get(f"/admin/accounts/cardholder/{alice.pk}/change/").content.decode()
    assert "settlements to recover" in html.lower()
    assert "Corner Pharmacy" in html and "12.50" in html
