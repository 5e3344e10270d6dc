"""An estate without heirs (CC Art. 1160): one member of staff records that nobody came
forward within the region's notice period, a second confirms, and the personal balances
go to the fund by one ledger posting shown on the deceased's record."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts import extensions
from accounts.audit import run_audit
from accounts.exceptions import DomainError
from accounts.models import Account, Cardholder, LedgerTransaction, fund_code
from tests.factories import CardholderFactory, death_claim, fund, staff_with
from withdrawals import estates
from withdrawals.models import HeirNoticePeriod, NoHeirRecord

pytestmark = pytest.mark.django_db

DIED = date(2025, 1, 10)
AFTER = DIED + timedelta(days=400)


def deceased(region="000000", died=DIED):
    cardholder = CardholderFactory(name="Zhou Lao", region=region)
    fund(cardholder, "pension", "1500.50")
    fund(cardholder, "medical", "320.25")
    Cardholder.objects.filter(pk=cardholder.pk).update(
        life_status=Cardholder.LifeStatus.DECEASED, date_of_death=died
    )
    cardholder.refresh_from_db()
    return cardholder


def notice(region="000000", days=365):
    return HeirNoticePeriod.objects.create(
        region=region, effective_from=date(2020, 1, 1), days=days, source="DEMO: one year"
    )


@pytest.fixture
def staff():
    return staff_with("review_application"), staff_with("approve_application")


def test_record_then_a_second_person_confirms_and_the_balances_go_to_the_fund(staff):
    recorder, confirmer = staff
    notice()
    person = deceased()

    record_row = estates.no_heir_record(person, actor=recorder, note="Notices posted", today=AFTER)
    assert record_row.notice_ended_on == DIED + timedelta(days=365)
    assert not LedgerTransaction.objects.filter(kind="estate_to_fund").exists()

    confirmed = estates.no_heir_confirm(record_row, actor=confirmer)

    assert confirmed.amount == Decimal("1820.75")
    txn = LedgerTransaction.objects.get(kind="estate_to_fund")
    assert confirmed.transaction == txn
    personal = person.accounts.filter(kind=Account.Kind.PERSONAL)
    assert {a.scheme: (a.balance, a.status) for a in personal} == {
        "pension": (Decimal("0.00"), "closed"),
        "medical": (Decimal("0.00"), "closed"),
    }
    funds = {
        a.system_code: a.balance
        for a in Account.objects.filter(
            system_code__in=[fund_code(s, "000000") for s in ("pension", "medical")]
        )
    }
    assert funds == {
        fund_code("pension", "000000"): Decimal("1500.50"),
        fund_code("medical", "000000"): Decimal("320.25"),
    }
    shown = [line for line in extensions.record_lines(person) if line.kind == "estate_to_fund"]
    assert len(shown) == 1
    assert "Art. 1160" in shown[0].detail and "365 days" in shown[0].detail
    assert "1820.75" in shown[0].title
    assert run_audit().violations == []
    out = io.StringIO()
    call_command("ledger_audit", stdout=out)
    assert "Ledger OK: no violations." in out.getvalue()


def test_the_same_person_cannot_confirm_what_they_recorded(staff):
    _recorder, _confirmer = staff
    both = staff_with("review_application", "approve_application")
    notice()
    row = estates.no_heir_record(deceased(), actor=both, today=AFTER)
    with pytest.raises(DomainError) as refused:
        estates.no_heir_confirm(row, actor=both)
    assert refused.value.code == "same_person"
    assert not LedgerTransaction.objects.filter(kind="estate_to_fund").exists()


def test_a_second_confirmation_is_refused_and_moves_nothing(staff):
    recorder, confirmer = staff
    other = staff_with("approve_application")
    notice()
    row = estates.no_heir_record(deceased(), actor=recorder, today=AFTER)
    estates.no_heir_confirm(row, actor=confirmer)
    with pytest.raises(DomainError) as again:
        estates.no_heir_confirm(row, actor=other)
    assert again.value.code == "already_decided"
    assert LedgerTransaction.objects.filter(kind="estate_to_fund").count() == 1


def test_a_region_without_a_notice_period_is_refused_naming_it(staff):
    recorder, _ = staff
    with pytest.raises(DomainError) as refused:
        estates.no_heir_record(deceased(region="999900"), actor=recorder, today=AFTER)
    assert refused.value.code == "heir_notice_period_missing"
    assert "999900" in str(refused.value.message)
    assert not NoHeirRecord.objects.exists()


def test_the_demo_regions_have_a_notice_period_marked_demo():
    rows = HeirNoticePeriod.objects.filter(region="440300")
    assert rows.exists()
    assert all(r.illustrative and r.source.startswith("DEMO") for r in rows)


def test_while_the_notice_period_runs_it_is_refused(staff):
    recorder, _ = staff
    notice()
    with pytest.raises(DomainError) as refused:
        estates.no_heir_record(deceased(), actor=recorder, today=DIED + timedelta(days=30))
    assert refused.value.code == "heir_notice_period_running"
    assert (DIED + timedelta(days=365)).isoformat() in str(refused.value.message)


def test_a_living_person_is_refused(staff):
    recorder, _ = staff
    notice()
    living = CardholderFactory()
    with pytest.raises(DomainError) as refused:
        estates.no_heir_record(living, actor=recorder, today=AFTER)
    assert refused.value.code == "death_not_verified"


def test_an_heir_who_came_forward_stops_it(staff, django_capture_on_commit_callbacks):
    recorder, _ = staff
    notice()
    application = death_claim()
    from withdrawals import services

    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application, actor=application.applicant)
    Cardholder.objects.filter(pk=application.cardholder_id).update(
        life_status=Cardholder.LifeStatus.DECEASED, date_of_death=DIED
    )
    with pytest.raises(DomainError) as refused:
        estates.no_heir_record(application.cardholder, actor=recorder, today=AFTER)
    assert refused.value.code == "heir_came_forward"
    assert application.reference in str(refused.value.message)


def test_staff_without_the_permission_are_refused():
    notice()
    clerk = staff_with("view_withdrawalapplication")
    with pytest.raises(DomainError):
        estates.no_heir_record(deceased(), actor=clerk, today=AFTER)
