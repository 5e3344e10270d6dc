"""The demo's estate without heirs: Huang Jianhua died in June 2025 and nobody came
forward, so the README's reviewer and approver can take it to the fund."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.audit import run_audit
from accounts.models import Account, Cardholder, LedgerTransaction
from withdrawals import demo, estates

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    return Cardholder.objects.with_national_id(demo.HUANG_JIANHUA_ID).get()


def test_his_death_is_recorded_and_his_personal_balances_wait(seeded):
    assert (seeded.name, seeded.romanised_name, seeded.card_number) == (
        "黄建华",
        "Huang Jianhua",
        "A10000012",
    )
    assert seeded.life_status == Cardholder.LifeStatus.DECEASED
    assert seeded.date_of_death == demo.DATE_OF_DEATH
    assert seeded.card_status == Cardholder.CardStatus.CANCELLED
    assert seeded.user is None
    pooled = Account.objects.filter(cardholder=seeded, kind=Account.Kind.POOLED)
    assert pooled and all(a.status == Account.Status.CLOSED and a.balance == 0 for a in pooled)
    personal = Account.objects.filter(cardholder=seeded, kind=Account.Kind.PERSONAL)
    assert {a.scheme for a in personal if a.balance > 0} == {"pension", "medical"}


def test_seeding_again_records_nothing_more(seeded):
    before = LedgerTransaction.objects.count()
    assert demo.seed() is False
    call_command("seed_demo", stdout=io.StringIO())
    assert LedgerTransaction.objects.count() == before


def test_reviewer_records_and_approver_confirms_the_estate_to_the_fund(seeded):
    users = get_user_model().objects
    reviewer, approver = users.get(username="reviewer"), users.get(username="approver")
    owed = sum(
        a.balance for a in Account.objects.filter(cardholder=seeded, kind=Account.Kind.PERSONAL)
    )

    record = estates.no_heir_record(seeded, actor=reviewer, note="Nobody came forward.")
    estates.no_heir_confirm(record, actor=approver)

    record.refresh_from_db()
    assert record.amount == owed > 0
    assert record.notice_days == 365
    personal = Account.objects.filter(cardholder=seeded, kind=Account.Kind.PERSONAL)
    assert all(a.balance == 0 and a.status == Account.Status.CLOSED for a in personal)
    lines = estates.record_lines(seeded)
    assert [line.kind for line in lines] == ["estate_to_fund"]
    assert "Art. 1160" in lines[0].detail
    assert run_audit().violations == []
