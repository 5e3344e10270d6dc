from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import ledger, selectors, services
from accounts.exceptions import InvalidCursor, InvalidKind, NotFound, UnknownScheme
from accounts.ledger import Leg
from accounts.models import Account, Cardholder, LedgerTransaction, Scheme
from tests.factories import CardholderFactory, EmployerFactory, InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo(settings.TIME_ZONE)


def personal(cardholder, scheme=Scheme.MEDICAL):
    return cardholder.accounts.get(scheme=scheme, kind=Account.Kind.PERSONAL)


def credit(account, amount, *, when=None, key=None):
    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED)
    txn, _ = ledger.post(
        kind=LedgerTransaction.Kind.CONTRIBUTION,
        idempotency_key=key or f"test-credit:{account.pk}:{timezone.now().timestamp()}:{amount}",
        legs=[Leg(received.id, -Decimal(amount)), Leg(account.id, Decimal(amount))],
        posted_at=when,
    )
    return txn


def fill(account, count, *, start=datetime(2020, 1, 15, 12, tzinfo=TZ)):
    for n in range(count):
        credit(account, "1.00", when=start + timedelta(days=n * 10), key=f"fill:{account.pk}:{n}")


def all_pages(account, **filters):
    seen, cursor, pages = [], None, 0
    while True:
        page = selectors.account_history(account, cursor=cursor, limit=7, **filters)
        pages += 1
        seen.extend(entry.id for entry in page.entries)
        if not page.has_more:
            assert page.next_cursor is None
            return seen, pages
        cursor = page.next_cursor


def test_cardholder_and_accounts_are_scoped_to_the_user():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    alices = CardholderFactory(user=alice)
    bobs = CardholderFactory(user=bob)
    heir = UserFactory(username="charlie")

    assert selectors.cardholder_for_user(alice) == alices
    assert selectors.cardholder_for_user(heir) is None
    assert set(selectors.accounts_for_user(alice)) == set(alices.accounts.all())
    assert not selectors.accounts_for_user(heir).exists()

    own = personal(alices)
    assert selectors.account_get_for_user(alice, own.id) == own
    with pytest.raises(NotFound) as refused:
        selectors.account_get_for_user(alice, personal(bobs).id)
    assert refused.value.status == 404
    with pytest.raises(NotFound):
        selectors.account_get_for_user(alice, 987654)
    with pytest.raises(NotFound):
        selectors.account_get_for_user(alice, "nope")


def test_balances_per_scheme_in_scheme_order():
    cardholder = CardholderFactory()
    services.contribution_post(
        cardholder=cardholder,
        scheme=Scheme.PENSION,
        month=date(2025, 3, 1),
        wage="10000.00",
        employer=EmployerFactory(),
    )
    balances = selectors.balances_for_cardholder(cardholder)

    assert [b.scheme for b in balances] == Scheme.values
    pension = balances[0]
    assert pension.personal == Decimal("800.00")
    assert pension.pooled == Decimal("1600.00")
    assert pension.total_contributed == Decimal("2400.00")
    assert pension.personal_status == Account.Status.OPEN
    unemployment = balances[2]
    assert unemployment.personal is None and unemployment.personal_account_id is None
    assert unemployment.pooled == Decimal("0.00")
    assert unemployment.total_contributed == Decimal("0.00")


def test_history_pages_cover_every_entry_exactly_once():
    account = personal(CardholderFactory())
    fill(account, 30)

    seen, pages = all_pages(account)

    expected = list(account.entries.order_by("-id").values_list("id", flat=True))
    assert seen == expected
    assert len(seen) == 30 and pages == 5


def test_history_filters_by_year_in_local_time_and_kind():
    account = personal(CardholderFactory())
    # 2024-12-31 23:30 in Beijing is still 2024 there, though already past noon UTC.
    credit(account, "5.00", when=datetime(2024, 12, 31, 23, 30, tzinfo=TZ), key="late-2024")
    credit(account, "6.00", when=datetime(2025, 1, 1, 0, 30, tzinfo=TZ), key="early-2025")
    institution = InstitutionFactory()
    services.settlement_create(
        institution=institution,
        card_number=account.cardholder.card_number,
        amount="2.00",
        description="aspirin",
        idempotency_key="buy-1",
    )

    in_2024 = selectors.account_history(account, year=2024).entries
    assert [e.amount for e in in_2024] == [Decimal("5.00")]
    in_2025 = selectors.account_history(account, year="2025").entries
    assert Decimal("6.00") in [e.amount for e in in_2025]
    settlements = selectors.account_history(account, kind="settlement").entries
    assert [e.amount for e in settlements] == [Decimal("-2.00")]
    seen, _pages = all_pages(account, kind="contribution")
    assert len(seen) == 2


