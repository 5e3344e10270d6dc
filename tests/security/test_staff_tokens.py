"""Staff powers always rest on a second factor and on today's roles: a token issued
before someone became staff (or for other roles) is refused on every request, and a
change of staff status or roles ends that person's sessions and tokens, whether made
through the service, the admin or a shell."""

import pytest
from django.contrib.auth.models import Group, Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services
from tests.conftest import otp_login, staff_device, totp_code
from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
QUEUE = "/api/v1/review/queue/"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def reviewer_group():
    group, _ = Group.objects.get_or_create(name="reviewer")
    group.permissions.add(
        *Permission.objects.filter(
            codename__in=["view_withdrawalapplication", "review_application"]
        )
    )
    return group


@pytest.fixture
def boss():
    return StaffFactory(username="boss", is_superuser=True)


def with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def staff_token(user):
    response = APIClient().post(
        TOKEN_URL,
        {"username": user.username, "password": PASSWORD, "otp_token": totp_code(user)},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_a_token_from_before_becoming_staff_opens_nothing(reviewer_group):
    user = UserFactory(username="mallory")
    old = (
        APIClient()
        .post(TOKEN_URL, {"username": "mallory", "password": PASSWORD}, format="json")
        .json()["token"]
    )
    assert with_token(old).get("/api/v1/me/").status_code == 200
    # Made staff behind the service's back (a shell, a bulk update): the safety net.
    type(user).objects.filter(pk=user.pk).update(is_staff=True)
    user.refresh_from_db()
    user.groups.add(reviewer_group)
    staff_device(user)
    for url in (QUEUE, "/api/v1/me/"):
        response = with_token(old).get(url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "token_needs_second_factor"
    # With the second factor the same person gets a new token that works.
    new = staff_token(user)
    assert new != old
    assert with_token(new).get(QUEUE).status_code == 200
    assert with_token(old).get(QUEUE).status_code == 401


def test_a_staff_token_made_without_the_code_is_refused(reviewer_group):
    user = StaffFactory(username="sam")
    user.groups.add(reviewer_group)
    key = Token.objects.create(user=user).key
    assert with_token(key).get(QUEUE).status_code == 401


def test_the_role_service_ends_sessions_and_tokens(client, reviewer_group, boss):
    user = UserFactory(username="heidi")
    heir_token = Token.objects.create(user=user).key
    client.force_login(user)
    assert client.get("/").status_code == 200
    changed = services.staff_roles_set(
        user=user, actor=boss, is_staff=True, groups=[reviewer_group]
    )
    assert changed == ["is_staff", "groups"]
    assert not Token.objects.filter(key=heir_token).exists()
    assert with_token(heir_token).get("/api/v1/me/").status_code == 401
    assert client.get("/").status_code == 302  # logged out
    # Taking the role away ends the new staff token and session at once too.
    staff_device(user)
    key = staff_token(user)
    otp_login(client, user)
    assert with_token(key).get(QUEUE).status_code == 200
    services.staff_roles_set(user=user, actor=boss, groups=[])
    assert with_token(key).get(QUEUE).status_code == 401
    assert client.get("/admin/").status_code == 302
    # Nothing changed: nothing ends.
    assert services.staff_roles_set(user=user, actor=boss, groups=[]) == []


def test_only_those_allowed_change_roles(reviewer_group):
    from accounts.exceptions import Forbidden

    user = UserFactory(username="ivan")
    with pytest.raises(Forbidden):
        services.staff_roles_set(user=user, actor=StaffFactory(), is_staff=True)
    with pytest.raises(Forbidden):
        services.staff_roles_set(user=user, actor=None, groups=[reviewer_group])
    user.refresh_from_db()
    assert not user.is_staff


def test_a_group_added_in_a_shell_ends_the_staff_session_and_token(client, reviewer_group):
    user = StaffFactory(username="tina")
    key = staff_token(user) if staff_device(user) else None
    otp_login(client, user)
    assert client.get("/admin/").status_code == 200
    user.groups.add(reviewer_group)  # no service: the role fingerprint still changes
    assert client.get("/admin/").status_code == 302
    assert with_token(key).get("/api/v1/me/").status_code == 401


def test_the_admin_ends_logins_when_it_changes_roles(client, reviewer_group, boss):
    user = StaffFactory(username="uma")
    staff_device(user)
    key = staff_token(user)
    otp_login(client, boss)
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "username": user.username,
            "is_active": "on",
            "is_staff": "on",
            "groups": [reviewer_group.pk],
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.pop("last_login", None)
    data.pop("user_permissions", None)
    data.pop("password", None)
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(user.groups.all()) == [reviewer_group]
    assert not Token.objects.filter(key=key).exists()
    user.refresh_from_db()
    assert user.auth_epoch == 1
    assert client.get("/admin/").status_code == 200  # the editor stays logged in
