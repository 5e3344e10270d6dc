"""Every page of the staff admin, in English and in Chinese: the index, each list and
the first record of each. axe finds no accessibility violation and no English page
shows Chinese. (Chinese pages still show data kept in English, such as the sources of
the reference tables and Django's permission names.) A screenshot of each lands in
test-artifacts/."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.browser.test_every_page import axe_violations, language_problems, open_context
from tests.conftest import otp_login
from tests.factories import StaffFactory, death_claim
from withdrawals import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def admin_user():
    return StaffFactory(username="root", is_superuser=True)


@pytest.fixture
def submitted_claim():
    application = death_claim(pension="1000.00", medical="200.00")
    services.application_submit(application, actor=application.applicant)
    return application


def admin_pages():
    """(name, path) of the index, every list and the first record of every list."""
    pages = [("index", reverse("admin:index"))]
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label
    ):
        opts = model._meta
        name = f"{opts.app_label}-{opts.model_name}"
        pages.append((name, reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")))
        first = model_admin.get_queryset(_request()).order_by("pk").first()
        if first is not None:
            path = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            pages.append((f"{name}-record", path))
    return pages


def _request():
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = StaffFactory.build(is_superuser=True, is_staff=True)
    return request


def signed_in_context(chromium, live_server, client, user, language):
    """A browser holding the session the test client made (password and second factor
    passed): a TOTP code can be used once only, and each language needs a login."""
    otp_login(client, user)
    context = open_context(chromium, DESKTOP, language)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    return context


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_admin_page_passes_axe_and_speaks_one_language(
    live_server, chromium, client, screenshot, admin_user, submitted_claim, language
):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = signed_in_context(chromium, live_server, client, admin_user, language)
    page = context.new_page()
    problems = []
    try:
        for name, path in admin_pages():
            response = page.goto(live_server.url + path)
            assert response.ok, f"{name}: {path} answered {response.status}"
            assert page.locator("#user-tools").count(), f"{name}: not signed in"
            found = axe_violations(axe, page)
            if language == "en":
                # Permission names are rows Django writes at migrate time, in the
                # language active then: data in the permission pickers, not the site's.
                found += language_problems(page, skip=".selector, select[multiple]")
            problems += [f"{name}: {problem}" for problem in found]
            screenshot(page, name)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
