"""A stranger who knows what is printed on a living person's card learns nothing of
their money, and the person named is told and can say "I am alive"."""

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.validators import generate_national_id
from tests.factories import CardholderFactory, UserFactory, fund, pdf_bytes, upload
from withdrawals.models import Status, WithdrawalApplication

pytestmark = pytest.mark.django_db

PASSWORD = "Plum-Kettle-Harbour-42"
# Distinctive balances of the living person: none of these strings may reach the stranger.
PENSION, MEDICAL = "8765.43", "321.09"
AMOUNT_STRINGS = ("8765.43", "8,765.43", "321.09", "9086.52", "9,086.52", "8765.4", "321.0")


def no_amount_in(text, where):
    for amount in AMOUNT_STRINGS:
        assert amount not in text, f"{amount} leaked in {where}"


@pytest.fixture
def lily(db):
    """A living cardholder with a login and an e-mail address."""
    user = UserFactory(username="lily", first_name="Lily Chen", email="lily@example.org")
    card = CardholderFactory(user=user, name="Lily Chen")
    fund(card, "pension", PENSION)
    fund(card, "medical", MEDICAL)
    return card


def register_stranger(client):
    number = generate_national_id("440524", date(1990, 3, 3), 77, "M")
    response = client.post(
        reverse("accounts:register_heir"),
        {
            "national_id": number,
            "name": "Sam Stranger",
            "email": "sam@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code in (200, 302)
    user = get_user_model().objects.get(first_name="Sam Stranger")
    client.force_login(user)
    return user


def block(card):
    return {"national_id": card.national_id, "name": card.name, "card_number": card.card_number}


BANK = {
    "bank_name": "Bank of Example",
    "bank_account_holder": "Sam Stranger",
    "bank_account_number": "6222 0202 0011 2233 445",
}


def test_a_stranger_learns_no_balance_of_a_living_person(
    client, lily, django_capture_on_commit_callbacks
):
    sam = register_stranger(client)
    seen = []

    def page(response, where):
        assert response.status_code < 500, where
        body = response.content.decode()
        seen.append(where)
        no_amount_in(body, where)
        return response

    # The pre-check page, the wizard, the documents, review and the claim itself.
    page(client.get(reverse("withdrawals:index")), "index")
    page(
        client.post(
            reverse("withdrawals:check"),
            {"reason": "death", "relationship": "child", **block(lily)},
        ),
        "check",
    )
    page(client.post(reverse("withdrawals:new"), block(lily)), "identify")
    details = page(client.get(reverse("withdrawals:new_details")), "details")
    assert "Pension" in details.content.decode()  # the kind of account is named
    page(
        client.post(
            reverse("withdrawals:new_details"),
            {"relationship": "child", "schemes": ["pension", "medical"], **BANK},
        ),
        "details (post)",
    )
    application = WithdrawalApplication.objects.get(applicant=sam)
    pk = application.pk
    page(client.get(reverse("withdrawals:documents", args=[pk])), "documents")
    for kind in ("death_certificate", "heirship_proof", "applicant_id"):
        page(
            client.post(
                reverse("withdrawals:upload", args=[pk]),
                {"kind": kind, "file": upload(pdf_bytes())},
            ),
            f"upload {kind}",
        )
    page(client.get(reverse("withdrawals:bank", args=[pk])), "bank")
    page(client.get(reverse("withdrawals:review", args=[pk])), "review")
    with django_capture_on_commit_callbacks(execute=True):
        page(client.post(reverse("withdrawals:review", args=[pk])), "submit")
    page(client.get(reverse("withdrawals:detail", args=[pk])), "detail")
    page(client.get(reverse("withdrawals:withdraw", args=[pk])), "withdraw page")
    # Statements and their PDF belong to cardholders: the stranger has none.
    page(client.get(reverse("accounts:statement_index")), "statements")
    page(client.get(reverse("accounts:statement_pdf", args=[date.today().year])), "statement pdf")
    page(client.get("/"), "overview")

    # The API journey, the same way.
    api = APIClient()
    api.force_authenticate(sam)
    for where, response in (
        (
            "api eligibility",
            api.post(
                "/api/v1/eligibility/",
                {"reason": "death", "cardholder": block(lily), "relationship": "child"},
                format="json",
            ),
        ),
        (
            "api create (already claimed)",
            api.post(
                "/api/v1/withdrawals/",
                {"reason": "death", "cardholder": block(lily), "relationship": "child", **BANK},
                format="json",
            ),
        ),
        ("api list", api.get("/api/v1/withdrawals/")),
        ("api detail", api.get(f"/api/v1/withdrawals/{pk}/")),
        ("api submit again", api.post(f"/api/v1/withdrawals/{pk}/submit/")),
        ("api accounts", api.get("/api/v1/accounts/")),
        ("api me", api.get("/api/v1/me/")),
    ):
        assert response.status_code < 500, where
        no_amount_in(json.dumps(response.json()), where)
    application.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION
    # Staff-only signals never reach the applicant.
    detail = api.get(f"/api/v1/withdrawals/{pk}/").json()
    assert "staff" not in detail
    assert not any("another cardholder" in e["note"] for e in detail["timeline"])

    # Every e-mail sent (to the stranger and to the person named).
    assert mail.outbox
    for message in mail.outbox:
        no_amount_in(message.subject + message.body, f"mail to {message.to}")
    assert len(seen) >= 15


def test_after_verification_the_heir_sees_what_they_claim(client, lily):
    register_stranger(client)
    from accounts.models import Cardholder

    Cardholder.objects.filter(pk=lily.pk).update(
        life_status="deceased", date_of_death=date(2026, 1, 2), death_certificate_number="DC-L"
    )
    client.post(reverse("withdrawals:new"), block(lily))
    page = client.get(reverse("withdrawals:new_details")).content.decode()
    assert "8,765.43" in page


def test_the_person_named_is_told_once_and_can_say_i_am_alive(
    client, lily, django_capture_on_commit_callbacks
):
    from tests.factories import death_claim

    heir = UserFactory(first_name="Sam Stranger")
    application = death_claim(cardholder=lily, heir=heir, pension=None, medical=None)
    with django_capture_on_commit_callbacks(execute=True):
        from withdrawals import services

        services.application_submit(application, actor=heir)
    to_lily = [m for m in mail.outbox if m.to == ["lily@example.org"]]
    assert len(to_lily) == 1
    assert application.reference in to_lily[0].body and "S*" in to_lily[0].body
    # A second submission of the same claim does not write again.
    from withdrawals import claims_about_me

    assert claims_about_me.named_person_notify(application.pk) is False

    # At her next login, a banner on the overview links to the claims about her.
    client.force_login(lily.user)
    overview = client.get("/").content.decode()
    assert 'data-testid="claims-about-me-banner"' in overview
    listing = client.get(reverse("withdrawals:claims_about_me")).content.decode()
    assert application.reference in listing and 'data-testid="contest"' in listing
    no_amount_in(listing, "claims about me")

    # The button works without any script: a plain form post.
    response = client.post(
        reverse("withdrawals:claim_contest", args=[application.pk]), {"note": "I am fine"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.CONTESTED
    # Her accounts stay open: a claim freezes nothing.
    assert set(lily.accounts.filter(kind="personal").values_list("status", flat=True)) == {"open"}
    # The applicant sees the hold, not her note.
    client.force_login(heir)
    detail = client.get(reverse("withdrawals:detail", args=[application.pk])).content.decode()
    assert "On hold" in detail and "I am fine" not in detail


def test_a_stranger_cannot_contest_someone_elses_claim(client, lily):
    from tests.factories import death_claim

    application = death_claim(cardholder=lily, pension=None, medical=None)
    client.force_login(UserFactory())
    response = client.post(reverse("withdrawals:claim_contest", args=[application.pk]))
    assert response.status_code == 404


def test_payee_in_another_name_is_a_field_error(client, lily):
    register_stranger(client)
    from accounts.models import Cardholder

    Cardholder.objects.filter(pk=lily.pk).update(
        life_status="deceased", date_of_death=date(2026, 1, 2), death_certificate_number="DC-L"
    )
    client.post(reverse("withdrawals:new"), block(lily))
    for holder in ("Mallory Qian", "Sam \u202eregnartS"):
        response = client.post(
            reverse("withdrawals:new_details"),
            {
                "relationship": "child",
                "schemes": ["pension"],
                **BANK,
                "bank_account_holder": holder,
            },
        )
        assert response.status_code == 400
        assert "bank_account_holder" in response.context["form"].errors
    assert not WithdrawalApplication.objects.exists()


def test_the_upload_page_states_the_per_claim_limit(client, settings):
    from tests.factories import death_claim

    settings.SSCARD_CLAIM_MAX_DOCUMENTS = 4
    application = death_claim(pension="10.00", medical=None)
    client.force_login(application.applicant)
    page = client.get(reverse("withdrawals:documents", args=[application.pk])).content.decode()
    assert "at most 4 files" in page
