from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from accounts import ledger, services
from accounts.exceptions import (
    AccountClosed,
    AccountFrozen,
    DomainError,
    InsufficientBalance,
    InvalidAmount,
    UnbalancedTransaction,
)
from accounts.ledger import Leg
from accounts.models import Account, LedgerEntry, LedgerTransaction
from tests.conftest import otp_login
from tests.factories import CardholderFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts():
    person = CardholderFactory()
    return {
        "received": ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED),
        "personal": person.accounts.get(scheme="medical", kind="personal"),
        "pooled": person.accounts.get(scheme="medical", kind="pooled"),
    }


def move(source, target, amount, key):
    return ledger.post(
        kind=LedgerTransaction.Kind.CONTRIBUTION,
        idempotency_key=key,
        legs=[Leg(source.id, -Decimal(amount)), Leg(target.id, Decimal(amount))],
    )


def fresh(account):
    account.refresh_from_db()
    return account


def test_balanced_posting_moves_money_and_records_running_balances(accounts):
    txn, created = move(accounts["received"], accounts["personal"], "100.00", "t1")

    assert created
    assert fresh(accounts["personal"]).balance == Decimal("100.00")
    entry = txn.entries.get(account=accounts["personal"])
    assert (entry.amount, entry.balance_after, entry.kind) == (
        Decimal("100.00"),
        Decimal("100.00"),
        "contribution",
    )
    assert sum(txn.entries.values_list("amount", flat=True)) == 0


def test_same_key_posts_once(accounts):
    first, _ = move(accounts["received"], accounts["personal"], "100.00", "t1")
    again, created = move(accounts["received"], accounts["personal"], "100.00", "t1")
    assert not created and again == first
    assert fresh(accounts["personal"]).balance == Decimal("100.00")


def test_unbalanced_is_refused(accounts):
    with pytest.raises(UnbalancedTransaction):
        ledger.post(
            kind="contribution",
            idempotency_key="bad",
            legs=[Leg(accounts["received"].id, Decimal("-1.00")), Leg(accounts["pooled"].id, 2)],
        )
    same = accounts["pooled"].id
    with pytest.raises(UnbalancedTransaction):
        ledger.post(
            kind="contribution",
            idempotency_key="one-account",
            legs=[Leg(same, Decimal("-5.00")), Leg(same, Decimal("5.00"))],
        )
    assert not LedgerTransaction.objects.exists()


def test_overdraft_is_refused_and_nothing_written(accounts):
    move(accounts["received"], accounts["personal"], "10.00", "t1")
    with pytest.raises(InsufficientBalance):
        move(accounts["personal"], accounts["pooled"], "10.01", "t2")
    assert fresh(accounts["personal"]).balance == Decimal("10.00")
    assert fresh(accounts["pooled"]).balance == Decimal("0.00")
    assert not LedgerTransaction.objects.filter(idempotency_key="t2").exists()
    assert LedgerEntry.objects.count() == 2


def test_system_accounts_may_go_negative(accounts):
    move(accounts["received"], accounts["pooled"], "5.00", "t1")
    assert fresh(accounts["received"]).balance < 0


def test_closed_account_takes_nothing(accounts):
    Account.objects.filter(pk=accounts["pooled"].pk).update(status=Account.Status.CLOSED)
    with pytest.raises(AccountClosed):
        move(accounts["received"], accounts["pooled"], "1.00", "credit")
    assert not LedgerEntry.objects.exists()


def test_frozen_account_refuses_debits_but_takes_credits(accounts):
    move(accounts["received"], accounts["personal"], "10.00", "t1")
    services.account_freeze(account=accounts["personal"], actor=StaffFactory())
    with pytest.raises(AccountFrozen):
        move(accounts["personal"], accounts["pooled"], "1.00", "debit")
    move(accounts["received"], accounts["personal"], "1.00", "credit")
    assert fresh(accounts["personal"]).balance == Decimal("11.00")


@pytest.mark.parametrize("amount", ["1.001", "abc", "NaN", 0.1])
def test_bad_amounts_are_refused(accounts, amount):
    with pytest.raises(InvalidAmount):
        ledger.post(
            kind="contribution",
            idempotency_key="bad",
            legs=[Leg(accounts["received"].id, amount), Leg(accounts["pooled"].id, amount)],
        )


def test_orm_refuses_update_and_delete(accounts):
    txn, _ = move(accounts["received"], accounts["personal"], "10.00", "t1")
    entry = txn.entries.first()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("99.00"))
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(TypeError):
        LedgerTransaction.objects.all().update(description="x")
    entry.amount = Decimal("99.00")
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        txn.delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("10.00")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts_ledgerentry SET amount = 99 WHERE id = %s",
        "DELETE FROM accounts_ledgerentry WHERE id = %s",
    ],
)
def test_postgres_refuses_raw_update_and_delete(accounts, sql):
    txn, _ = move(accounts["received"], accounts["personal"], "10.00", "t1")
    entry = txn.entries.first()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == entry.amount


