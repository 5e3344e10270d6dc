"""Browser-side defences: a strict Content-Security-Policy (widened only where a page
needs it), no inline script or style in our templates, CSRF on every form, no
csrf_exempt, and bandit finds no high-severity problem."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import otp_login
from tests.factories import StaffFactory, UserFactory, death_claim

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


def policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_a_strict_policy(client):
    csp = policy(client.get("/login/"))
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    header = client.get("/login/")["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_api_docs_allow_inline_style_and_nothing_else(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    csp = policy(response)
    assert "'unsafe-inline'" in csp["style-src"]
    assert csp["script-src"] == ["'self'"]
    assert "<script>" not in response.content.decode()  # the start-up script is a file
    assert client.get("/api/docs/?script=").status_code == 200


def test_only_the_claim_page_may_frame_its_document_previews(client):
    application = death_claim()
    otp_login(client, StaffFactory(is_superuser=True))
    response = client.get(f"/admin/withdrawals/withdrawalapplication/{application.pk}/change/")
    assert response.status_code == 200
    csp = policy(response)
    assert csp["frame-src"] == ["'self'"] and csp["object-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    preview = response.content.decode()
    assert "<iframe" in preview or "<img" in preview
    assert policy(client.get("/admin/"))["frame-src"] == ["'none'"]


def test_security_headers_on_every_page(client):
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY


TEMPLATE_DIRS = [
    ROOT / "templates",
    *(ROOT / app / "templates" for app in ("accounts", "withdrawals")),
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"javascript:", re.I)


def test_templates_have_no_inline_script_style_or_handlers():
    offenders = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text()
            for pattern in (INLINE_SCRIPT, INLINE_STYLE, HANDLER, JS_URL):
                if pattern.search(text):
                    offenders.append(f"{path.relative_to(ROOT)}: {pattern.pattern}")
    assert offenders == []


def test_no_view_is_exempt_from_csrf():
    hits = [
        str(path.relative_to(ROOT))
        for app in ("sscard", "accounts", "withdrawals")
        for path in (ROOT / app).rglob("*.py")
        if "csrf_exempt" in path.read_text()
    ]
    assert hits == []


@pytest.mark.parametrize(
    "url,data",
    [
        ("/login/", {"username": "x", "password": "y"}),
        ("/register/heir/", {"national_id": "x"}),
        ("/withdrawals/check/", {"reason": "death"}),
        ("/card/report-lost/", {"confirm": "on"}),
        ("/i18n/setlang/", {"language": "en"}),
    ],
)
def test_forms_refuse_a_post_without_the_csrf_token(url, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    assert client.post(url, data).status_code == 403


def test_api_session_posts_need_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post("/api/v1/eligibility/", {}, content_type="application/json")
    assert response.status_code == 403


def test_bandit_finds_no_high_severity_problem():
    bandit = Path(sys.executable).with_name("bandit")
    if not bandit.exists():
        pytest.skip("bandit is not installed (requirements-dev.txt)")
    result = subprocess.run(
        [
            str(bandit),
            "-q",
            "-r",
            "sscard",
            "accounts",
            "withdrawals",
            "-lll",
            "-x",
            "*/migrations/*",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