@pytest.mark.parametrize("cursor", ["!!!", "abc", "MA", "LTE", "x" * 100, "=="])
def test_malformed_cursor_is_a_400(cursor):
    account = personal(CardholderFactory())
    with pytest.raises(InvalidCursor) as refused:
        selectors.account_history(account, cursor=cursor)
    assert refused.value.code == "invalid_cursor"
    assert refused.value.status == 400


def test_unknown_kind_is_a_400():
    account = personal(CardholderFactory())
    with pytest.raises(InvalidKind) as refused:
        selectors.account_history(account, kind="gift")
    assert refused.value.code == "invalid_kind" and refused.value.status == 400


def history_queries(count):
    cardholder = CardholderFactory()
    account = personal(cardholder)
    fill(account, count)
    user = UserFactory()
    Cardholder.objects.filter(pk=cardholder.pk).update(user=user)
    account = selectors.account_get_for_user(user, account.id)
    with CaptureQueriesContext(connection) as history:
        page = selectors.account_history(account, limit=20)
        texts = [selectors.describe_entry(entry) for entry in page.entries]
        selectors.account_history(account, cursor=page.next_cursor, year=2020, kind="contribution")
    with CaptureQueriesContext(connection) as balances:
        selectors.balances_for_cardholder(cardholder)
    with CaptureQueriesContext(connection) as others:
        selectors.contribution_history(cardholder)
        selectors.contribution_years(cardholder)
        selectors.personal_balance_series(cardholder)
        selectors.annual_statement(cardholder, 2020)
    assert all(texts)
    return len(history), len(balances), len(others)


def test_query_count_does_not_grow_with_history():
    small = history_queries(10)
    large = history_queries(200)
    assert small == large
    assert small[0] == 2  # one query per page
    assert small[1] == 2


def test_describe_entry_in_plain_words():
    cardholder = CardholderFactory()
    services.contribution_post(
        cardholder=cardholder, scheme=Scheme.MEDICAL, month=date(2026, 3, 1), wage="8000.00"
    )
    institution = InstitutionFactory(name="Tongrentang")
    settlement, _ = services.settlement_create(
        institution=institution,
        card_number=cardholder.card_number,
        amount="10.00",
        description="",
        idempotency_key="k1",
    )
    correction, _ = services.correction_post(
        original=settlement.transaction, actor=UserFactory(is_staff=True), reason="wrong amount"
    )
    account = personal(cardholder)

    with CaptureQueriesContext(connection) as queries:
        page = selectors.account_history(account)
        texts = [selectors.describe_entry(entry) for entry in page.entries]
    assert texts == [
        f"Correction of transaction #{settlement.transaction_id}",
        "Pharmacy purchase at Tongrentang",
        "Monthly contribution for 2026-03 (employee part)",
    ]
    assert len(queries) <= 2
    pooled = cardholder.accounts.get(scheme=Scheme.MEDICAL, kind=Account.Kind.POOLED)
    [entry] = selectors.account_history(pooled).entries
    assert selectors.describe_entry(entry) == "Monthly contribution for 2026-03 (employer part)"
    assert correction.reverses_id == settlement.transaction_id


def test_contribution_history_sums_payers_per_month():
    cardholder = CardholderFactory()
    employer = EmployerFactory(name="Acme")
    for month in (date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1)):
        services.contribution_post(
            cardholder=cardholder,
            scheme=Scheme.PENSION,
            month=month,
            wage="10000.00",
            employer=employer,
        )
    services.contribution_post(
        cardholder=cardholder,
        scheme=Scheme.UNEMPLOYMENT,
        month=date(2025, 1, 1),
        wage="10000.00",
        employer=employer,
    )

    rows = selectors.contribution_history(cardholder)
    assert [(r["month"], r["scheme"]) for r in rows] == [
        (date(2025, 1, 1), "pension"),
        (date(2025, 1, 1), "unemployment"),
        (date(2024, 12, 1), "pension"),
        (date(2024, 11, 1), "pension"),
    ]
    first = rows[0]
    assert first["employer"] == "Acme"
    assert first["wage_base"] == Decimal("10000.00")
    assert first["to_pooled"] == Decimal("1600.00")
    assert first["to_personal"] == Decimal("800.00")
    assert rows[1]["to_pooled"] == Decimal("100.00")  # 0.5 % + 0.5 %, both to the pool
    assert rows[1]["to_personal"] == Decimal("0.00")

    in_2024 = selectors.contribution_history(cardholder, scheme="pension", year=2024)
    assert [r["month"] for r in in_2024] == [date(2024, 12, 1), date(2024, 11, 1)]
    assert selectors.contribution_years(cardholder) == [2025, 2024]
    with pytest.raises(UnknownScheme):
        selectors.contribution_history(cardholder, scheme="lottery")


