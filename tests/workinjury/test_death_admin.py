"""The staff pages of death at work: the reviewer records the death and the
dependants on the add page, the approver decides on the benefit's page; each page
refuses what the rules refuse, as a message or a form error, never a 500."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from tests.conftest import otp_login
from tests.factories import StaffFactory
from tests.workinjury.conftest import recognised, wages
from workinjury.models import NationalDisposableIncome, WorkDeathBenefit

pytestmark = pytest.mark.django_db

ADD = "/admin/workinjury/workdeathbenefit/add/"


@pytest.fixture
def roles(db):
    call_command("setup_roles", verbosity=0)

    def member(username, group):
        user = StaffFactory(username=username, password=None)
        user.groups.add(Group.objects.get(name=group))
        return type(user).objects.get(pk=user.pk)

    return member("ruth", "reviewer"), member("abe", "approver"), member("aud", "auditor")


def family_post(reference, died_on="2026-11-20", **rows):
    data = {
        "reference": reference,
        "died_on": died_on,
        "dependants-TOTAL_FORMS": "6",
        "dependants-INITIAL_FORMS": "0",
        "dependants-MIN_NUM_FORMS": "0",
        "dependants-MAX_NUM_FORMS": "12",
        "dependants-0-name": "Li Mei",
        "dependants-0-relation": "spouse",
        "dependants-1-name": "Wu Xiaoming",
        "dependants-1-relation": "child",
        "dependants-1-lone": "on",
    }
    data.update(rows)
    return data


def test_recorded_by_the_reviewer_decided_by_the_approver(
    client, roles, gang, rita, dora, django_capture_on_commit_callbacks
):
    ruth, abe, aud = roles
    NationalDisposableIncome.objects.update_or_create(
        year=2025, defaults={"amount": Decimal("54000.00"), "source": "test figure"}
    )
    wages(gang.cardholder, [Decimal("8000.00")] * 12)
    claim = recognised(gang, rita, dora, django_capture_on_commit_callbacks)

    otp_login(client, aud)
    assert client.get(ADD).status_code == 403
    otp_login(client, ruth)
    page = client.get(ADD)
    assert page.status_code == 200 and "Record a death at work" in page.content.decode()
    wrong = client.post(ADD, family_post("WI-2026-999999"))
    assert wrong.status_code == 200
    assert "No work-injury recognition has this reference." in wrong.content.decode()
    early = client.post(ADD, family_post(claim.reference, died_on="2026-10-01"))
    assert "The date of death is before the accident." in early.content.decode()
    response = client.post(ADD, family_post(claim.reference))
    benefit = WorkDeathBenefit.objects.get(recognition=claim)
    assert response.status_code == 302 and response["Location"].endswith(f"/{benefit.pk}/change/")
    assert [(d.name, d.relation, d.lone) for d in benefit.dependants.all()] == [
        ("Li Mei", "spouse", False),
        ("Wu Xiaoming", "child", True),
    ]
    decide = f"/admin/workinjury/workdeathbenefit/{benefit.pk}/decide/"
    # The reviewer cannot decide; the form is not offered to them.
    assert (
        "action-decide"
        not in client.get(
            f"/admin/workinjury/workdeathbenefit/{benefit.pk}/change/"
        ).content.decode()
    )
    client.post(decide, {"decision": "approve"})
    assert WorkDeathBenefit.objects.get(pk=benefit.pk).status == "recorded"

    otp_login(client, abe)
    change = client.get(f"/admin/workinjury/workdeathbenefit/{benefit.pk}/change/")
    assert "action-decide" in change.content.decode()
    no_reason = client.post(decide, {"decision": "refuse", "reason": ""}, follow=True)
    assert "Give the reason the family reads." in no_reason.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(decide, {"decision": "approve"}, follow=True)
    assert "Approved: the subsidies are paid" in done.content.decode()
    benefit.refresh_from_db()
    # Spouse 40 % of 8,000 and an orphan 40 %: 3,200 each, 6,400 below the wage.
    assert (benefit.status, benefit.funeral_subsidy, benefit.pensions_total) == (
        "approved",
        Decimal("60000.00"),
        Decimal("6400.00"),
    )
    again = client.post(decide, {"decision": "approve"}, follow=True)
    assert again.status_code == 200
    assert benefit.pension_from == date(2026, 12, 1)
