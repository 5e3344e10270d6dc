"""Every cardholder page and every public page, in English and in Chinese, on a desktop
(1280 px) and on a phone (390 px): nothing scrolls sideways on the phone, every amount
is on screen, short links stay on one line, axe finds no accessibility violation, and
no page shows text in the other language.
A screenshot of each page at each width lands in test-artifacts/."""

import pytest

from core import signed_pdf
from pensions.models import RegionalAverageWage
from pensions.reference_data import ensure_illustrative_wages
from tests.conftest import need
from tests.factories import PASSWORD, CardholderFactory, EmployerFactory, UserFactory, death_claim
from tests.web.conftest import post_months

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LANGUAGES = ["en", "zh-hans"]

PUBLIC = [
    ("login", "/login/"),
    ("register", "/register/"),
    ("register-cardholder", "/register/cardholder/"),
    ("register-heir", "/register/heir/"),
    ("password-reset", "/password-reset/"),
    ("password-reset-sent", "/password-reset/sent/"),
    ("password-reset-complete", "/reset/done/"),
    ("verify", "/verify/"),
    ("verify-refused", "/verify/nonsense/"),
    ("not-found", "/no-such-page/"),
]
# What a page shows when it has its figures (not an error in their place).
MUST_SHOW = {
    "dashboard": "personal-total",
    "forecast": "forecast",
    "contributions": "contributions-pension",
    "statement": "statement-balances",
    "record": "record-employment",
    "verify-genuine": "facts",
}
# Forms sent empty, to check the pages as they show errors.
PUBLIC_REFUSED = [
    ("login-refused", "/login/"),
    ("register-cardholder-refused", "/register/cardholder/"),
]
CARDHOLDER_REFUSED = [
    ("withdrawal-check-refused", "/withdrawals/check/"),
    ("password-change-refused", "/password/"),
]

# Everything the browser reports as off-screen or unreadable, page by page.
LAYOUT_PROBLEMS = """() => {
  const width = window.innerWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width) {
    problems.push(`page is ${document.documentElement.scrollWidth}px wide`);
  }
  for (const el of document.querySelectorAll(".money, .table td.num")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not displayed
    if (box.left < 0 || box.right > width + 0.5) {
      problems.push(`amount "${el.textContent.trim()}" spans ${box.left}..${box.right}px`);
    }
  }
  for (const el of document.querySelectorAll(
    ".keep-together, .site-nav a, .pager a, .back-link, .breadcrumbs a")) {
    if (el.getClientRects().length > 1) {
      problems.push(`link "${el.textContent.trim()}" breaks over lines`);
    }
  }
  for (const svg of document.querySelectorAll("svg.chart__plot")) {
    const box = svg.getBoundingClientRect();
    if (box.width === 0) continue;
    const scale = box.width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll("text")) {
      const size = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (size < 12) problems.push(`chart label "${text.textContent}" is ${size.toFixed(1)}px`);
    }
  }
  return problems;
}"""

# Text in the other language, page by page: on a Chinese page a run of four or more
# English words, on an English page any Chinese character. Text marked with its own
# `lang` (the language switch), the names the test gives people and the numbers of
# official documents are not counted.
LANGUAGE_PROBLEMS = r"""([names, skip]) => {
  const pageLang = document.documentElement.lang;
  const chinese = pageLang.startsWith("zh");
  const problems = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const owner = node.parentElement;
    if (!owner || owner.closest("script, style, svg title, code, kbd")) continue;
    if (skip && owner.closest(skip)) continue;
    const marked = owner.closest("[lang]");
    if (marked && marked.lang !== pageLang) continue;
    let text = node.textContent;
    for (const name of names) text = text.split(name).join(" ");
    // A document number is cited as issued (国办发〔2019〕13号), in either language.
    text = text.replace(/[\u4e00-\u9fff]+〔\d{4}〕\d+号/g, " ");
    if (chinese) {
      const run = text.match(/[A-Za-z][A-Za-z'’]*(?:[ ,.:;()-]+[A-Za-z][A-Za-z'’]*){3,}/);
      if (run) problems.push(`English on a Chinese page: "${run[0]}"`);
    } else {
      const han = text.match(/[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]+/);
      const where = text.trim().slice(0, 60);
      if (han) problems.push(`Chinese on an English page: "${han[0]}" in "${where}"`);
    }
  }
  return [...new Set(problems)];
}"""
# The names the fixtures give, as registered (they are English words).
NAMES = ["Alice Wang", "Dora Zhao", "Acme Tools Ltd"]


def language_problems(page, skip=""):
    """`skip`: a CSS selector of elements whose text is stored data, not the site's."""
    return page.evaluate(LANGUAGE_PROBLEMS, [NAMES, skip])


@pytest.fixture
def cardholder():
    cardholder = CardholderFactory(name="Alice Wang")
    user = UserFactory(username=cardholder.national_id, first_name="Alice Wang")
    cardholder.user = user
    cardholder.save(update_fields=["user"])
    employer = EmployerFactory(name="Acme Tools Ltd")
    post_months(cardholder, employer)
    post_months(cardholder, employer, months=3, scheme="medical")
    # The forecast needs the regional average wages the flush took away.
    ensure_illustrative_wages(RegionalAverageWage)
    return cardholder


