"""The heirs step in the browser (no script): the lead heir names every heir with their
shares, adds and removes rows, and sees the rules' refusals beside the rows and in the
error summary; the claim page shows every heir."""

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from accounts.validators import generate_national_id
from tests.factories import CardholderFactory, UserFactory, fund
from withdrawals import services
from withdrawals.models import Heir

pytestmark = pytest.mark.django_db

LI_NA_ID = generate_national_id("110105", date(1960, 3, 1), 11, "F")
LI_WEI_ID = generate_national_id("110105", date(1988, 6, 1), 12, "M")
LI_MEI_ID = generate_national_id("110105", date(1990, 6, 1), 14, "F")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def draft():
    deceased = CardholderFactory(name="Wang Fang")
    fund(deceased, "pension", "1000.00")
    li_na = UserFactory(username=LI_NA_ID, first_name="Li Na")
    application = services.application_create_draft(
        applicant=li_na,
        cardholder=deceased,
        reason="death",
        relationship="spouse",
        bank_name="Bank of Example",
        bank_account_holder="Li Na",
        bank_account_number="6222 0202 0011 2233 445",
    )
    client = Client()
    client.force_login(li_na)
    return application, client


def url(application):
    return reverse("withdrawals:heirs", args=[application.pk])


def post_rows(rows, *, initial=0, proofs=(), survivor=False, button="save", deleted=()):
    data = {
        "heirs-TOTAL_FORMS": str(len(rows)),
        "heirs-INITIAL_FORMS": str(initial),
        "heirs-MIN_NUM_FORMS": "0",
        "heirs-MAX_NUM_FORMS": "30",
        button: "1",
        "proofs-proofs": list(proofs),
    }
    if survivor:
        data["proofs-claims_survivor_benefits"] = "on"
    for index, (number, name, relationship, share) in enumerate(rows):
        data.update(
            {
                f"heirs-{index}-national_id": number,
                f"heirs-{index}-name": name,
                f"heirs-{index}-relationship": relationship,
                f"heirs-{index}-share": share,
            }
        )
        if index in deleted:
            data[f"heirs-{index}-DELETE"] = "on"
    return data


