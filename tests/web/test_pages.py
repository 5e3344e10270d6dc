"""The cardholder pages, as a person using them sees them."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Account, Cardholder, LedgerEntry, Scheme
from accounts.views import balance_chart
from tests.factories import PASSWORD, CardholderFactory, UserFactory, fund
from tests.web.conftest import money, old_purchase

pytestmark = pytest.mark.django_db


def account_of(user, scheme, kind):
    return Account.objects.get(cardholder__user=user, scheme=scheme, kind=kind)


def rows(response):
    return re.findall(r'<tr [^>]*data-entry="(\d+)"', response.content.decode())


# --- overview -------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_dashboard_shows_the_ledger_balances(alice_client, alice):
    response = alice_client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    for account in Account.objects.filter(cardholder__user=alice):
        testid = f"{account.kind}-{account.scheme}"
        assert f'data-testid="{testid}">{money(account.balance)}<' in html
    pension = account_of(alice, Scheme.PENSION, Account.Kind.PERSONAL)
    # 8 % of 8000.00 for 25 months, straight from the contribution rates.
    assert pension.balance == Decimal("16000.00")
    assert money("16000.00") in html
    medical = account_of(alice, Scheme.MEDICAL, Account.Kind.PERSONAL)
    total = pension.balance + medical.balance
    assert f'data-testid="personal-total">{money(total)}<' in html


def test_dashboard_shows_the_card_panel_masked(alice_client, alice):
    cardholder = Cardholder.objects.get(user=alice)
    html = alice_client.get("/").content.decode()
    assert cardholder.masked_national_id in html
    assert cardholder.national_id not in html
    assert cardholder.masked_card_number in html
    assert cardholder.card_number not in html
    assert "Active" in html
    assert "Employed" in html
    assert "Living" in html
    assert "its balance is never paid out" in html


def test_dashboard_total_contributed_per_scheme(alice_client, alice):
    html = alice_client.get("/").content.decode()
    # Pension: 16 % employer + 8 % employee of 8000.00, 25 months.
    assert f'data-testid="contributed-pension">{money("48000.00")}<' in html


def test_dashboard_chart_is_accessible_svg_with_a_table(alice_client):
    html = alice_client.get("/").content.decode()
    assert '<svg viewBox="0 0 720 260" role="img" aria-labelledby="chart-title chart-desc"' in html
    assert '<title id="chart-title">' in html
    assert "<polyline" in html
    assert "Month-end personal balances" in html


def test_the_chart_has_a_compact_drawing_with_fewer_ticks_and_months():
    months = [date(2024, m, 1) for m in range(1, 13)] + [date(2025, m, 1) for m in range(1, 13)]
    series = {"pension": [(day, Decimal(100 * i)) for i, day in enumerate(months)]}
    wide, compact = balance_chart(series)["plots"]
    assert (wide["width"], wide["height"]) == (720, 260)
    assert (compact["width"], compact["height"]) == (360, 240)
    assert [tick["value"] for tick in wide["ticks"]] == [0, 625, 1250, 1875, 2500]
    assert [tick["value"] for tick in compact["ticks"]] == [0, 1250, 2500]
    assert [label["text"] for label in compact["x_labels"]] == ["2024-01", "2025-01", "2025-12"]
    assert len(wide["x_labels"]) == 7
    # Both drawings span the same months: the first and last points are the series' ends.
    for plot in (wide, compact):
        points = plot["lines"][0]["points"].split()
        assert len(points) == 24
        assert float(points[0].split(",")[0]) == plot["left"]
        assert float(points[-1].split(",")[0]) == plot["right"]


def test_heirs_see_where_to_claim(client, charlie):
    client.force_login(charlie)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/withdrawals/"' in html
    assert "not linked to a social security card" in html
    # Pages about one's own accounts lead back to the overview.
    assert client.get("/contributions/").status_code == 302


# --- account history ------------------------------------------------------------


def test_another_persons_account_is_not_found(alice_client, bob):
    bobs = account_of(bob, Scheme.PENSION, Account.Kind.PERSONAL)
    response = alice_client.get(f"/accounts/{bobs.pk}/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert alice_client.get("/accounts/999999999/").status_code == 404


def test_history_pages_with_a_cursor(alice_client, alice):
    account = account_of(alice, Scheme.PENSION, Account.Kind.PERSONAL)
    url = f"/accounts/{account.pk}/"
    first = alice_client.get(url)
    assert first.status_code == 200
    first_ids = rows(first)
    assert len(first_ids) == 20
    newest = LedgerEntry.objects.filter(account=account).order_by("-id").first()
    assert first_ids[0] == str(newest.pk)
    assert "Monthly contribution for 2024-12 (employee part)" in first.content.decode()

    next_url = re.search(r'href="(\?cursor=[^"]+)" rel="next"', first.content.decode()).group(1)
    second = alice_client.get(url + next_url.replace("&amp;", "&"))
    second_ids = rows(second)
    assert len(second_ids) == 5
    assert not set(first_ids) & set(second_ids)
    assert 'rel="next"' not in second.content.decode()
    assert 'data-testid="newest"' in second.content.decode()


def test_history_filters_by_kind_and_year(alice_client, alice):
    cardholder = Cardholder.objects.get(user=alice)
    old_purchase(cardholder)
    account = account_of(alice, Scheme.MEDICAL, Account.Kind.PERSONAL)
    url = f"/accounts/{account.pk}/"

    purchases = alice_client.get(url, {"kind": "settlement"})
    assert purchases.status_code == 200
    assert len(rows(purchases)) == 1
    assert "Pharmacy/hospital purchase" in purchases.content.decode()
    assert money("12.34") in purchases.content.decode()

    in_2020 = alice_client.get(url, {"year": "2020"})
    assert len(rows(in_2020)) == 2
    this_year = alice_client.get(url, {"year": "2020", "kind": "contribution"})
    assert len(rows(this_year)) == 1


@pytest.mark.parametrize(
    "query",
    [
        {"year": "abc"},
        {"year": "99999"},
        {"kind": "lottery"},
        {"cursor": "not-a-cursor"},
        {"cursor": "!!!"},
        {"year": "2020", "cursor": "MA"},
    ],
)
def test_bad_history_filters_are_explained_not_crashed(alice_client, alice, query):
    account = account_of(alice, Scheme.PENSION, Account.Kind.PERSONAL)
    response = alice_client.get(f"/accounts/{account.pk}/", query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html or "start again from the first page" in html


def test_account_id_that_is_not_a_number_is_not_found(alice_client):
    assert alice_client.get("/accounts/abc/").status_code == 404


# --- contributions --------------------------------------------------------------


def test_contributions_month_by_month(alice_client):
    response = alice_client.get("/contributions/", {"scheme": "pension", "year": "2024"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "December 2024" in html and "January 2024" in html
    assert "December 2023" not in html
    assert "Acme Tools Ltd" in html
    assert money("8000.00") in html
    assert money("1280.00") in html  # 16 % to the pool
    assert money("640.00") in html  # 8 % to the personal account
    assert money(Decimal("1280.00") * 12) in html


def test_contributions_default_to_the_newest_year(alice_client):
    html = alice_client.get("/contributions/").content.decode()
    assert "January 2025" in html
    assert "June 2024" not in html


@pytest.mark.parametrize("query", [{"scheme": "lottery"}, {"year": "x"}, {"year": "1850"}])
def test_bad_contribution_filters_are_field_errors(alice_client, query):
    response = alice_client.get("/contributions/", query)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


# --- statement ------------------------------------------------------------------


def test_statement_page_for_a_year(alice_client):
    response = alice_client.get("/statement/2024/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Annual statement 2024" in html
    # 12 months of pension (24 % of 8000.00) and 3 months of medical in 2023 only.
    assert f'data-testid="statement-total">{money(Decimal("1920.00") * 12)}<' in html
    assert "@media print" not in html  # print rules live in the stylesheet


def test_statement_pdf(alice_client):
    response = alice_client.get("/statement/2024.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_statement_pdf_with_a_chinese_name(client):
    user = UserFactory(username="wang")
    cardholder = CardholderFactory(user=user, name="王小明")
    fund(cardholder, "pension", "100.00")  # a statement needs a record in its year
    client.force_login(user)
    response = client.get(f"/statement/{timezone.localdate().year}.pdf")
    assert response.content.startswith(b"%PDF")
    # The font travels inside the file: every font on the page has its outlines embedded.
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        descendant = (
            font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        )
        assert "NotoSansSC" in str(font["/BaseFont"])
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()
    assert "王小明" in page.extract_text()


def test_statement_of_a_future_year_is_not_found(alice_client):
    assert alice_client.get(f"/statement/{date.today().year + 2}/").status_code == 404
    assert alice_client.get("/statement/1200/").status_code == 404


# --- card -----------------------------------------------------------------------


def test_report_card_lost(alice_client, alice):
    page = alice_client.get("/card/report-lost/")
    assert page.status_code == 200
    unconfirmed = alice_client.post("/card/report-lost/", {})
    assert unconfirmed.status_code == 400
    assert "Tick the box" in unconfirmed.content.decode()
    assert Cardholder.objects.get(user=alice).card_status == "active"

    response = alice_client.post("/card/report-lost/", {"confirm": "on"}, follow=True)
    assert Cardholder.objects.get(user=alice).card_status == "reported_lost"
    html = response.content.decode()
    assert 'data-testid="card-status">Reported lost<' in html
    assert "Your card is reported lost" in html
    again = alice_client.get("/card/report-lost/")
    assert "already reported lost" in again.content.decode()


# --- log in, register -----------------------------------------------------------


def test_login_with_a_lower_case_x(client):
    cardholder = CardholderFactory(national_id="11010519491231002X", name="Zhao Min")
    user = UserFactory(username=cardholder.national_id)
    Cardholder.objects.filter(pk=cardholder.pk).update(user=user)
    response = client.post(
        "/login/", {"username": " 11010519491231002x ", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert "Your social insurance" in response.content.decode()


def test_login_failure_keeps_the_id_but_not_the_password(client):
    response = client.post("/login/", {"username": "someone", "password": "wrong-secret"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "do not match an account" in html
    assert 'value="someone"' in html
    assert "wrong-secret" not in html


def test_logout_is_a_post(alice_client):
    assert alice_client.get("/logout/").status_code == 405
    response = alice_client.post("/logout/")
    assert response.status_code == 302
    assert alice_client.get("/").status_code == 302


def registration_data(cardholder=None, **overrides):
    data = {
        "national_id": cardholder.national_id if cardholder else "110105198001010032",
        "name": cardholder.name if cardholder else "Qian Hua",
        "email": "person@example.org",
        "password1": "Long-Enough-2026",
        "password2": "Long-Enough-2026",
    }
    if cardholder:
        data["card_number"] = cardholder.card_number
    data.update(overrides)
    return data


def test_cardholder_registers_with_the_card(client):
    cardholder = CardholderFactory(name="Sun Li")
    response = client.post(
        "/register/cardholder/",
        registration_data(cardholder, national_id=cardholder.national_id.lower()),
        follow=True,
    )
    assert response.status_code == 200
    cardholder.refresh_from_db()
    assert cardholder.user is not None
    assert cardholder.user.national_id == cardholder.national_id
    assert "Your social insurance" in response.content.decode()


def test_cardholder_registration_mismatch_keeps_what_was_typed(client):
    cardholder = CardholderFactory(name="Sun Li")
    response = client.post(
        "/register/cardholder/", registration_data(cardholder, name="Somebody Else")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "do not match our records" in html
    assert 'value="Somebody Else"' in html
    assert "Long-Enough-2026" not in html
    cardholder.refresh_from_db()
    assert cardholder.user is None


def test_heir_registers(client, mailoutbox, django_capture_on_commit_callbacks):
    # The page answers the same for every ID number (see tests/security/
    # test_registration_oracle.py): log in next; the e-mail says the account is ready.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/register/heir/", registration_data(), follow=True)
    assert response.status_code == 200
    assert "If this ID number could be registered" in response.content.decode()
    assert "account is ready" in mailoutbox[-1].body
    data = registration_data()
    response = client.post(
        "/login/", {"username": data["national_id"], "password": data["password1"]}, follow=True
    )
    assert "not linked to a social security card" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"national_id": "110105198001010033"}, "national_id", "check character"),
        ({"national_id": "12345"}, "national_id", "exactly 18 characters"),
        ({"password1": "12345678", "password2": "12345678"}, "password1", "entirely numeric"),
        ({"password2": "Something-Else-1"}, "password2", "not the same"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"name": "   "}, "name", "required"),
    ],
)
def test_registration_errors_are_tied_to_their_fields(client, overrides, field, message):
    response = client.post("/register/heir/", registration_data(**overrides))
    html = response.content.decode()
    assert response.status_code == 400
    error = re.search(
        rf'<span class="field__error" id="id_{field}_error">(.*?)</span>\s*<', html, re.S
    )
    assert error, html
    assert message in error.group(0)
    assert f'aria-describedby="id_{field}_helptext id_{field}_error"' in html or (
        f'aria-describedby="id_{field}_error"' in html
    )
    assert "Long-Enough-2026" not in html


def test_registering_twice_is_refused(client, mailoutbox, django_capture_on_commit_callbacks):
    client.post("/register/heir/", registration_data())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/register/heir/", registration_data())
    # Refused without saying so on the page; the e-mail tells the truth.
    assert response.status_code == 302
    assert "already has an online account" in mailoutbox[-1].body
    assert get_user_model().objects.filter(national_id__isnull=False).count() == 1


def test_password_reset_sends_a_link(client, alice):
    alice.email = "alice@example.org"
    alice.save()
    response = client.post("/password-reset/", {"email": "alice@example.org"}, follow=True)
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()


def test_unknown_page_is_friendly(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_server_error_page_renders_without_a_request():
    from accounts.views import error_500

    response = error_500(None)
    assert response.status_code == 500
    assert "something went wrong" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/", "/contributions/", "/statement/", "/statement/2024/", "/card/report-lost/", "/password/"],
)
def test_every_page_has_the_shared_layout(alice_client, path):
    html = alice_client.get(path).content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert 'action="/i18n/setlang/"' in html
    assert "Log out" in html
    assert "Alice Wang" in html
    assert html.count("<h1") == 1
