"""The applicant's pages: the link from the forecast, the claim form, the refusal
with its law and how to contest, the claim's status and the award explained."""

from datetime import date

import pytest
from django.urls import reverse

from pensions import services
from pensions.models import RetirementClaim
from tests.factories import CardholderFactory, UserFactory, pdf_bytes
from tests.pensions.conftest import REGION, RETIRES, contribute, retiree_medical_data


@pytest.fixture
def young(db, averages):
    """Yan, born 1980: her statutory date is decades away."""
    user = UserFactory(username="yan", first_name="Yan Li", password=None)
    cardholder = CardholderFactory(
        user=user, name="Yan Li", gender="F", date_of_birth=date(1980, 6, 1), region=REGION
    )
    contribute(cardholder, months=24)
    return user


def page(client, user, name, **kwargs):
    client.force_login(user)
    response = client.get(reverse(name), **kwargs)
    return response, response.content.decode()


def test_the_forecast_links_to_the_claim_past_the_date(client, ray):
    _response, text = page(client, ray, "pensions:forecast")
    assert "You can claim your pension now." in text
    assert reverse("pensions:apply") in text


def test_no_link_long_before_the_date(client, young):
    _response, text = page(client, young, "pensions:forecast")
    assert reverse("pensions:apply") not in text


def test_the_claim_form_then_the_claim_page(client, ray, django_capture_on_commit_callbacks):
    response, text = page(client, ray, "pensions:apply")
    assert response.status_code == 200
    assert "15 July 2026" in text and "15 April 2026" in text
    assert 'data-testid="claim-form"' in text
    response = client.post(reverse("pensions:apply"))
    assert response.status_code == 302 and response.url == reverse("pensions:claim")
    claim = RetirementClaim.objects.get()
    _response, text = page(client, ray, "pensions:claim")
    assert claim.reference in text and "Draft" in text
    assert 'data-testid="submit"' in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pensions:claim_submit"))
    assert response.status_code == 302
    claim.refresh_from_db()
    # The document check ran (no documents): the claim waits for staff.
    assert claim.status == "awaiting_decision"
    _response, text = page(client, ray, "pensions:claim")
    assert "A member of staff will verify your record and another will decide." in text
    assert 'data-testid="submit"' not in text


def test_too_early_shows_why_the_law_and_how_to_contest(client, young):
    response, text = page(client, young, "pensions:apply")
    assert response.status_code == 200
    assert 'data-code="too_early"' in text
    assert "NPC Standing Committee Decision of 13 September 2024" in text
    assert "administrative reconsideration" in text and "60 days" in text
    assert 'data-testid="claim-form"' not in text
    response = client.post(reverse("pensions:apply"), {"category": "female_worker"})
    assert response.status_code == 422
    assert not RetirementClaim.objects.exists()


def test_a_woman_chooses_her_post_and_a_cadre_proves_it(
    client, db, averages, django_capture_on_commit_callbacks
):
    user = UserFactory(username="wen", first_name="Wen Zhao", password=None)
    # Born January 1970: as a cadre 55 years and one month, so February 2025.
    cardholder = CardholderFactory(
        user=user, name="Wen Zhao", gender="F", date_of_birth=date(1970, 1, 10), region=REGION
    )
    contribute(cardholder, first=date(2010, 1, 1), months=180)
    _response, text = page(client, user, "pensions:apply", data={"category": "female_cadre"})
    assert "10 February 2025" in text and 'name="category"' in text
    client.post(reverse("pensions:apply"), {"category": "female_cadre"})
    claim = RetirementClaim.objects.get()
    assert claim.category == "female_cadre" and claim.retirement_date == date(2025, 2, 10)
    _response, text = page(client, user, "pensions:claim")
    assert 'data-code="missing_cadre_proof"' in text and 'data-testid="upload-form"' in text
    client.post(reverse("pensions:claim_submit"))
    claim.refresh_from_db()
    assert claim.status == "draft"
    upload = {"kind": "cadre_post_proof", "file": _pdf()}
    assert client.post(reverse("pensions:claim_upload"), upload).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pensions:claim_submit"))
    claim.refresh_from_db()
    assert claim.status == "awaiting_decision"


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("post.pdf", pdf_bytes(), "application/pdf")


