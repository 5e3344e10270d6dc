"""An heir and an emigrant claim a personal-account balance in a real (headless) browser;
somebody else's application URL is a 404."""

import re
from datetime import date

import pytest

from accounts.pii import login_username
from accounts.validators import generate_national_id
from tests.factories import (
    PASSWORD,
    CardholderFactory,
    UserFactory,
    death_claim,
    fund,
    pdf_bytes,
)
from withdrawals.models import Status, WithdrawalApplication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = "application/pdf"


def pdf_file(name, pages=1):
    return {"name": name, "mimeType": PDF, "buffer": pdf_bytes(pages=pages)}


def register(page, base, *, national_id, name, email, card_number=None):
    kind = "cardholder" if card_number else "heir"
    page.goto(f"{base}/register/{kind}/")
    page.locator("input[name=national_id]").fill(national_id)
    page.locator("input[name=name]").fill(name)
    if card_number:
        page.locator("input[name=card_number]").fill(card_number)
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    if card_number:
        page.wait_for_url(f"{base}/")
    else:
        # An heir's registration answers the same for every ID number: log in next.
        page.wait_for_url(f"{base}/login/")
        log_in(page, base, national_id)


def log_in(page, base, username):
    page.goto(f"{base}/login/")
    page.get_by_label("National ID number or staff username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def upload(page, kind, name, pages=1):
    """Choose a file in the kind's section; the script uploads it with a progress bar."""
    section = page.locator(f"section[data-kind={kind}]")
    section.locator("input[type=file]").set_input_files(pdf_file(name, pages))
    section.locator(".upload-row--ok").wait_for()
    assert name in section.locator(".file-list").inner_text()


@pytest.fixture
def deceased():
    cardholder = CardholderFactory(name="Dora Zhao")
    fund(cardholder, "pension", "1234.56")
    fund(cardholder, "medical", "200.00")
    return cardholder


def test_heir_claims_for_the_deceased(live_server, page, screenshot, deceased):
    base = live_server.url
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    heir_id = generate_national_id("110105", date(1985, 3, 4), 77, "F")
    register(page, base, national_id=heir_id, name="Hua Zhao", email="hua@example.org")

    # First the check: could a claim be made, and why not?
    page.goto(f"{base}/withdrawals/check/")
    page.get_by_label("The cardholder has died and I am their heir").check()
    page.get_by_label("Their national ID number").fill(deceased.national_id)
    page.get_by_label("Their full name").fill(deceased.name)
    page.get_by_label("Their social security card number").fill(deceased.card_number)
    page.get_by_label("Your relationship to the person who died").select_option("child")
    page.get_by_role("button", name="Check").click()
    assert "Yes, you can apply" in page.get_by_test_id("check-result").inner_text()
    screenshot(page, "check")

    page.goto(f"{base}/withdrawals/")
    screenshot(page, "withdrawals")
    page.get_by_test_id("start-heir").click()
    page.wait_for_url(f"{base}/withdrawals/new/")

    # A wrong name first: the refusal does not say what was wrong.
    page.get_by_label("Their national ID number").fill(deceased.national_id)
    page.get_by_label("Their full name").fill("Dora Zhou")
    page.get_by_label("Their social security card number").fill(deceased.card_number)
    page.get_by_role("button", name="Continue").click()
    assert "We could not find a cardholder with these details" in page.inner_text(".error-summary")
    assert page.get_by_label("Their full name").input_value() == "Dora Zhou"
    screenshot(page, "identify-refused")

    page.get_by_label("Their full name").fill("Dora Zhao")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/withdrawals/new/details/")
    # The death is not verified yet: the account is named, its balance is not.
    assert "Pension" in page.get_by_test_id("claimable-pension").inner_text()
    assert "1,234.56" not in page.inner_text("main")
    page.get_by_label("Your relationship to the person who died").select_option("child")
    page.get_by_label("Bank", exact=True).fill("Bank of Example")
    page.get_by_label("Name of the account holder").fill("Hua Zhao")
    page.get_by_label("Bank account number").fill("6222 0202 0011 2233 445")
    screenshot(page, "details")
    page.get_by_role("button", name="Save and continue").click()
    # The heirs step: the only heir skips it.
    page.wait_for_url(re.compile(r".*/withdrawals/\d+/heirs/$"))
    page.get_by_role("link", name="Skip: I am the only heir").click()
    page.wait_for_url(re.compile(r".*/withdrawals/\d+/documents/$"))
    application = WithdrawalApplication.objects.get(applicant__username=login_username(heir_id))

    upload(page, "death_certificate", "death-certificate.pdf")
    upload(page, "heirship_proof", "kinship-proof.pdf", pages=2)
    upload(page, "applicant_id", "my-id.pdf")
    assert page.get_by_test_id("missing").is_hidden()
    screenshot(page, "documents")

    page.get_by_test_id("documents-continue").click()
    page.wait_for_url(f"{base}/withdrawals/{application.pk}/review/")
    screenshot(page, "review")
    page.get_by_test_id("submit-application").click()
    page.wait_for_url(f"{base}/withdrawals/{application.pk}/")

    # The document review ran (eagerly) before the page was drawn.
    assert page.get_by_test_id("status").inner_text() == "Awaiting decision"
    assert "A member of staff will verify" in page.get_by_test_id("next-step").inner_text()
    screenshot(page, "submitted")
    application.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION
    assert application.documents.count() == 3

    page.goto(f"{base}/withdrawals/")
    row = page.get_by_test_id(f"application-{application.reference}")
    assert "Awaiting decision" in row.inner_text()
    assert errors == []


def test_emigrant_claims_with_the_notice(live_server, page, screenshot):
    base = live_server.url
    cardholder = CardholderFactory(name="Erik Sun")
    fund(cardholder, "pension", "5000.00")
    register(
        page,
        base,
        national_id=cardholder.national_id,
        name="Erik Sun",
        email="erik@example.org",
        card_number=cardholder.card_number,
    )

    page.goto(f"{base}/withdrawals/")
    page.get_by_test_id("start-emigration").click()
    page.wait_for_url(f"{base}/withdrawals/new/emigration/")
    screenshot(page, "your-card")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/withdrawals/new/details/")
    page.get_by_label("Bank", exact=True).fill("Bank of Example")
    page.get_by_label("Bank account number").fill("6222020200998877")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r".*/withdrawals/\d+/documents/$"))
    application = WithdrawalApplication.objects.get(cardholder=cardholder)

    upload(page, "exit_certificate", "exit-certificate.pdf")
    upload(page, "nationality_proof", "nationality.pdf")
    upload(page, "applicant_id", "passport.pdf")
    screenshot(page, "documents")
    page.get_by_test_id("documents-continue").click()

    page.wait_for_url(f"{base}/withdrawals/{application.pk}/notice/")
    assert "You do not have to close it" in page.get_by_test_id("pension-notice").inner_text()
    page.get_by_label("Type your full name to confirm").fill("Erik")
    page.get_by_role("button", name="I confirm and want the account closed").click()
    assert "Type your full name exactly" in page.inner_text(".error-summary")
    screenshot(page, "notice-refused")
    page.get_by_label("Type your full name to confirm").fill("Erik Sun")
    page.get_by_role("button", name="I confirm and want the account closed").click()

    page.wait_for_url(f"{base}/withdrawals/{application.pk}/review/")
    screenshot(page, "review")
    page.get_by_test_id("submit-application").click()
    page.wait_for_url(f"{base}/withdrawals/{application.pk}/")
    assert page.get_by_test_id("status").inner_text() == "Awaiting decision"
    screenshot(page, "submitted")
    application.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION
    assert application.notice_confirmed_name == "Erik Sun"


def test_second_cardholder_gets_404(live_server, page, screenshot):
    base = live_server.url
    first = UserFactory(username="first")
    application = death_claim(heir=first)
    second = CardholderFactory(name="Mallory Qian")
    user = UserFactory(username=second.national_id)
    second.user = user
    second.save(update_fields=["user"])

    log_in(page, base, second.national_id)
    response = page.goto(f"{base}/withdrawals/{application.pk}/")
    assert response.status == 404
    assert application.reference not in page.content()
    screenshot(page, "not-found")
    document = application.documents.first()
    response = page.goto(f"{base}/withdrawals/documents/{document.pk}/")
    assert response.status == 404
