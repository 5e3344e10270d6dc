"""The role and user forms name every permission in the staff member's language."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import translation

from sscard.admin_permissions import permission_label
from tests.conftest import otp_login
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def options(html):
    return re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", html)


@pytest.fixture
def admin_client(roles):
    return otp_login(Client(), StaffFactory(is_superuser=True))


def test_the_chinese_role_form_lists_no_english_permission(admin_client):
    html = admin_client.get("/admin/auth/group/add/", HTTP_ACCEPT_LANGUAGE="zh-CN").content
    labels = options(html.decode())

    assert labels
    assert not [label for label in labels if "Can " in label]
    assert any("可以审核支取申请" in label for label in labels)


def test_the_english_form_keeps_the_english_names(admin_client):
    html = admin_client.get("/admin/auth/group/add/", HTTP_ACCEPT_LANGUAGE="en").content
    assert any("Can review withdrawal applications" in label for label in options(html.decode()))


def test_a_built_in_permission_is_named_from_its_action_and_the_model():
    permission = Permission.objects.get(codename="add_group")
    with translation.override("en"):
        assert permission_label(permission).endswith("| Can add group")
    with translation.override("zh-hans"):
        chinese = permission_label(permission)
    assert "Can add" not in chinese and chinese.endswith("组")
