"""The staff pages of an estate without heirs: rita records, alan confirms, the page
shows the basis and the accounts closed; the heirs of a claim on its staff page."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Cardholder, LedgerTransaction
from tests.conftest import otp_login
from tests.factories import CardholderFactory, fund
from withdrawals.models import HeirNoticePeriod, NoHeirRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate():
    HeirNoticePeriod.objects.create(
        region="000000", effective_from=date(2020, 1, 1), days=365, source="DEMO: one year"
    )
    person = CardholderFactory(name="Zhou Lao")
    fund(person, "pension", "700.00")
    Cardholder.objects.filter(pk=person.pk).update(
        life_status=Cardholder.LifeStatus.DECEASED,
        date_of_death=timezone.localdate() - timedelta(days=400),
    )
    return person


def test_rita_records_alan_confirms_and_the_page_shows_the_basis(estate, rita, alan):
    client = otp_login(Client(), rita)
    add = reverse("admin:withdrawals_noheirrecord_add")
    assert client.get(add).status_code == 200
    unknown = client.post(add, {"card_number": "NOPE", "note": "Notices posted"})
    assert unknown.status_code == 400
    response = client.post(add, {"card_number": estate.card_number, "note": "Notices posted"})
    record = NoHeirRecord.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("admin:withdrawals_noheirrecord_change", args=[record.pk]))
    html = page.content.decode()
    assert "Art. 1160" in html and 'data-confirmed="no"' in html
    assert 'id="no-heir-confirm"' not in html  # not for the one who recorded it

    client = otp_login(Client(), alan)
    confirm = reverse("admin:withdrawals_noheirrecord_confirm", args=[record.pk])
    client.post(confirm, {"confirm": "on"})
    record.refresh_from_db()
    assert record.confirmed_by == alan and record.amount == 700
    html = client.get(reverse("admin:withdrawals_noheirrecord_change", args=[record.pk])).content
    assert b'data-confirmed="yes"' in html and b"700.00" in html
    assert LedgerTransaction.objects.filter(kind="estate_to_fund").count() == 1


def test_a_refusal_is_shown_on_the_form_with_its_code(rita):
    person = CardholderFactory(region="999900")
    Cardholder.objects.filter(pk=person.pk).update(
        life_status=Cardholder.LifeStatus.DECEASED, date_of_death=date(2020, 1, 1)
    )
    client = otp_login(Client(), rita)
    response = client.post(
        reverse("admin:withdrawals_noheirrecord_add"),
        {"card_number": person.card_number, "note": "x"},
    )
    assert response.status_code == 400
    assert "heir_notice_period_missing" in response.content.decode()
    assert "999900" in response.content.decode()
