"""The admin's big lists number their pages from the planner's estimate, not COUNT(*)."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, Cardholder, Contribution, LedgerTransaction, Settlement
from sscard import admin_paging
from sscard.admin_paging import EstimatedCountPaginator
from tests.conftest import otp_login
from tests.factories import CardholderFactory, StaffFactory
from withdrawals.models import WithdrawalApplication

BIG_LISTS = [
    Cardholder,
    Account,
    LedgerTransaction,
    Contribution,
    Settlement,
    WithdrawalApplication,
]


@pytest.mark.parametrize("model", BIG_LISTS, ids=lambda m: m.__name__)
def test_big_lists_use_the_estimated_count_and_no_full_count(model):
    model_admin = admin.site._registry[model]
    assert model_admin.paginator is EstimatedCountPaginator
    assert model_admin.show_full_result_count is False


def test_filtered_or_small_lists_count_exactly(db):
    CardholderFactory.create_batch(3)
    assert EstimatedCountPaginator(Cardholder.objects.all(), 50).count == 3
    filtered = Cardholder.objects.filter(name="nobody")
    assert EstimatedCountPaginator(filtered, 50).count == 0


@pytest.mark.postgres
def test_an_unfiltered_big_table_is_counted_from_the_estimate(db, monkeypatch):
    CardholderFactory.create_batch(4)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_account")
    estimate = admin_paging.estimated_rows(Account)
    assert estimate is not None and estimate >= 28
    monkeypatch.setattr(admin_paging, "ESTIMATE_ABOVE", 1)
    with CaptureQueriesContext(connection) as queries:
        count = EstimatedCountPaginator(Account.objects.all(), 50).count
    assert count == estimate
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    # A filter takes the exact count again.
    assert EstimatedCountPaginator(Account.objects.filter(kind="personal"), 50).count == 8


@pytest.mark.postgres
def test_the_ledger_list_page_runs_no_count_over_the_table(client, db, monkeypatch):
    CardholderFactory()  # system accounts exist; a few rows are enough for the shape
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_ledgertransaction")
    monkeypatch.setattr(admin_paging, "ESTIMATE_ABOVE", 0)
    monkeypatch.setattr(admin_paging, "estimated_rows", lambda model, using="default": 10**7)
    staff = StaffFactory(is_superuser=True)
    otp_login(client, staff)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/accounts/ledgertransaction/")
    assert response.status_code == 200
    counts = [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(" in q["sql"].upper() and "accounts_ledgertransaction" in q["sql"]
    ]
    assert counts == []