def test_the_approved_award_is_explained(
    client, ray, rita, amos, django_capture_on_commit_callbacks
):
    claim = services.retirement_claim_start(applicant=ray, cardholder=ray.cardholder)
    with django_capture_on_commit_callbacks(execute=True):
        services.retirement_claim_submit(claim, actor=ray)
    services.retirement_claim_verify(claim, actor=rita)
    services.retirement_claim_approve(claim, actor=amos, today=RETIRES)
    _response, text = page(client, ray, "pensions:claim")
    assert "Approved: pension in payment" in text
    assert "¥1,575.00" in text and "¥932.37" in text and "¥2,507.37" in text
    assert "1 August 2026" in text
    assert (
        "Basic pension: (¥9,000.00 + ¥12,000.00) ÷ 2 × 15.00 contribution years × 1 % "
        "= ¥1,575.00 a month." in text
    )
    assert (
        "Personal-account pension: your personal pension balance at retirement, "
        "¥129,600.00, ÷ 139 months (the divisor for retiring at age 60) = ¥932.37 a month." in text
    )
    assert "mean contribution index 1.3333" in text
    assert 'data-testid="withdraw"' not in text
    # The forecast page now points to the claim, not to a new one.
    _response, text = page(client, ray, "pensions:forecast")
    assert reverse("pensions:claim") in text


def test_a_rejection_says_how_to_contest(client, ray, rita, django_capture_on_commit_callbacks):
    claim = services.retirement_claim_start(applicant=ray, cardholder=ray.cardholder)
    with django_capture_on_commit_callbacks(execute=True):
        services.retirement_claim_submit(claim, actor=ray)
    services.retirement_claim_reject(claim, actor=rita, reason="Your record is being corrected.")
    _response, text = page(client, ray, "pensions:claim")
    assert "Your record is being corrected." in text
    assert "administrative reconsideration" in text


def test_withdraw_from_the_page(client, ray):
    client.force_login(ray)
    client.post(reverse("pensions:apply"))
    client.post(reverse("pensions:claim_withdraw"))
    assert RetirementClaim.objects.get().status == "withdrawn"
    # A withdrawn claim leaves the form open again.
    assert 'data-testid="claim-form"' in client.get(reverse("pensions:apply")).content.decode()


def test_an_heir_without_a_card_has_no_claim_page(client, db):
    heir = UserFactory(username="harry", password=None)
    client.force_login(heir)
    assert client.get(reverse("pensions:apply")).status_code == 404
    assert client.get(reverse("pensions:claim")).status_code == 404


@pytest.mark.parametrize(
    ("today", "shown"),
    [(date(2026, 4, 14), False), (date(2026, 4, 15), True), (date(2027, 1, 1), True)],
)
def test_the_link_shows_from_three_months_before(today, shown):
    from accounts.models import Cardholder
    from pensions import selectors

    person = Cardholder(gender="M", date_of_birth=date(1966, 3, 15))
    assert selectors.claim_window(person, today=today) == (
        date(2026, 7, 15),
        date(2026, 4, 15),
        shown,
    )


def test_the_payments_month_by_month(client, ray, rita, amos, django_capture_on_commit_callbacks):
    import re

    from accounts import ledger
    from pensions import payment_run

    claim = services.retirement_claim_start(applicant=ray, cardholder=ray.cardholder)
    with django_capture_on_commit_callbacks(execute=True):
        services.retirement_claim_submit(claim, actor=ray)
    services.retirement_claim_verify(claim, actor=rita)
    services.retirement_claim_approve(claim, actor=amos, today=RETIRES)
    _response, text = page(client, ray, "pensions:claim")
    assert "No month has been paid yet." in text
    RetirementClaim.objects.filter(pk=claim.pk).update(bank_account_number="6222 0202 0011 2233")
    ledger.fund_account_open("pension", REGION)
    retiree_medical_data(REGION)
    payment_run.pension_pay_month("2026-08", today=date(2026, 8, 3))
    payment_run.pension_pay_month("2026-10", today=date(2026, 10, 1))  # September late
    _response, text = page(client, ray, "pensions:claim")
    table = text[text.index('data-testid="payments"') :]
    table = re.sub(r"<[^>]+>", " ", table[: table.index("</table>")])
    rows = [" ".join(line.split()) for line in table.split(" 2026 ")[1:]]
    assert rows == [
        "¥1,575.00 ¥932.37 ¥2,507.37 Bank account on the claim waiting to be sent to the bank "
        "September",
        "back pay ¥1,575.00 ¥932.37 ¥2,507.37 Bank account on the claim waiting to be sent "
        "to the bank October",
        "¥1,575.00 ¥932.37 ¥2,507.37 Bank account on the claim waiting to be sent to the bank",
    ]
    assert "August 2026" in table
    # Lapsed check: the page says the months are held, why, and how to contest.
    RetirementClaim.objects.filter(pk=claim.pk).update(starts_on=date(2025, 8, 1))
    _response, text = page(client, ray, "pensions:claim")
    assert "Your pension is suspended" in text
    assert "Your yearly living check ran out on 1 August 2026." in text
    assert 'data-testid="how-to-contest"' in text
