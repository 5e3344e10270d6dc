"""The contact page: a person chooses where notices go and in which language, and the
notices follow (e-mail in that language, a text message to the mobile number)."""

import pytest
from django.core import mail

from accounts.models import User
from tests.factories import PASSWORD, death_claim
from withdrawals import services as withdrawal_services

pytestmark = pytest.mark.django_db


def save(client, **fields):
    data = {"email": "alice@example.cn", "mobile": "", "preferred_language": "", "password": ""}
    data.update(fields)
    return client.post("/contact/", data)


def test_the_page_shows_the_current_details(alice_client, alice):
    User.objects.filter(pk=alice.pk).update(email="alice@example.cn")
    html = alice_client.get("/contact/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="alice@example.cn"' in html
    assert "Language of notices" in html


def test_a_new_mobile_number_needs_the_current_password(alice_client, alice):
    User.objects.filter(pk=alice.pk).update(email="alice@example.cn")

    refused = save(alice_client, mobile="13800138000", password="wrong")
    assert refused.status_code == 400
    assert "Enter your current password" in refused.content.decode()
    alice.refresh_from_db()
    assert alice.mobile == ""

    saved = save(alice_client, mobile="138 0013 8000", password=PASSWORD)
    assert saved.status_code == 302
    alice.refresh_from_db()
    assert alice.mobile == "13800138000"


def test_a_mistyped_mobile_number_is_a_form_error_and_nothing_is_saved(alice_client, alice):
    response = save(alice_client, mobile="12345", password=PASSWORD, preferred_language="en")
    assert response.status_code == 400
    assert "11-digit mobile number" in response.content.decode()
    alice.refresh_from_db()
    assert (alice.mobile, alice.preferred_language) == ("", "")


def test_the_language_alone_needs_no_password_and_the_pages_follow_it(alice_client, alice):
    User.objects.filter(pk=alice.pk).update(email="alice@example.cn")
    response = save(alice_client, preferred_language="en")
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.preferred_language == "en"
    assert response.cookies["django_language"].value == "en"
    page = alice_client.get("/contact/").content.decode()
    assert "Your contact details are saved." in page


def test_notices_speak_the_preferred_language_and_go_by_text_message_too(
    django_capture_on_commit_callbacks, sms_outbox
):
    application = death_claim()
    heir = application.applicant
    User.objects.filter(pk=heir.pk).update(
        email="heir@example.cn", mobile="13900139000", preferred_language="en"
    )
    with django_capture_on_commit_callbacks(execute=True):
        withdrawal_services.application_submit(application, actor=heir)

    received = mail.outbox[0]
    assert received.subject.endswith("Application received")
    assert "申请" not in received.subject and "申请" not in received.body
    assert [m.number for m in sms_outbox] == ["13900139000"] * len(mail.outbox)
    assert sms_outbox[0].text == f"sscard {received.subject}"


def test_without_a_preference_notices_speak_both_languages_and_no_text_goes(
    django_capture_on_commit_callbacks, sms_outbox
):
    application = death_claim()
    heir = application.applicant
    with django_capture_on_commit_callbacks(execute=True):
        withdrawal_services.application_submit(application, actor=heir)

    assert "申请已收到 / Application received" in mail.outbox[0].subject
    assert sms_outbox == []
