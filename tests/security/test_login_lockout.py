"""Login throttling (django-axes): five failures for one ID number from one address lock
that pair out for 30 minutes, on the page, the admin and the API token endpoint; the real
person from another address still gets in; every attempt is recorded."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import PASSWORD, CardholderFactory, UserFactory

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"
HOME = "198.51.100.7"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def zhang():
    cardholder = CardholderFactory(national_id="11010519491231002X")
    user = UserFactory(username=cardholder.national_id)
    cardholder.user = user
    cardholder.save(update_fields=["user"])
    return user


def web_login(client, username, password, address):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def api_login(username, password, address):
    return APIClient().post(
        TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def test_five_failures_lock_the_id_out_from_that_address_only(client, zhang, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response = web_login(client, zhang.username, "wrong", ATTACKER)
        assert response.status_code == 200  # the form again, with its error
        assert "do not match an account" in response.content.decode()
    # The fifth failure locks: the friendly page, with how long to wait.
    response = web_login(client, zhang.username, "wrong", ATTACKER)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed logins" in html and "30 minutes" in html
    assert response["Retry-After"] == str(30 * 60)

    # Even the right password is refused from that address now...
    response = web_login(client, zhang.username, PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session

    # ...but the real person at home logs in.
    response = web_login(client, zhang.username, PASSWORD, HOME)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(zhang.pk)


def test_a_lower_case_x_counts_as_the_same_person(client, zhang):
    typed = zhang.username.lower()  # 11010519491231002x
    for _ in range(5):
        web_login(client, typed if _ % 2 else zhang.username, "wrong", ATTACKER)
    assert AccessAttempt.objects.get().username == zhang.username
    assert AccessAttempt.objects.get().failures_since_start == 5
    assert web_login(client, typed, PASSWORD, ATTACKER).status_code == 429


def test_other_people_from_the_locked_address_are_not_affected(client, zhang):
    other = UserFactory(username="110105198503150019")
    for _ in range(5):
        web_login(client, zhang.username, "wrong", ATTACKER)
    assert web_login(client, other.username, PASSWORD, ATTACKER).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, zhang):
    for _ in range(5):
        web_login(client, zhang.username, "wrong", ATTACKER)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert web_login(client, zhang.username, PASSWORD, ATTACKER).status_code == 302


def test_a_success_resets_the_count(client, zhang):
    for _ in range(4):
        web_login(client, zhang.username, "wrong", ATTACKER)
    assert web_login(client, zhang.username, PASSWORD, ATTACKER).status_code == 302
    client.logout()
    for _ in range(4):
        assert web_login(client, zhang.username, "wrong", ATTACKER).status_code == 200


def test_every_attempt_is_recorded(client, zhang):
    for _ in range(6):
        web_login(client, zhang.username, "wrong", ATTACKER)
    web_login(client, zhang.username, PASSWORD, HOME)

    failures = AccessFailureLog.objects.filter(username=zhang.username).order_by("attempt_time")
    assert failures.count() == 6
    assert {f.ip_address for f in failures} == {ATTACKER}
    assert [f.locked_out for f in failures] == [False] * 4 + [True] * 2
    assert all(f.path_info == "/login/" for f in failures)
    success = AccessLog.objects.get(username=zhang.username)
    assert success.ip_address == HOME
    # The password typed is never stored.
    attempt = AccessAttempt.objects.get(username=zhang.username)
    assert "wrong" not in attempt.post_data


def test_api_token_endpoint_locks_out_with_json(zhang):
    for _ in range(4):
        response = api_login(zhang.username, "wrong", ATTACKER)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_credentials"
    response = api_login(zhang.username.lower(), "wrong", ATTACKER)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out"
    assert "30 minutes" in body["message"]
    assert response["Retry-After"] == "1800"
    # The right password from the attacker's address: still locked.
    assert api_login(zhang.username, PASSWORD, ATTACKER).status_code == 429
    # From home: a token, and the login is in the access log.
    response = api_login(zhang.username, PASSWORD, HOME)
    assert response.status_code == 200 and response.json()["token"]
    assert AccessLog.objects.filter(username=zhang.username, ip_address=HOME).exists()
    assert AccessFailureLog.objects.filter(path_info=TOKEN_URL).count() == 6


def test_web_and_api_failures_add_up(client, zhang):
    for _ in range(3):
        web_login(client, zhang.username, "wrong", ATTACKER)
    api_login(zhang.username, "wrong", ATTACKER)
    assert api_login(zhang.username, "wrong", ATTACKER).status_code == 429
    assert web_login(client, zhang.username, PASSWORD, ATTACKER).status_code == 429


def test_admin_login_is_throttled_too(client):
    from tests.conftest import staff_device, totp_code
    from tests.factories import StaffFactory

    rita = StaffFactory(username="rita")
    staff_device(rita)
    for _ in range(5):
        client.post(
            "/admin/login/",
            {"username": "rita", "password": "wrong", "otp_token": "000000"},
            REMOTE_ADDR=ATTACKER,
        )
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "rita", "password": PASSWORD, "otp_token": totp_code(rita)},
        REMOTE_ADDR=ATTACKER,
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_limits_come_from_the_environment(monkeypatch):
    import importlib

    from sscard import settings as project_settings

    monkeypatch.setenv("SSCARD_LOGIN_FAILURE_LIMIT", "3")
    monkeypatch.setenv("SSCARD_LOGIN_COOLOFF_MINUTES", "10")
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.AXES_FAILURE_LIMIT == 3
        assert timedelta(minutes=10) == reloaded.AXES_COOLOFF_TIME
        assert reloaded.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
        assert reloaded.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


# --- what axes stores: nothing ID-shaped in the clear ------------------------------------

ZHANG = "11010519491231002X"
TYPED = [
    "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and letter
    "110105 19491231 002x",  # spaces
    "1101\u200b0519491231\u200d002X",  # zero-width space and joiner
    "\u202d110105-1949-1231-002X\u202c",  # direction marks, hyphens
    "110105194912310021",  # a wrong check digit
    "11010519491231002",  # one character short
    "1101051949123100211",  # one too many
]


def axes_text():
    rows = []
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        for row in model.objects.values():
            rows.append(" ".join(str(value) for value in row.values()))
    return "\n".join(rows)


def digit_runs(text):
    import re
    import unicodedata

    return re.findall(r"[0-9]{12,}", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize("typed", TYPED)
def test_axes_never_stores_an_id_number_however_it_was_typed(client, zhang, typed):
    web_login(client, typed, "wrong", ATTACKER)
    api_login(typed, "wrong", ATTACKER)
    assert AccessFailureLog.objects.count() == 2
    text = axes_text()
    assert digit_runs(text) == [], text
    assert ZHANG[:14] not in text and typed not in text


def test_an_id_typed_oddly_is_the_same_login_and_the_same_counter(client, zhang):
    for typed in TYPED[:4]:
        web_login(client, typed, "wrong", ATTACKER)
    attempt = AccessAttempt.objects.get()
    assert attempt.username == zhang.username and attempt.failures_since_start == 4
    assert web_login(client, TYPED[0], PASSWORD, HOME).status_code == 302


def test_invalid_id_shaped_logins_are_counted_by_digest(client):
    for _ in range(5):
        web_login(client, "110105194912310021", "wrong", ATTACKER)
    attempt = AccessAttempt.objects.get()
    assert len(attempt.username) == 64 and attempt.failures_since_start == 5
    # The same wrong number typed with spaces is the same counter.
    assert web_login(client, "110105 194912310021", "x", ATTACKER).status_code == 429


def test_unlock_login_takes_the_id_number_as_typed(client, zhang):
    import io

    from django.core.management import call_command

    for _ in range(5):
        web_login(client, zhang.username, "wrong", ATTACKER)
    assert web_login(client, zhang.username, PASSWORD, ATTACKER).status_code == 429
    out = io.StringIO()
    call_command("unlock_login", "11010519491231002x ", stdout=out)
    assert "1 lock-out record" in out.getvalue()
    assert ZHANG not in out.getvalue()
    assert not AccessAttempt.objects.exists()
    assert web_login(client, zhang.username, PASSWORD, ATTACKER).status_code == 302


# --- one client address for axes and the API throttles -------------------------------------


def test_rotating_x_forwarded_for_buys_no_fresh_token_limit(settings, zhang):
    settings.AXES_FAILURE_LIMIT = 1000
    statuses = []
    for n in range(12):
        response = APIClient().post(
            TOKEN_URL,
            {"username": f"staff{n}", "password": "wrong"},
            format="json",
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"10.0.{n}.1",
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_behind_a_trusted_proxy_the_address_it_saw_is_used(settings, rf):
    from accounts.ratelimit import client_ip

    assert client_ip(rf.get("/", REMOTE_ADDR=HOME, HTTP_X_FORWARDED_FOR=ATTACKER)) == HOME
    settings.SSCARD_CLIENT_IP_HEADERS = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.SSCARD_PROXY_COUNT = 1
    typed_by_client = f"10.9.9.9, {ATTACKER}"
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=typed_by_client)
    assert client_ip(request) == ATTACKER
    assert client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="junk")) == (
        "127.0.0.1"
    )
    settings.SSCARD_PROXY_COUNT = 2
    request = rf.get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"1.1.1.1, {HOME}, 10.0.0.2"
    )
    assert client_ip(request) == HOME


def test_password_spraying_from_one_address_is_stopped(client, settings, zhang):
    settings.SSCARD_LOGIN_ADDRESS_FAILURE_RATE = "20/hour"
    others = [UserFactory(username=f"spray{n}") for n in range(3)]
    for n in range(20):  # one guess each for 20 different logins: axes alone never locks
        response = web_login(client, f"someone{n}", "Summer2026!", ATTACKER)
        assert response.status_code == 200
    response = web_login(client, others[0].username, PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert "from your address" in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert api_login(others[1].username, PASSWORD, ATTACKER).status_code == 429
    assert api_login(others[1].username, PASSWORD, ATTACKER).json()["code"] == "locked_out"
    # Other addresses are not affected; the attacker's is, until the window ends.
    assert web_login(client, zhang.username, PASSWORD, HOME).status_code == 302
