"""Both languages: the browser's choice is respected and the switch on every page works."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_chinese_browser_gets_chinese_pages(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "<h1>登录</h1>" in html
    assert "社会保障卡自助服务" in html
    assert "公民身份号码或工作人员用户名" in html
    # The switch offers the other language, named in that language.
    assert 'lang="en"' in html and ">English<" in html


def test_english_browser_gets_english_pages(client):
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html
    assert ">简体中文<" in html


def test_dashboard_in_chinese(alice_client):
    html = alice_client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "<h1>我的社会保险</h1>" in html
    assert "养老保险" in html
    assert "统筹账户" in html
    assert "永远不能支取" in html
    assert "在职" in html  # employment status from the model's choices


def test_form_errors_in_chinese(client):
    response = client.post(
        "/register/heir/",
        {"national_id": "12345", "name": "", "email": "x", "password1": "a", "password2": "b"},
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "出现问题" in html
    assert "公民身份号码必须正好是 18 个字符。" in html


def test_language_switch_sticks(alice_client):
    response = alice_client.post(
        "/i18n/setlang/",
        {"language": "zh-hans", "next": "/contributions/"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    assert response.url == "/contributions/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    page = alice_client.get("/contributions/", HTTP_ACCEPT_LANGUAGE="en")
    assert "<h1>缴费记录</h1>" in page.content.decode()

    alice_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = alice_client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "<h1>Your social insurance</h1>" in page.content.decode()


def test_error_pages_in_chinese(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 404
    assert "找不到页面" in response.content.decode()


def test_every_message_is_translated():
    po = polib.pofile(str(PO_FILE))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
