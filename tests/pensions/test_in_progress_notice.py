"""The overview tells a person of their own cases in progress, with a link to each,
and stops once the case is decided."""

from django.urls import reverse

from pensions import services
from pensions.models import RetirementClaim

NOTICE = 'data-testid="cases-in-progress"'


def overview(client, user):
    client.force_login(user)
    return client.get(reverse("accounts:dashboard")).content.decode()


def test_no_notice_without_a_case(client, ray):
    assert NOTICE not in overview(client, ray)


def test_a_started_claim_is_shown_with_its_status_and_a_link(client, ray):
    client.force_login(ray)
    client.post(reverse("pensions:apply"))
    claim = RetirementClaim.objects.get()

    text = overview(client, ray)

    assert NOTICE in text
    assert "You have an application in progress" in text
    assert f'<a href="{reverse("pensions:claim")}">Retirement claim {claim.reference}</a>' in text
    assert "<strong>Draft</strong>" in text
    assert "Check the details, add any document asked for and submit the claim." in text


def test_the_notice_follows_the_status_and_goes_when_decided(
    client, ray, rita, django_capture_on_commit_callbacks
):
    claim = services.retirement_claim_start(applicant=ray, cardholder=ray.cardholder)
    assert "<strong>Draft</strong>" in overview(client, ray)

    with django_capture_on_commit_callbacks(execute=True):
        services.retirement_claim_submit(claim, actor=ray)
    # The document review ran at once: whatever it left, the notice says.
    claim.refresh_from_db()
    assert claim.status != "draft"
    assert f"<strong>{claim.get_status_display()}</strong>" in overview(client, ray)

    with django_capture_on_commit_callbacks(execute=True):
        services.retirement_claim_reject(claim, actor=rita, reason="Record being corrected.")
    assert NOTICE not in overview(client, ray)


def test_a_withdrawn_claim_is_no_longer_in_progress(client, ray):
    client.force_login(ray)
    client.post(reverse("pensions:apply"))
    assert NOTICE in overview(client, ray)
    client.post(reverse("pensions:claim_withdraw"))
    assert NOTICE not in overview(client, ray)
