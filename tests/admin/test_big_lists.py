"""The admin's big lists over tables of millions of rows: what staff read as the number
of results, which pages are linked, and that every page opens. The tables here are
small; the thresholds are lowered so the big-table paths run."""

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services
from accounts.models import Account, LedgerEntry
from accounts.reference_data import SYSTEM_ACCOUNTS
from sscard import admin_paging
from tests.conftest import otp_login
from tests.factories import CardholderFactory, StaffFactory, fund

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ACCOUNTS = "/admin/accounts/account/"
ENTRIES = "/admin/accounts/ledgerentry/"


@pytest.fixture
def superuser_client(client):
    return otp_login(client, StaffFactory(is_superuser=True))


@pytest.fixture
def big_tables(monkeypatch):
    """Ten cardholders (20 personal, 50 pooled accounts) and the system ones, analysed; any table
    counts as big and a filtered list is counted up to 6 rows, 2 to a page."""
    CardholderFactory.create_batch(10)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_account")
    monkeypatch.setattr(admin_paging, "ESTIMATE_ABOVE", 1)
    monkeypatch.setattr(admin_paging, "COUNT_UP_TO", 6)
    monkeypatch.setattr(admin.site._registry[Account], "list_per_page", 2)


def count_line(response):
    """The line under the list: page links and the number of rows."""
    html = response.content.decode()
    paginator = re.search(r'<p class="paginator">(.*?)</p>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", paginator)).strip()


def page_ids(response):
    return [obj.pk for obj in response.context["cl"].result_list]


def full_counts(queries, table):
    """COUNT(*) queries over `table` that are not capped by a LIMIT."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(" in q["sql"].upper() and table in q["sql"] and "LIMIT" not in q["sql"].upper()
    ]


def test_a_broad_filter_on_a_big_table_shows_an_estimate_not_a_count(superuser_client, big_tables):
    with CaptureQueriesContext(connection) as queries:
        response = superuser_client.get(ACCOUNTS, {"kind__exact": "pooled"})
    assert response.status_code == 200
    assert full_counts(queries, "accounts_account") == []
    line = count_line(response)
    # 50 pooled accounts: more than the 6 counted, so the planner's figure is shown.
    assert re.search(r"about \d+ accounts", line), line
    assert "Only the first 3 pages are linked" in line
    assert re.search(r"about \d+ results", response.content.decode())
    # Pages 1-3 are linked (6 rows, 2 a page); no link goes deeper.
    assert [int(n) for n in re.findall(r"(?:\?|&amp;)p=(\d+)", response.content.decode())] == [2, 3]


def test_a_lower_bound_when_the_planner_expects_fewer_than_were_counted(
    superuser_client, big_tables, monkeypatch
):
    monkeypatch.setattr(admin_paging, "planned_rows", lambda queryset: 1)
    response = superuser_client.get(ACCOUNTS, {"kind__exact": "pooled"})
    assert response.status_code == 200
    assert "more than 6 accounts" in count_line(response)


def system_account_count():
    """The installation's own system accounts: the fixed ones and the funds its data
    migrations set up."""
    count = Account.objects.filter(kind="system").count()
    assert count >= len(SYSTEM_ACCOUNTS)
    return count


def test_a_small_filtered_result_shows_its_exact_count(superuser_client, big_tables, monkeypatch):
    systems = system_account_count()
    monkeypatch.setattr(admin_paging, "COUNT_UP_TO", systems + 1)
    response = superuser_client.get(ACCOUNTS, {"kind__exact": "system"})
    assert response.status_code == 200
    line = count_line(response)
    assert re.search(rf"(^| ){systems} accounts", line), line
    assert "about" not in line and "more than" not in line
    assert f"{systems} results" in response.content.decode()


def test_the_linked_pages_open_in_order_and_a_deeper_one_is_refused(superuser_client, big_tables):
    seen = []
    for page in (1, 2, 3):
        response = superuser_client.get(ACCOUNTS, {"kind__exact": "pooled", "p": page})
        assert response.status_code == 200
        ids = page_ids(response)
        assert len(ids) == 2
        seen += ids
    expected = list(
        Account.objects.filter(kind="pooled").order_by("id").values_list("id", flat=True)[:6]
    )
    assert seen == expected
    # Beyond the linked pages the admin says the lookup is wrong, as for any bad page.
    response = superuser_client.get(ACCOUNTS, {"kind__exact": "pooled", "p": 4})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_an_unfiltered_big_table_shows_the_table_estimate(superuser_client, big_tables):
    response = superuser_client.get(ACCOUNTS)
    assert response.status_code == 200
    assert re.search(r"about \d+ accounts", count_line(response))


def test_a_small_table_is_counted_and_paged_as_usual(superuser_client, monkeypatch):
    CardholderFactory.create_batch(2)  # 14 holder accounts and the system ones
    monkeypatch.setattr(admin.site._registry[Account], "list_per_page", 5)
    response = superuser_client.get(ACCOUNTS)
    assert response.status_code == 200
    line = count_line(response)
    total = 14 + system_account_count()
    assert re.search(rf"(^| ){total} accounts", line), line
    assert "Only the first" not in line
    assert superuser_client.get(ACCOUNTS, {"p": 4}).status_code == 200


def test_the_ledger_entry_list_is_read_only_and_filters_by_account(superuser_client):
    holder = CardholderFactory()
    account = fund(holder, "medical", "120.00")
    fund(holder, "pension", "80.00")
    response = superuser_client.get(ENTRIES)
    assert response.status_code == 200
    assert LedgerEntry.objects.count() == 4
    assert count_line(response) == "4 ledger entries"
    assert f"{ENTRIES}add/" not in response.content.decode()  # no "Add ledger entry"
    # The account column links to that account's entries.
    link = f"?account__id__exact={account.pk}"
    assert link in response.content.decode()
    response = superuser_client.get(ENTRIES + link)
    assert response.status_code == 200
    assert [e.account_id for e in response.context["cl"].result_list] == [account.pk]
    entry = response.context["cl"].result_list[0]
    page = superuser_client.get(f"{ENTRIES}{entry.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_contributions_filter_by_whole_months(superuser_client):
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    holder = CardholderFactory()
    for month in (last_month, last_month.replace(year=last_month.year - 2)):
        services.contribution_post(
            cardholder=holder, scheme="pension", month=month, wage="10000.00"
        )
    url = "/admin/accounts/contribution/"
    response = superuser_client.get(url)
    html = response.content.decode()
    assert "Last month" in html and "Last year" in html
    assert "Past 7 days" not in html  # a month field matches no single day
    response = superuser_client.get(
        url, {"month__gte": str(last_month), "month__lt": str(this_month)}
    )
    assert response.status_code == 200
    months = {c.month for c in response.context["cl"].result_list}
    assert months == {last_month}


def test_a_big_list_sorts_only_by_the_columns_it_offers(superuser_client):
    holder = CardholderFactory()
    for amount in ("30.00", "10.00", "20.00"):
        fund(holder, "medical", amount)
    newest_first = list(LedgerEntry.objects.order_by("-id").values_list("id", flat=True))
    # Column 4 is the amount: not offered for sorting, so asking for it changes nothing.
    response = superuser_client.get(ENTRIES, {"o": "4"})
    assert response.status_code == 200
    assert page_ids(response) == newest_first
    assert 'href="?o=4"' not in response.content.decode()
    # The id column is: oldest first.
    response = superuser_client.get(ENTRIES, {"o": "0"})
    assert page_ids(response) == newest_first[::-1]


def test_a_filtered_result_that_fits_on_a_page_is_searched_for_once(
    superuser_client, big_tables, monkeypatch
):
    systems = system_account_count()
    monkeypatch.setattr(admin.site._registry[Account], "list_per_page", systems + 1)
    monkeypatch.setattr(admin_paging, "COUNT_UP_TO", systems + 1)
    with CaptureQueriesContext(connection) as queries:
        response = superuser_client.get(ACCOUNTS, {"kind__exact": "system"})
    assert response.status_code == 200
    assert len(page_ids(response)) == systems
    assert re.search(rf"(^| ){systems} accounts", count_line(response))
    # One query looks for the matching rows; the page then fetches those by id.
    searches = [
        q["sql"]
        for q in queries.captured_queries
        if "'system'" in q["sql"] and '"id" IN (' not in q["sql"]
    ]
    assert len(searches) == 1, searches
