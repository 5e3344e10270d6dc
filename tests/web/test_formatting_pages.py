"""The same sum and the same moment read alike on the pages in both languages."""

from decimal import Decimal

import pytest

from accounts.models import Account, Scheme
from tests.web.test_pages import account_of


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_dashboard_amounts_have_thousands_separators_in_both_languages(
    alice_client, alice, language
):
    html = alice_client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    pension = account_of(alice, Scheme.PENSION, Account.Kind.PERSONAL)
    assert pension.balance == Decimal("16000.00")
    assert 'data-testid="personal-pension">¥16,000.00<' in html
    assert "¥16000.00" not in html


@pytest.mark.parametrize(
    ("language", "issued"),
    [("zh-CN", r"\d{4}年\d{1,2}月\d{1,2}日"), ("en", r"\d{1,2} [A-Z][a-z]+ \d{4}")],
)
def test_statement_issue_date_in_the_readers_style(alice_client, language, issued):
    import re

    index = alice_client.get("/statement/", HTTP_ACCEPT_LANGUAGE=language)
    years = re.findall(r'href="/statement/(\d{4})/"', index.content.decode())
    assert years
    html = alice_client.get(
        f"/statement/{years[0]}/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    seal = re.search(r'class="statement__seal">([^<]*)<', html).group(1)
    assert re.search(issued, seal), seal