def test_personal_balance_series_carries_month_ends_forward():
    cardholder = CardholderFactory()
    account = personal(cardholder, Scheme.PENSION)
    today = timezone.localdate()
    this_month = datetime(today.year, today.month, 1, 12, tzinfo=TZ)
    long_ago = this_month - timedelta(days=800)
    two_months_ago = (this_month - timedelta(days=40)).replace(day=2)
    credit(account, "100.00", when=long_ago, key="old")
    credit(account, "50.00", when=two_months_ago, key="recent-1")
    credit(account, "25.00", when=two_months_ago + timedelta(hours=1), key="recent-2")

    series = selectors.personal_balance_series(cardholder, months=6)

    assert set(series) == {"pension", "medical"}
    pension = series["pension"]
    assert len(pension) == 6
    assert pension[0][1] == Decimal("100.00")
    assert pension[-1][1] == Decimal("175.00")
    assert pension[-2][1] == Decimal("175.00")  # nothing last month: carried
    assert pension[-3][1] == Decimal("175.00")
    assert pension[-4][1] == Decimal("100.00")
    assert pension[-1][0].month == today.month
    assert all(value == Decimal("0.00") for _day, value in series["medical"])


def test_annual_statement():
    cardholder = CardholderFactory()
    medical = personal(cardholder)
    credit(medical, "300.00", when=datetime(2023, 6, 1, tzinfo=TZ), key="2023")
    credit(medical, "200.00", when=datetime(2024, 1, 1, 0, 5, tzinfo=TZ), key="2024-a")
    credit(medical, "100.00", when=datetime(2024, 12, 31, 23, 55, tzinfo=TZ), key="2024-b")
    for month in (date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)):
        services.contribution_post(
            cardholder=cardholder, scheme=Scheme.MEDICAL, month=month, wage="10000.00"
        )

    in_2024 = selectors.annual_statement(cardholder, 2024)
    row = next(r for r in in_2024["accounts"] if r["account_id"] == medical.id)
    assert (row["opening"], row["closing"]) == (Decimal("300.00"), Decimal("600.00"))
    assert row["credits"] == Decimal("300.00") and row["debits"] == Decimal("0.00")
    assert [r["month"] for r in in_2024["contributions"]] == [date(2024, 12, 1)]
    assert in_2024["contribution_totals"]["medical"]["to_personal"] == Decimal("200.00")
    assert in_2024["contribution_totals"]["medical"]["to_pooled"] == Decimal("880.00")

    in_2025 = selectors.annual_statement(cardholder, 2025)
    assert [r["month"] for r in in_2025["contributions"]] == [date(2025, 1, 1), date(2025, 2, 1)]
    assert in_2025["contributions_total"] == Decimal("2160.00")

    in_2022 = selectors.annual_statement(cardholder, 2022)
    row = next(r for r in in_2022["accounts"] if r["account_id"] == medical.id)
    assert row["opening"] == row["closing"] == Decimal("0.00")

    this_year = timezone.localdate().year
    services.settlement_create(
        institution=InstitutionFactory(),
        card_number=cardholder.card_number,
        amount="150.00",
        description="",
        idempotency_key="s1",
    )
    statement = selectors.annual_statement(cardholder, this_year)
    assert statement["settlements_total"] == Decimal("150.00")
    assert statement["payouts_total"] == Decimal("0.00")
    row = next(r for r in statement["accounts"] if r["account_id"] == medical.id)
    # The contributions were posted today, whatever month they paid for.
    assert row["opening"] == Decimal("600.00")
    assert row["closing"] == Decimal("1050.00")
