"""The card's own life: every card service writes one history row per real change, the
cardholder lifts their own loss report, and a cancelled card stays cancelled."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from accounts import services
from accounts.exceptions import CardCancelled, Forbidden, InvalidTransition
from accounts.models import CARD_TRANSITIONS, Cardholder, CardStatusChange, card_allows
from tests.factories import (
    CardholderFactory,
    StaffFactory,
    UserFactory,
    death_claim,
    emigration_claim_paid,
    staff_with,
    verify_death,
)

pytestmark = pytest.mark.django_db

Status = Cardholder.CardStatus
Why = CardStatusChange.Reason


@pytest.fixture
def alice():
    user = UserFactory(username="alice", first_name="Alice Wang")
    return CardholderFactory(user=user, name="Alice Wang")


def history(cardholder):
    """(from, to, reason, actor id) per row, oldest first."""
    return list(
        CardStatusChange.objects.filter(cardholder=cardholder)
        .order_by("at", "id")
        .values_list("from_status", "to_status", "reason", "actor_id")
    )


def set_card(cardholder, status):
    Cardholder.objects.filter(pk=cardholder.pk).update(card_status=status)
    cardholder.refresh_from_db()


# --- the table ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason", "allowed"),
    [
        (Status.ACTIVE, Why.REPORTED_LOST, True),
        (Status.REPORTED_LOST, Why.REPORTED_LOST, False),
        (Status.CANCELLED, Why.REPORTED_LOST, False),
        (Status.REPORTED_LOST, Why.LOSS_REPORT_LIFTED, True),
        (Status.ACTIVE, Why.LOSS_REPORT_LIFTED, False),
        (Status.FROZEN, Why.LOSS_REPORT_LIFTED, False),
        (Status.CANCELLED, Why.LOSS_REPORT_LIFTED, False),
        (Status.FROZEN, Why.REACTIVATED, True),
        (Status.CANCELLED, Why.REACTIVATED, False),
        (Status.REPORTED_LOST, Why.DEATH_VERIFIED, True),
        (Status.CANCELLED, Why.EMIGRATION_PAID, False),
    ],
)
def test_the_transitions_table(status, reason, allowed):
    assert card_allows(status, reason) is allowed


def test_nothing_leaves_a_cancelled_card():
    assert all(Status.CANCELLED not in sources for sources, _to in CARD_TRANSITIONS.values())


# --- each path writes its row ---------------------------------------------------------


def test_report_lost_writes_one_row_even_when_reported_twice(alice):
    services.card_report_lost(cardholder=alice, actor=alice.user)
    services.card_report_lost(cardholder=alice, actor=alice.user)
    assert alice.card_status == Status.REPORTED_LOST
    assert history(alice) == [("active", "reported_lost", "reported_lost", alice.user.pk)]


def test_staff_reactivation_writes_a_row_naming_the_staff_member(alice):
    staff = StaffFactory()
    services.card_report_lost(cardholder=alice, actor=staff)
    services.card_reactivate(cardholder=alice, actor=staff)
    assert alice.card_status == Status.ACTIVE
    assert history(alice) == [
        ("active", "reported_lost", "reported_lost", staff.pk),
        ("reported_lost", "active", "reactivated", staff.pk),
    ]


def test_the_cardholder_lifts_their_own_loss_report(alice):
    services.card_report_lost(cardholder=alice, actor=alice.user)
    services.card_lift_loss_report(cardholder=alice, actor=alice.user)
    services.card_lift_loss_report(cardholder=alice, actor=alice.user)  # a double click
    assert Cardholder.objects.get(pk=alice.pk).card_status == Status.ACTIVE
    assert history(alice) == [
        ("active", "reported_lost", "reported_lost", alice.user.pk),
        ("reported_lost", "active", "loss_report_lifted", alice.user.pk),
    ]


@pytest.mark.parametrize("who", ["someone else", "staff", "nobody"])
def test_only_the_cardholder_lifts_their_loss_report(alice, who):
    services.card_report_lost(cardholder=alice, actor=alice.user)
    actor = {"someone else": UserFactory(), "staff": StaffFactory(), "nobody": None}[who]
    with pytest.raises(Forbidden):
        services.card_lift_loss_report(cardholder=alice, actor=actor)
    assert Cardholder.objects.get(pk=alice.pk).card_status == Status.REPORTED_LOST
    assert len(history(alice)) == 1


def test_a_cancelled_card_cannot_be_lifted_reported_or_reactivated(alice):
    set_card(alice, Status.CANCELLED)
    for attempt in (
        lambda: services.card_lift_loss_report(cardholder=alice, actor=alice.user),
        lambda: services.card_report_lost(cardholder=alice, actor=alice.user),
        lambda: services.card_reactivate(cardholder=alice, actor=StaffFactory()),
    ):
        with pytest.raises(CardCancelled) as refused:
            attempt()
        assert refused.value.code == "card_cancelled"
        assert refused.value.field == "card_status"
    assert Cardholder.objects.get(pk=alice.pk).card_status == Status.CANCELLED
    assert history(alice) == []


def test_a_frozen_card_is_only_freed_by_a_service_centre(alice):
    set_card(alice, Status.FROZEN)
    with pytest.raises(InvalidTransition) as refused:
        services.card_lift_loss_report(cardholder=alice, actor=alice.user)
    assert "service centre" in str(refused.value.message)
    assert history(alice) == []


def test_a_verified_death_cancels_the_card_with_the_verifier_recorded(
    django_capture_on_commit_callbacks,
):
    application = death_claim(pension="300.00", medical=None)
    cardholder = application.cardholder
    user = UserFactory()
    Cardholder.objects.filter(pk=cardholder.pk).update(user=user)
    cardholder.refresh_from_db()
    services.card_report_lost(cardholder=cardholder, actor=user)
    verifier = staff_with("verify_life_event")
    verify_death(application, django_capture_on_commit_callbacks, verifier=verifier)
    assert Cardholder.objects.get(pk=cardholder.pk).card_status == Status.CANCELLED
    assert history(cardholder) == [
        ("active", "reported_lost", "reported_lost", user.pk),
        ("reported_lost", "cancelled", "death_verified", verifier.pk),
    ]


def test_a_paid_emigration_cancels_the_card(alice, django_capture_on_commit_callbacks):
    application = emigration_claim_paid(alice, django_capture_on_commit_callbacks, paid=False)
    # Approved and sent, not yet paid: the card is still the person's.
    assert Cardholder.objects.get(pk=alice.pk).card_status == Status.ACTIVE
    assert history(alice) == []

    from withdrawals import services as withdrawal_services

    withdrawal_services.payout_mark_paid(application)  # the bank's file: no actor
    assert Cardholder.objects.get(pk=alice.pk).card_status == Status.CANCELLED
    assert history(alice) == [("active", "cancelled", "emigration_paid", None)]


def test_a_paid_death_claim_writes_no_second_cancellation(django_capture_on_commit_callbacks):
    from tests.factories import approve_claim
    from withdrawals import services as withdrawal_services

    application = approve_claim(death_claim(), django_capture_on_commit_callbacks)
    withdrawal_services.payout_mark_sent([application])
    withdrawal_services.payout_mark_paid(application)
    reasons = [row[2] for row in history(application.cardholder)]
    assert reasons == ["death_verified"]


# --- append-only ------------------------------------------------------------------------


def test_history_rows_cannot_be_changed_or_removed(alice):
    services.card_report_lost(cardholder=alice, actor=alice.user)
    row = CardStatusChange.objects.get()
    row.reason = Why.REACTIVATED
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        CardStatusChange.objects.update(reason="reactivated")
    with pytest.raises(TypeError):
        CardStatusChange.objects.all().delete()


@pytest.mark.postgres
def test_postgres_refuses_changing_history_rows_by_sql(alice):
    services.card_report_lost(cardholder=alice, actor=alice.user)
    for sql in (
        "UPDATE accounts_cardstatuschange SET reason = 'reactivated'",
        "DELETE FROM accounts_cardstatuschange",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert CardStatusChange.objects.get().reason == Why.REPORTED_LOST


def test_cards_of_emigrations_paid_before_now_are_cancelled_once(
    alice, django_capture_on_commit_callbacks
):
    import importlib

    from django.apps import apps

    from casework.models import Case

    application = emigration_claim_paid(alice, django_capture_on_commit_callbacks, paid=False)
    # Paid by the code that came before: the card was left as it was.
    Case.objects.filter(pk=application.pk).update(status="paid")
    migration = importlib.import_module(
        "withdrawals.migrations.0006_cancel_cards_of_paid_emigrations"
    )
    migration.forwards(apps, None)
    migration.forwards(apps, None)
    assert Cardholder.objects.get(pk=alice.pk).card_status == Status.CANCELLED
    assert history(alice) == [("active", "cancelled", "emigration_paid", None)]


def test_staff_see_the_history_on_the_cardholder_page(alice, client):
    from django.contrib.auth import get_user_model

    from tests.conftest import otp_login

    services.card_report_lost(cardholder=alice, actor=alice.user)
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    page = otp_login(client, root).get(f"/admin/accounts/cardholder/{alice.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "card history" in html.lower()
    assert "Reported lost" in html
    assert 'name="card_changes-0-reason"' not in html  # shown, never editable
