"""The replacement card's staff page: the reviewer records the identity as checked, the
approver types the new number; a malformed number is refused with a message and
nothing changes."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import Cardholder
from cards import services as cards
from tests.conftest import otp_login
from tests.factories import CardholderFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(db):
    user = UserFactory(username="hana")
    CardholderFactory(user=user, card_number="A30000001")
    return cards.replacement_request(applicant=user, why="damaged")


def staff(username, role):
    call_command("setup_roles", stdout=io.StringIO())
    user = StaffFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    return type(user).objects.get(pk=user.pk)


def test_checked_by_one_issued_by_another(client, case):
    base = f"/admin/cards/cardreplacement/{case.pk}"
    otp_login(client, staff("rita", "reviewer"))
    page = client.get(f"{base}/change/").content.decode()
    assert "Record the identity as checked" in page and case.reference in page
    client.post(f"{base}/action/verify/")
    client.logout()
    otp_login(client, staff("arno", "approver"))
    bad = client.post(f"{base}/action/issue/", {"new_card_number": "A1"}, follow=True)
    assert "one capital letter and eight digits" in bad.content.decode()
    assert Cardholder.objects.get(pk=case.cardholder_id).card_number == "A30000001"
    done = client.post(f"{base}/action/issue/", {"new_card_number": "a30000077"}, follow=True)
    assert "The new card is issued" in done.content.decode()
    assert Cardholder.objects.get(pk=case.cardholder_id).card_number == "A30000077"
