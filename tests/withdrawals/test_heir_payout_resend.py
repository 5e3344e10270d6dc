"""A share the bank could not pay goes out again to the account the heir corrects, and
is paid exactly once."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.exceptions import DomainError
from accounts.models import LedgerTransaction
from accounts.validators import generate_national_id
from tests.factories import CardholderFactory, UserFactory, fund, staff_with, upload
from withdrawals import heir_services, services
from withdrawals.models import HeirPayout, Status

pytestmark = pytest.mark.django_db

LI_NA_ID = generate_national_id("110105", date(1960, 3, 1), 11, "F")
LI_WEI_ID = generate_national_id("110105", date(1988, 6, 1), 12, "M")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def approved_claim(capture):
    deceased = CardholderFactory(name="Wang Fang")
    fund(deceased, "pension", "1000.00")
    li_na = UserFactory(username=LI_NA_ID, first_name="Li Na")
    li_wei = UserFactory(username=LI_WEI_ID, first_name="Li Wei")
    application = services.application_create_draft(
        applicant=li_na,
        cardholder=deceased,
        reason="death",
        relationship="spouse",
        schemes=["pension"],
        bank_name="Bank of Example",
        bank_account_holder="Li Na",
        bank_account_number="6222020200112233",
        heirs=[
            {"national_id": LI_NA_ID, "name": "Li Na", "relationship": "spouse", "share": "1/2"},
            {"national_id": LI_WEI_ID, "name": "Li Wei", "relationship": "child", "share": "1/2"},
        ],
    )
    for kind in ("death_certificate", "heirship_proof", "applicant_id", "heirs_agreement"):
        services.document_add(
            application=application, kind=kind, uploaded_file=upload(), uploader=li_na
        )
    heir_services.heir_join(
        application.pk,
        actor=li_wei,
        bank_name="Bank of Example",
        bank_account_holder="Li Wei",
        bank_account_number="6222020200998877",
        confirm_shares=True,
    )
    with capture(execute=True):
        services.application_submit(application, actor=li_na)
    services.cardholder_verify_death(
        application,
        actor=staff_with("verify_life_event"),
        date_of_death=date(2026, 1, 3),
        certificate_number="DC-RESEND-1",
    )
    reviewer = staff_with("review_application")
    services.application_verify_applicant(application, actor=reviewer)
    heir_services.heir_verify_identity(application, actor=reviewer, national_id=LI_WEI_ID)
    services.application_approve(application, actor=staff_with("approve_application"))
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    return application, li_na, li_wei


def li_wei_payout(application):
    return HeirPayout.objects.get(heir__application=application, heir__name="Li Wei")


def send_all():
    return heir_services.payouts_mark_sent([p.pk for p in heir_services.payouts_waiting()])


def test_a_failed_share_is_re_sent_to_the_corrected_account_and_paid_once(
    django_capture_on_commit_callbacks,
):
    application, _li_na, li_wei = approved_claim(django_capture_on_commit_callbacks)
    assert len(send_all()) == 2
    heir_services.heir_payout_mark_failed(li_wei_payout(application), note="account closed")
    heir_services.heir_payout_mark_paid(
        HeirPayout.objects.get(heir__application=application, heir__name="Li Na")
    )
    application.refresh_from_db()
    assert application.status == Status.PAYOUT_FAILED

    # Li Wei, not the lead heir, gives a corrected account in his own name.
    client = Client()
    client.force_login(li_wei)
    invitations = client.get(reverse("withdrawals:invitations")).content.decode()
    assert reverse("withdrawals:heir_bank", args=[application.pk]) in invitations
    page = client.get(reverse("withdrawals:heir_bank", args=[application.pk]))
    assert page.status_code == 200
    assert "account closed" in page.content.decode()
    not_his = client.post(
        reverse("withdrawals:heir_bank", args=[application.pk]),
        {
            "bank_name": "Bank B",
            "bank_account_holder": "Li Na",
            "bank_account_number": "62220202005555",
        },
    )
    assert not_his.status_code == 400
    saved = client.post(
        reverse("withdrawals:heir_bank", args=[application.pk]),
        {
            "bank_name": "Bank B",
            "bank_account_holder": "Li Wei",
            "bank_account_number": "62220202005555",
        },
    )
    assert saved.status_code == 302

    application.refresh_from_db()
    assert application.status == Status.APPROVED
    payout = li_wei_payout(application)
    assert payout.status == HeirPayout.Status.PENDING
    sent = send_all()
    assert [p.pk for p in sent] == [payout.pk]
    assert sent[0].bank_account_number == "62220202005555"
    assert send_all() == []  # not sent twice

    heir_services.heir_payout_mark_paid(li_wei_payout(application))
    with pytest.raises(DomainError) as again:
        heir_services.heir_payout_mark_paid(li_wei_payout(application))
    assert again.value.code == "already_decided"
    assert (
        LedgerTransaction.objects.filter(
            kind="payout_confirmed", reference=f"{application.reference}/{payout.pk}"
        ).count()
        == 1
    )
    application.refresh_from_db()
    assert application.status == Status.PAID
    assert li_wei_payout(application).amount == Decimal("500.00")
    out = io.StringIO()
    call_command("ledger_audit", stdout=out, stderr=out)
    assert "Ledger OK" in out.getvalue()


def test_nothing_failed_nothing_to_re_send(django_capture_on_commit_callbacks):
    application, _li_na, li_wei = approved_claim(django_capture_on_commit_callbacks)
    with pytest.raises(DomainError) as refused:
        heir_services.heir_payouts_resend(
            application.pk,
            actor=li_wei,
            bank_name="Bank B",
            bank_account_holder="Li Wei",
            bank_account_number="62220202005555",
        )
    assert refused.value.code == "illegal_transition"
    client = Client()
    client.force_login(li_wei)
    assert client.get(reverse("withdrawals:heir_bank", args=[application.pk])).status_code == 404


def test_someone_who_is_not_an_heir_cannot_re_send(django_capture_on_commit_callbacks):
    application, _li_na, _li_wei = approved_claim(django_capture_on_commit_callbacks)
    send_all()
    heir_services.heir_payout_mark_failed(li_wei_payout(application))
    stranger = Client()
    stranger.force_login(UserFactory())
    url = reverse("withdrawals:heir_bank", args=[application.pk])
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, {"bank_name": "X"}).status_code == 404
