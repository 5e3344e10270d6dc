"""Both languages: the browser's choice is respected and the switch on every page works,
and every message the code shows has its translation."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from tests.conftest import need

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
    assert "其余额不予支付" in html
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


PLACEHOLDER = re.compile(r"%\((\w+)\)[sdf]|\{(\w*)\}")


def test_translations_keep_the_placeholders():
    """A msgstr naming other placeholders than its msgid would fail or lie when shown."""
    wrong = []
    for entry in polib.pofile(str(PO_FILE)).translated_entries():
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            wanted |= set(PLACEHOLDER.findall(entry.msgid_plural))
            shown = [set(PLACEHOLDER.findall(s)) for s in entry.msgstr_plural.values()]
        else:
            shown = [set(PLACEHOLDER.findall(entry.msgstr))]
        if any(names != wanted for names in shown):
            wrong.append(entry.msgid)
    assert wrong == []


# What makemessages reads; the rest of the tree (virtualenv, data, tests) is left out.
SOURCES = (
    "manage.py",
    "sscard",
    "core",
    "accounts",
    "casework",
    "withdrawals",
    "verification",
    "pensions",
    "benefits",
    "maternity",
    "workinjury",
    "cards",
    "corrections",
    "employer",
    "templates",
    "static",
    "locale",
)


def _makemessages(tree, *args):
    return subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--no-obsolete", "-l", "zh_Hans", *args],
        cwd=tree,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_catalogue_holds_every_message_the_code_shows(tmp_path):
    """makemessages, run on a copy of the tree, finds nothing the catalogue lacks.

    Any string wrapped for translation (Python, templates, and JavaScript in the
    djangojs domain) must already be in locale/ and be translated there.
    """
    missing_tools = [tool for tool in ("xgettext", "msgmerge", "msguniq") if not shutil.which(tool)]
    if missing_tools:
        need(f"GNU gettext ({', '.join(missing_tools)}; Debian package gettext)")
    base = Path(settings.BASE_DIR)
    tree = tmp_path / "tree"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "migrations")
    for name in SOURCES:
        source = base / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=skip)
        else:
            tree.mkdir(exist_ok=True)
            shutil.copy2(source, tree / name)

    problems = []
    for domain in ("django", "djangojs"):
        result = _makemessages(tree, "-d", domain)
        assert result.returncode == 0, result.stderr
        committed = base / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        extracted = tree / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        if not extracted.exists():
            continue  # nothing in this domain to translate
        known = (
            {(e.msgctxt, e.msgid) for e in polib.pofile(str(committed))}
            if committed.exists()
            else set()
        )
        po = polib.pofile(str(extracted))
        lacking = [e for e in po if (e.msgctxt, e.msgid) not in known]
        problems += [f"{domain}: not in locale/: {e.msgid!r}" for e in lacking]
        problems += [f"{domain}: untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
        problems += [f"{domain}: fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    assert problems == [], "run `python manage.py makemessages -l zh_Hans --no-obsolete`, translate"


def test_the_project_alias_of_gettext_lazy_is_extracted():
    """`_l(...)` strings (the staff actions, "what happens next") reach the catalogue."""
    msgids = {entry.msgid for entry in polib.pofile(str(PO_FILE))}
    assert "Verify death" in msgids
    assert "Approve and pay out" in msgids
    assert "Nothing more: the money has been paid." in msgids


def test_staff_action_labels_and_next_steps_in_chinese():
    with translation.override("zh-hans"):
        assert translation.gettext("Verify death") == "核实死亡"
        assert translation.gettext("Approve and pay out") == "批准并付款"
        assert translation.gettext("Nothing more: the money has been paid.") == (
            "无需其他操作：款项已支付。"
        )


def test_staff_login_form_in_chinese(client):
    html = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "身份验证器验证码：" in html
    # The label, not django-otp's English "OTP Token"; attribute values (a random CSRF
    # token may spell "OTP") are left out of the look.
    visible = re.sub(r"<[^>]*>", " ", html)
    assert "OTP" not in visible


def test_compile_translations_writes_the_mo_files(tmp_path, settings):
    from django.core.management import call_command

    shutil.copytree(Path(settings.BASE_DIR) / "locale", tmp_path / "locale")
    for stale in (tmp_path / "locale").glob("*/LC_MESSAGES/*.mo"):
        stale.unlink()
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    call_command("compile_translations", stdout=open(os.devnull, "w"))  # noqa: SIM115

    mo = polib.mofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"))
    assert {(e.msgctxt, e.msgid) for e in mo if e.msgid} == {
        (e.msgctxt, e.msgid) for e in polib.pofile(str(PO_FILE)).translated_entries()
    }