def test_reversal_negates_and_references_the_original(accounts):
    txn, _ = move(accounts["received"], accounts["personal"], "10.00", "t1")
    staff = StaffFactory()

    correction, created = services.correction_post(original=txn, actor=staff, reason="wrong person")
    again, created_again = services.correction_post(original=txn, actor=staff, reason="again")

    assert created and not created_again and again == correction
    assert correction.kind == LedgerTransaction.Kind.CORRECTION
    assert correction.reverses == txn and correction.created_by == staff
    assert sorted(correction.entries.values_list("amount", flat=True)) == [
        Decimal("-10.00"),
        Decimal("10.00"),
    ]
    assert fresh(accounts["personal"]).balance == Decimal("0.00")
    with pytest.raises(DomainError) as refused:
        services.correction_post(original=txn, actor=staff, reason="  ")
    assert refused.value.code == "reason_required"


def test_reversal_that_would_overdraw_is_refused(accounts):
    txn, _ = move(accounts["received"], accounts["personal"], "10.00", "t1")
    move(accounts["personal"], accounts["pooled"], "5.00", "spent")
    with pytest.raises(InsufficientBalance):
        services.correction_post(original=txn, actor=StaffFactory(), reason="oops")
    assert fresh(accounts["personal"]).balance == Decimal("5.00")


def test_only_staff_correct(accounts):
    from accounts.exceptions import Forbidden
    from tests.factories import UserFactory

    txn, _ = move(accounts["received"], accounts["personal"], "10.00", "t1")
    with pytest.raises(Forbidden):
        services.correction_post(original=txn, actor=UserFactory(), reason="mine")


# --- the admin shows the ledger but never changes it ---------------------------------


@pytest.fixture
def admin_client_for(client):
    def login(user):
        # Staff have passed the admin's second factor (TOTP).
        return otp_login(client, user)

    return login


def test_admin_ledger_is_read_only_even_for_superusers(accounts, admin_client_for):
    from django.contrib.auth import get_user_model

    txn, _ = move(accounts["received"], accounts["personal"], "10.00", "t1")
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client = admin_client_for(root)

    assert client.get("/admin/accounts/ledgertransaction/").status_code == 200
    page = client.get(f"/admin/accounts/ledgertransaction/{txn.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get("/admin/accounts/ledgertransaction/add/").status_code == 403
    assert client.post(f"/admin/accounts/ledgertransaction/{txn.pk}/delete/").status_code == 403
    assert client.get("/admin/accounts/ledgerentry/").status_code == 200  # a read-only list
    assert client.get("/admin/accounts/ledgerentry/add/").status_code == 403
    for model in ["contribution", "settlement"]:
        assert client.get(f"/admin/accounts/{model}/add/").status_code == 403
    assert LedgerTransaction.objects.filter(pk=txn.pk).exists()


def test_admin_pages_render_and_mask_id_numbers(accounts, admin_client_for):
    from django.contrib.auth.models import Permission

    holder = accounts["personal"].cardholder
    staff = StaffFactory()
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="accounts",
            codename__startswith="view_",
        ).exclude(codename="view_full_national_id")
    )
    client = admin_client_for(staff)
    for path in [
        "cardholder",
        "employer",
        "institution",
        "account",
        "ledgertransaction",
        "contributionrate",
        "contribution",
        "settlement",
        "user",
    ]:
        assert client.get(f"/admin/accounts/{path}/").status_code == 200, path
    listing = client.get("/admin/accounts/cardholder/", {"q": holder.card_number.lower()})
    assert holder.masked_national_id.encode() in listing.content
    assert holder.national_id.encode() not in listing.content
    detail = client.get(f"/admin/accounts/cardholder/{holder.pk}/change/")
    assert holder.national_id.encode() not in detail.content

    staff.user_permissions.add(Permission.objects.get(codename="view_full_national_id"))
    client = admin_client_for(type(staff).objects.get(pk=staff.pk))
    listing = client.get("/admin/accounts/cardholder/", {"q": holder.national_id})
    assert holder.national_id.encode() in listing.content
    assert client.get("/admin/accounts/ledgertransaction/", {"q": "abc"}).status_code == 200


def test_admin_freezes_an_account_through_the_service(accounts, admin_client_for):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client = admin_client_for(root)
    response = client.post(
        "/admin/accounts/account/",
        {"action": "freeze", "_selected_action": [accounts["personal"].pk]},
    )
    assert response.status_code == 302
    assert fresh(accounts["personal"]).status == Account.Status.FROZEN


def test_admin_adding_a_cardholder_opens_their_seven_accounts(db, admin_client_for):
    from django.contrib.auth import get_user_model

    from accounts.models import Cardholder

    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client = admin_client_for(root)
    response = client.post(
        "/admin/accounts/cardholder/add/",
        {
            "name": "Sun Li",
            "national_id": "11010519491231002x",
            "gender": "F",
            "date_of_birth": "1949-12-31",
            "region": "000000",
            "card_number": "A20000001",
            "card_status": "active",
            "employment_status": "retired",
            "life_status": "living",
            # The (read-only) accounts inline still sends its management form.
            "accounts-TOTAL_FORMS": "0",
            "accounts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    cardholder = Cardholder.objects.get(card_number="A20000001")
    assert cardholder.national_id == "11010519491231002X"
    assert sorted(cardholder.accounts.values_list("scheme", "kind")) == sorted(
        [(s, "pooled") for s in ("pension", "medical", "unemployment", "work_injury", "maternity")]
        + [("pension", "personal"), ("medical", "personal")]
    )
