"""The cardholder's "Unemployment" section and the staff queue, as people see them."""

import pytest
from django.urls import reverse

from benefits import payment_run
from tests.benefits.conftest import last_day_of_last_month, make_person, submit
from tests.conftest import otp_login
from tests.factories import upload

pytestmark = pytest.mark.django_db

PAGE = "/unemployment/"


def test_before_registering_the_page_says_what_is_needed(client):
    user = make_person("uma", register=False)
    client.force_login(user)
    text = client.get(PAGE).content.decode()
    assert 'data-testid="before-you-start"' in text
    assert "certificate of termination" in text and 'data-testid="register-form"' in text


def test_register_start_upload_submit_through_the_pages(client, django_capture_on_commit_callbacks):
    user = make_person("uma", register=False)
    client.force_login(user)
    bad = client.post(f"{PAGE}register/", {"how_ended": "dismissed", "seeking_work": "on"})
    assert bad.status_code == 400 and "Say when your job ended." in bad.content.decode()
    client.post(
        f"{PAGE}register/",
        {
            "job_ended_on": last_day_of_last_month().isoformat(),
            "how_ended": "employer_terminated",
            "seeking_work": "on",
        },
    )
    text = client.get(PAGE).content.decode()
    assert "you can claim 18 months of benefit at 1,800.00 yuan a month" in text
    client.post(f"{PAGE}claim/")
    text = client.get(PAGE).content.decode()
    assert 'data-code="missing_termination_certificate"' in text
    client.post(
        f"{PAGE}claim/documents/",
        {"kind": "termination_certificate", "file": upload(name="termination.pdf")},
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{PAGE}claim/submit/")
    text = client.get(PAGE).content.decode()
    assert "Awaiting decision" in text and 'data-testid="timeline"' in text


def test_in_payment_the_page_shows_months_paid_left_and_the_next_payment(client, in_payment):
    payment_run.pay_month(in_payment.starts_on.strftime("%Y-%m"))
    client.force_login(in_payment.applicant)
    text = client.get(PAGE).content.decode()
    assert 'data-testid="months-paid">1<' in text and 'data-testid="months-left">17<' in text
    assert 'data-testid="next-payment"' in text and 'data-testid="payments"' in text
    assert 'data-testid="reemployed-form"' in text
    client.post(f"{PAGE}claim/reemployed/", {"started_on": in_payment.starts_on.isoformat()})
    text = client.get(PAGE).content.decode()
    assert 'data-code="reemployed"' in text and "You found work again." in text
    assert "60 days" in text and "17 months you did not draw are kept" in text


def test_the_staff_queue_one_verifies_another_approves(
    client, sue, rita, amos, django_capture_on_commit_callbacks
):
    claim = submit(sue, django_capture_on_commit_callbacks)
    otp_login(client, rita)
    text = client.get(reverse("admin:benefits_unemploymentclaim_changelist")).content.decode()
    assert claim.reference in text
    page = reverse("admin:benefits_unemploymentclaim_change", args=[claim.pk])
    text = client.get(page).content.decode()
    assert 'id="action-verify"' in text and 'data-code="claim_not_verified"' in text
    client.post(reverse("admin:benefits_unemploymentclaim_action", args=[claim.pk, "verify"]))
    # The verifier cannot approve.
    response = client.post(
        reverse("admin:benefits_unemploymentclaim_action", args=[claim.pk, "approve"]),
        follow=True,
    )
    claim.refresh_from_db()
    assert claim.status == "awaiting_decision"
    otp_login(client, amos)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:benefits_unemploymentclaim_action", args=[claim.pk, "approve"]),
            follow=True,
        )
    assert "the months and the monthly amount are fixed" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.status, claim.months_entitled) == ("in_payment", 18)