@pytest.fixture
def claim(cardholder):
    """A draft claim the cardholder makes as the heir of somebody else."""
    return death_claim(heir=cardholder.user, cardholder=CardholderFactory(name="Dora Zhao"))


@pytest.fixture
def axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        need("the axe-playwright-python package (pip install -r requirements-dev.txt)")
    return Axe()


def open_context(chromium, viewport, language):
    accept = "zh-CN,zh;q=0.9" if language == "zh-hans" else "en-GB,en;q=0.9"
    context = chromium.new_context(
        viewport=viewport,
        locale="zh-CN" if language == "zh-hans" else "en-GB",
        extra_http_headers={"Accept-Language": accept},
    )
    context.set_default_timeout(15_000)
    return context


def choose_language(page, base, language):
    """As a person would: the header's language button, if the page is not in it yet."""
    page.goto(f"{base}/login/")
    wanted = "zh-Hans" if language == "zh-hans" else "en"
    if page.locator("html").get_attribute("lang") != wanted:
        page.get_by_test_id(f"language-{language}").click()
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == wanted


def log_in(page, base, cardholder):
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(cardholder.national_id)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def cardholder_pages(page, base, cardholder, claim):
    """(name, path) of every page a logged-in cardholder can reach."""
    # The history page of a personal and of a pooled account (the others are alike).
    accounts = cardholder.accounts.filter(scheme__in=["pension", "medical"]).order_by("pk")
    page.goto(f"{base}/statement/")
    statements = page.locator('main a[href^="/statement/"]:not([href$=".pdf"])')
    year_path = statements.first.get_attribute("href")
    pages = [
        ("dashboard", "/"),
        *((f"history-{a.scheme}-{a.kind}", f"/accounts/{a.pk}/") for a in accounts),
        ("contributions", "/contributions/"),
        ("statements", "/statement/"),
        ("statement", year_path),
        ("record", "/record/"),
        ("forecast", "/pension/forecast/"),
        ("retirement-claim-form", "/pension/apply/"),
        ("card", "/card/"),
        ("report-lost", "/card/report-lost/"),
        ("contact-details", "/contact/"),
        ("skill-subsidy", "/unemployment/skill-subsidy/"),
        ("training", "/training/"),
        ("work-injury", "/work-injury/"),
        ("password-change", "/password/"),
        ("withdrawals", "/withdrawals/"),
        ("withdrawal-check", "/withdrawals/check/"),
        ("claims-about-me", "/withdrawals/about-me/"),
        ("withdrawal", f"/withdrawals/{claim.pk}/"),
        ("withdrawal-documents", f"/withdrawals/{claim.pk}/documents/"),
        ("withdrawal-bank", f"/withdrawals/{claim.pk}/bank/"),
        ("withdrawal-review", f"/withdrawals/{claim.pk}/review/"),
    ]
    pdf = page.request.get(f"{base}{year_path.rstrip('/')}.pdf")
    assert pdf.ok
    pages.append(("verify-genuine", f"/verify/{signed_pdf.read(pdf.body())[0]}/"))
    return pages


def send_empty(page, url):
    page.goto(url)
    with page.expect_navigation():
        page.locator("main form.form button[type=submit]").first.click()
    assert page.locator(".error-summary").count() == 1, f"{url} sent empty shows no errors"


def tour(chromium, live_server, cardholder, claim, viewport, language, visit):
    """Visit every public page, log in, visit every cardholder page; visit(page, name)
    is called on each and returns its problems. Returns them all, one a line."""
    base = live_server.url
    context = open_context(chromium, viewport, language)
    page = context.new_page()
    found = {}
    try:
        choose_language(page, base, language)
        for name, path in PUBLIC:
            page.goto(base + path)
            found[name] = visit(page, name)
        for name, path in PUBLIC_REFUSED:
            send_empty(page, base + path)
            found[name] = visit(page, name)
        log_in(page, base, cardholder)
        for name, path in cardholder_pages(page, base, cardholder, claim):
            response = page.goto(base + path)
            assert response.ok, f"{name}: {path} answered {response.status}"
            if name in MUST_SHOW:
                assert page.get_by_test_id(MUST_SHOW[name]).count(), f"{name}: no {MUST_SHOW[name]}"
            found[name] = visit(page, name)
        for name, path in CARDHOLDER_REFUSED:
            send_empty(page, base + path)
            found[name] = visit(page, name)
    finally:
        context.close()
    return "\n".join(
        f"{name}: {problem}" for name, problems in found.items() for problem in problems
    )


def axe_violations(axe, page):
    results = axe.run(page)
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_fits_a_phone(
    live_server, chromium, screenshot, axe, cardholder, claim, language
):
    def visit(page, name):
        # The chart's figures are in a collapsed table: open it so its amounts count.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        problems = page.evaluate(LAYOUT_PROBLEMS) + axe_violations(axe, page)
        screenshot(page, f"{name}-390")
        return problems

    problems = tour(chromium, live_server, cardholder, claim, PHONE, language, visit)
    assert not problems, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_passes_axe_and_speaks_one_language_on_a_desktop(
    live_server, chromium, screenshot, axe, cardholder, claim, language
):
    def visit(page, name):
        problems = axe_violations(axe, page) + language_problems(page)
        screenshot(page, f"{name}-1280")
        return problems

    problems = tour(chromium, live_server, cardholder, claim, DESKTOP, language, visit)
    assert not problems, problems