def summary(response):
    html = response.content.decode()
    match = re.search(r'data-testid="error-summary">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


TWO = [(LI_NA_ID, "Li Na", "spouse", "1/2"), (LI_WEI_ID, "Li Wei", "child", "1/2")]


def test_the_step_starts_with_the_applicant_and_one_blank_row(draft):
    application, client = draft
    page = client.get(url(application)).content.decode()
    assert f'value="{LI_NA_ID}"' in page
    assert 'name="heirs-TOTAL_FORMS" value="2"' in page
    assert 'value="spouse" selected' in page


def test_details_lead_a_death_claim_to_the_heirs_step(draft):
    application, client = draft
    page = client.get(reverse("withdrawals:documents", args=[application.pk])).content.decode()
    assert url(application) in page  # the step list links back to the heirs


def test_two_heirs_are_saved_with_proofs_and_survivor_benefits(draft):
    application, client = draft
    response = client.post(
        url(application), post_rows(TWO, proofs=["heirs_agreement"], survivor=True)
    )

    assert response.status_code == 302
    assert response.url == reverse("withdrawals:documents", args=[application.pk])
    rows = list(Heir.objects.filter(application=application).order_by("position"))
    assert [(r.name, r.relationship, r.share, r.joined) for r in rows] == [
        ("Li Na", "spouse", "1/2", True),
        ("Li Wei", "child", "1/2", False),
    ]
    application.refresh_from_db()
    assert application.heir_proofs == ["heirs_agreement"]
    assert application.claims_survivor_benefits is True
    documents = client.get(response.url).content.decode()
    assert 'data-kind="heirs_agreement"' in documents

    detail = client.get(reverse("withdrawals:detail", args=[application.pk])).content.decode()
    assert "Li Wei" in detail and "1/2" in detail and "Not yet" in detail


@pytest.mark.parametrize(
    "rows, code_text, field",
    [
        (
            [(LI_NA_ID, "Li Na", "spouse", "1/2"), (LI_MEI_ID, "Li Mei", "sibling", "1/2")],
            "Brothers, sisters and grandparents inherit only when",
            "heirs-1-relationship",
        ),
        (
            [(LI_NA_ID, "Li Na", "spouse", "1/2"), (LI_WEI_ID, "Li Wei", "child", "1/3")],
            "The shares add up to 5/6",
            None,
        ),
        (
            [(LI_NA_ID, "Li Na", "spouse", "1/2"), (LI_NA_ID, "Li Na", "child", "1/2")],
            "is named more than once",
            "heirs-1-national_id",
        ),
    ],
)
def test_a_refusal_of_the_rules_is_in_the_summary_and_beside_the_row(draft, rows, code_text, field):
    application, client = draft
    response = client.post(url(application), post_rows(rows, proofs=["heirs_agreement"]))

    assert response.status_code == 400
    assert code_text in summary(response)
    if field:
        assert f'href="#id_{field}"' in response.content.decode()
        assert f'id="id_{field}_error"' in response.content.decode()
    assert not Heir.objects.filter(application=application).exists()


def test_the_deceased_as_heir_is_refused_beside_their_row(draft):
    application, client = draft
    deceased = application.cardholder
    rows = [
        (LI_NA_ID, "Li Na", "spouse", "1/2"),
        (deceased.national_id, "Wang Fang", "parent", "1/2"),
    ]
    response = client.post(url(application), post_rows(rows, proofs=["heirs_agreement"]))
    assert response.status_code == 400
    assert "cannot be named as their own heir" in summary(response)
    assert 'id="id_heirs-1-national_id_error"' in response.content.decode()


def test_field_errors_name_the_row_and_field(draft):
    application, client = draft
    rows = [(LI_NA_ID, "Li Na", "spouse", "half"), ("123", "", "", "1/2")]
    response = client.post(url(application), post_rows(rows))
    assert response.status_code == 400
    text = summary(response)
    assert "Heir 1, Share: Write the share as a fraction" in text
    assert "Heir 2, National ID number" in text
    assert "Heir 2, Full name" in text


def test_add_another_keeps_the_rows_and_adds_a_blank_one_without_saving(draft):
    application, client = draft
    response = client.post(url(application), post_rows(TWO, button="add"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="heirs-TOTAL_FORMS" value="3"' in page
    assert f'value="{LI_WEI_ID}"' in page
    assert not Heir.objects.filter(application=application).exists()


def test_a_removed_row_is_left_out(draft):
    application, client = draft
    rows = [*TWO, (LI_MEI_ID, "Li Mei", "child", "1/3")]
    response = client.post(
        url(application), post_rows(rows, initial=3, proofs=["heirs_agreement"], deleted={2})
    )
    assert response.status_code == 302
    assert Heir.objects.filter(application=application).count() == 2


def test_declaring_again_replaces_the_heirs_and_asks_co_heirs_to_confirm_again(draft):
    application, client = draft
    client.post(url(application), post_rows(TWO, proofs=["heirs_agreement"]))
    li_wei = Heir.objects.filter(application=application, name="Li Wei")
    li_wei.update(joined_at="2026-01-01T00:00Z")
    same = client.post(url(application), post_rows(TWO, initial=2, proofs=["heirs_agreement"]))
    assert same.status_code == 302
    assert Heir.objects.get(application=application, name="Li Wei").joined

    changed = [(LI_NA_ID, "Li Na", "spouse", "2/3"), (LI_WEI_ID, "Li Wei", "child", "1/3")]
    client.post(url(application), post_rows(changed, initial=2, proofs=["heirs_agreement"]))
    li_wei = Heir.objects.get(application=application, name="Li Wei")
    assert li_wei.share == "1/3"
    assert not li_wei.joined


def test_another_persons_draft_is_a_404(draft):
    application, _client = draft
    other = Client()
    other.force_login(UserFactory())
    assert other.get(url(application)).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"save": "1"},  # no management form
        {"add": "1", "heirs-TOTAL_FORMS": "x", "heirs-INITIAL_FORMS": "0"},
        {"save": "1", "heirs-TOTAL_FORMS": "1", "heirs-INITIAL_FORMS": "0", "proofs-proofs": "x"},
        {
            "save": "1",
            "heirs-TOTAL_FORMS": "999",
            "heirs-INITIAL_FORMS": "0",
            "heirs-0-national_id": "\x00",
        },
    ],
)
def test_tampered_posts_are_answered_without_a_server_error(draft, data):
    application, client = draft
    response = client.post(url(application), data)
    assert response.status_code in (200, 400)
    assert not Heir.objects.filter(application=application).exists()
