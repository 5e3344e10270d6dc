"""Two members of staff confirming the same estate without heirs at the same moment, on
PostgreSQL: the balances go to the fund once, and the ledger audit is clean."""

from datetime import date, timedelta

import pytest

from accounts.audit import run_audit
from accounts.exceptions import DomainError
from accounts.models import Cardholder, LedgerTransaction
from tests.factories import CardholderFactory, fund, staff_with
from tests.reliability.conftest import run_at_once
from withdrawals import estates
from withdrawals.models import HeirNoticePeriod, NoHeirRecord

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_confirmations_at_once_post_once():
    HeirNoticePeriod.objects.get_or_create(
        region="000000",
        effective_from=date(2020, 1, 1),
        defaults={"days": 365, "source": "DEMO: one year"},
    )
    person = CardholderFactory(name="Zhou Lao")
    fund(person, "pension", "900.00")
    fund(person, "medical", "100.00")
    died = date(2024, 5, 1)
    Cardholder.objects.filter(pk=person.pk).update(
        life_status=Cardholder.LifeStatus.DECEASED, date_of_death=died
    )
    recorder = staff_with("review_application")
    confirmers = [staff_with("approve_application") for _ in range(4)]
    row = estates.no_heir_record(person, actor=recorder, today=died + timedelta(days=400))

    def attempt(n):
        try:
            estates.no_heir_confirm(row, actor=confirmers[n])
            return "confirmed"
        except DomainError as exc:
            return exc.code

    outcomes = run_at_once(attempt, 4, threads=4)

    assert sorted(outcomes) == ["already_decided"] * 3 + ["confirmed"], outcomes
    assert LedgerTransaction.objects.filter(kind="estate_to_fund").count() == 1
    assert NoHeirRecord.objects.get(pk=row.pk).amount == 1000
    assert run_audit().violations == []
