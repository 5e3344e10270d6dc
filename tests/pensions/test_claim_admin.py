"""The staff queue of retirement claims: the buttons, and the two people."""

import pytest
from django.urls import reverse

from pensions import services
from pensions.models import RetirementClaim
from tests.conftest import otp_login
from tests.pensions.conftest import pension_staff


@pytest.fixture
def claim(ray, django_capture_on_commit_callbacks):
    claim = services.retirement_claim_start(applicant=ray, cardholder=ray.cardholder)
    with django_capture_on_commit_callbacks(execute=True):
        services.retirement_claim_submit(claim, actor=ray)
    return claim


def action(client, claim, name, **data):
    url = reverse("admin:pensions_retirementclaim_action", args=[claim.pk, name])
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_the_queue_and_the_claim_page(client, claim, rita):
    otp_login(client, rita)
    text = client.get(reverse("admin:pensions_retirementclaim_changelist")).content.decode()
    assert claim.reference in text and "Awaiting decision" in text
    page = reverse("admin:pensions_retirementclaim_change", args=[claim.pk])
    text = client.get(page).content.decode()
    assert 'id="action-verify"' in text and 'id="action-approve"' in text
    assert 'id="action-reject"' in text and 'id="action-request_documents"' in text
    assert 'data-code="claim_not_verified"' in text
    assert "180 contribution months on record" in text


def test_one_verifies_another_approves(client, claim, rita, amos):
    otp_login(client, rita)
    text = action(client, claim, "verify")
    assert "The claim is recorded as verified." in text
    # The verifier, even with the approver's permission, cannot approve it.
    both = pension_staff(
        "bea", "view_retirementclaim", "review_retirementclaim", "approve_retirementclaim"
    )
    otp_login(client, both)
    action(client, claim, "verify")
    text = action(client, claim, "approve")
    assert "Two different people must verify and approve" in text
    assert RetirementClaim.objects.get(pk=claim.pk).status == "awaiting_decision"
    otp_login(client, amos)
    text = action(client, claim, "approve")
    assert "Approved: the pension is fixed" in text
    claim.refresh_from_db()
    assert claim.status == "approved" and claim.approved_by == amos
    assert claim.basic_monthly is not None


def test_reject_needs_a_reason(client, claim, rita):
    otp_login(client, rita)
    text = action(client, claim, "reject", reason="")
    assert "Give the reason the applicant will see." in text
    action(client, claim, "reject", reason="The record is being corrected.")
    claim.refresh_from_db()
    assert claim.status == "rejected"


def test_without_the_permission_nothing_changes(client, claim):
    clerk = pension_staff("carl", "view_retirementclaim")
    otp_login(client, clerk)
    text = action(client, claim, "approve")
    assert "You are not allowed to do this." in text
    assert RetirementClaim.objects.get(pk=claim.pk).status == "awaiting_decision"
