"""A relative's living check in the admin: the reviewer records it, the approver
confirms it with the list's action; the roles carry exactly these permissions."""

from datetime import date

import pytest
from django.utils import timezone

from pensions import selectors
from pensions.models import LivingCheckConfirmation, RelativeLivingCheck
from tests.admin.conftest import (
    _staff,
    roles,  # noqa: F401
)
from tests.conftest import otp_login
from tests.pensions.test_living_check_flow import FIRST_DUE, claim  # noqa: F401

pytestmark = pytest.mark.django_db

ADD = "/admin/pensions/relativelivingcheck/add/"
LIST = "/admin/pensions/relativelivingcheck/"


def form(case, **changes):
    return {
        "claim": case.reference,
        "relative_name": "Sun Mei",
        "relationship": "daughter",
        "proof": "photo of her father with today's paper",
        "seen_on": timezone.localdate().isoformat(),
        **changes,
    }


def test_the_reviewer_records_and_the_approver_confirms(claim, roles, client):  # noqa: F811
    reviewer = _staff("rhea", roles["reviewer"])
    approver = _staff("abel", roles["approver"])
    otp_login(client, reviewer)
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, form(claim))
    assert response.status_code == 302, response.content.decode()[:2000]
    record = RelativeLivingCheck.objects.get()
    assert (record.recorded_by, record.status) == (reviewer, "pending")
    # The one who recorded it has no confirm action.
    page = client.get(LIST).content.decode()
    assert "confirm_selected" not in page
    assert selectors.living_check_due(claim) == FIRST_DUE

    otp_login(client, approver)
    assert client.get(ADD).status_code == 403
    response = client.post(
        LIST, {"action": "confirm_selected", "_selected_action": [record.pk]}, follow=True
    )
    assert "1 living check(s) confirmed" in response.content.decode()
    row = LivingCheckConfirmation.objects.get()
    assert (row.how, row.recorded_by, row.confirmed_by) == ("relative", reviewer, approver)
    assert selectors.living_check_due(claim) > FIRST_DUE


def test_a_bad_record_is_a_form_error(claim, roles, client):  # noqa: F811
    otp_login(client, _staff("rhea", roles["reviewer"]))
    future = client.post(ADD, form(claim, seen_on=date(2099, 1, 1).isoformat()))
    assert future.status_code == 200
    assert "a day still to come" in future.content.decode()
    unknown = client.post(ADD, form(claim, claim="RC-0000-000000"))
    assert "No pension in payment has this reference." in unknown.content.decode()
    assert not RelativeLivingCheck.objects.exists()
