"""Staff reach the admin only with a second factor (TOTP): the admin login asks for the
code, a password-only session is not staff there, enrolment works once, and staff API
tokens and sessions need the code too."""

import io

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.staff_otp import secret_base32
from tests.conftest import otp_login, staff_device, totp_code
from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rita():
    user = StaffFactory(username="rita", is_superuser=True)
    staff_device(user)
    return user


def admin_login(client, username, password, token):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "otp_token": token, "next": "/admin/"},
    )


def wrong_code(user):
    return "123456" if totp_code(user) != "123456" else "654321"


def test_admin_login_needs_the_code(client, rita):
    response = admin_login(client, "rita", PASSWORD, "")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

    response = admin_login(client, "rita", PASSWORD, totp_code(rita))
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_and_slows_the_next_try(client, rita):
    response = admin_login(client, "rita", PASSWORD, wrong_code(rita))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # django-otp throttles the device after a failure: even the right code waits.
    response = admin_login(client, "rita", PASSWORD, totp_code(rita))
    assert "_auth_user_id" not in client.session
    TOTPDevice.objects.filter(user=rita).update(throttling_failure_count=0)
    response = admin_login(client, "rita", PASSWORD, totp_code(rita))
    assert response.status_code == 302


def test_password_alone_does_not_open_the_admin(client, rita):
    # Logged in through the ordinary page: authenticated, but no second factor.
    response = client.post("/login/", {"username": "rita", "password": PASSWORD})
    assert response.status_code == 302
    for url in ("/admin/", "/admin/withdrawals/withdrawalapplication/", "/admin/accounts/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


def test_force_login_without_device_is_not_enough(client):
    boss = StaffFactory(username="boss", is_superuser=True)
    client.force_login(boss)
    assert client.get("/admin/").status_code == 302
    otp_login(client, boss)
    assert client.get("/admin/").status_code == 200


def enrolment_code(username):
    out = io.StringIO()
    call_command("staff_totp", username, "--enrolment-code", stdout=out)
    return out.getvalue().split("code")[-1].split()[0]


def test_enrolment_page_confirms_a_new_device_and_opens_the_admin(client):
    newcomer = StaffFactory(username="nina", is_superuser=True)
    client.force_login(newcomer)
    # First the one-time code an operator issued; the password alone is not enough.
    code = enrolment_code("nina")
    response = client.post("/staff/authenticator/", {"enrolment_code": code.lower()})
    assert response.status_code == 302
    response = client.get("/staff/authenticator/")
    assert response.status_code == 200
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=newcomer)
    assert not device.confirmed
    assert secret_base32(device) in html
    assert "otpauth://totp/" in html
    assert 'src="data:image/svg+xml;base64,' in html

    response = client.post("/staff/authenticator/", {"code": "000000"})
    if response.status_code != 302:  # 000000 could be the real code once in a million
        assert response.status_code == 400
        assert "not right" in response.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    code = f"{totp(device.bin_key):06d}"
    response = client.post("/staff/authenticator/", {"code": code})
    assert response.status_code == 302 and response.url == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_a_stolen_password_cannot_enrol_a_second_device(client, rita):
    client.force_login(rita)
    response = client.get("/staff/authenticator/")
    html = response.content.decode()
    assert "already set up" in html
    assert secret_base32(TOTPDevice.objects.get(user=rita)) not in html
    client.post("/staff/authenticator/", {"code": "123456"})
    assert TOTPDevice.objects.filter(user=rita).count() == 1


def test_enrolment_page_is_for_staff_only(client):
    client.force_login(UserFactory())
    assert client.get("/staff/authenticator/").status_code == 404
    client.logout()
    assert client.get("/staff/authenticator/").status_code == 302


def test_staff_totp_command_prints_a_working_secret():
    user = StaffFactory(username="ops")
    out = io.StringIO()
    call_command("staff_totp", "ops", stdout=out)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    text = out.getvalue()
    assert secret_base32(device) in text and "otpauth://totp/" in text
    # Run again: the same device; --reset: a new secret.
    call_command("staff_totp", "ops", stdout=io.StringIO())
    assert TOTPDevice.objects.filter(user=user).count() == 1
    call_command("staff_totp", "ops", "--reset", stdout=io.StringIO())
    assert secret_base32(TOTPDevice.objects.get(user=user)) != secret_base32(device)


def test_staff_token_needs_the_code_and_staff_session_needs_verification(rita):
    body = {"username": "rita", "password": PASSWORD}
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "otp_required"
    response = APIClient().post(
        "/api/v1/auth/token/", {**body, "otp_token": totp_code(rita)}, format="json"
    )
    assert response.status_code == 200 and response.json()["token"]

    # A password-only staff session is anonymous on the API; a verified one is not.
    client = APIClient()
    client.force_login(rita)
    assert client.get("/api/v1/review/queue/").status_code in (401, 403)
    otp_login(client, rita)
    assert client.get("/api/v1/review/queue/").status_code == 200


def test_demo_staff_get_the_published_secret():
    from accounts.management.commands.seed_demo import DEMO_TOTP_SECRET

    out = io.StringIO()
    call_command("seed_demo", "--force", stdout=out)
    assert DEMO_TOTP_SECRET in out.getvalue()
    staff = TOTPDevice.objects.filter(user__is_staff=True, confirmed=True)
    assert staff.filter(user__username="admin").exists()
    assert {secret_base32(d) for d in staff} == {DEMO_TOTP_SECRET}


def test_a_password_alone_cannot_enrol_a_first_device(client):
    """A staff account without an authenticator, its password stolen: the enrolment
    page shows no secret and accepts no device without an operator's code."""
    newcomer = StaffFactory(username="nora", is_staff=True)
    client.force_login(newcomer)
    response = client.get("/staff/authenticator/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "enrolment code" in html.lower()
    assert "otpauth://" not in html
    assert not TOTPDevice.objects.filter(user=newcomer).exists()
    # Guessing codes, or a code issued to someone else, gets nowhere.
    other = StaffFactory(username="olga")
    stolen = enrolment_code("olga")
    for guess in ("AAAA-BBBB-CCCC", stolen, ""):
        response = client.post("/staff/authenticator/", {"enrolment_code": guess})
        assert response.status_code == 400
    assert "otpauth://" not in client.get("/staff/authenticator/").content.decode()
    assert not TOTPDevice.objects.filter(user=newcomer).exists()
    assert other.pk  # olga's code still works for olga alone


def test_an_enrolment_code_works_once_and_the_secret_shown_is_new(client):
    newcomer = StaffFactory(username="nell")
    client.force_login(newcomer)
    code = enrolment_code("nell")
    client.post("/staff/authenticator/", {"enrolment_code": code})
    device = TOTPDevice.objects.get(user=newcomer)
    code_now = f"{totp(device.bin_key):06d}"
    assert client.post("/staff/authenticator/", {"code": code_now}).status_code == 302
    # Used: a second device cannot be enrolled with it, and the command refuses a new
    # code while the device exists.
    client.force_login(newcomer)
    assert "already set up" in client.get("/staff/authenticator/").content.decode()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        enrolment_code("nell")
    from accounts.models import StaffEnrolmentCode

    assert not StaffEnrolmentCode.objects.filter(user=newcomer).exists()
