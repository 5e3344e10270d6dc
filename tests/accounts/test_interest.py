"""Personal-account interest: the exact monthly form, the yearly run, the payout's share."""

from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts import interest, interest_service, ledger
from accounts.audit import run_audit
from accounts.exceptions import (
    InterestYearNotComplete,
    InvalidInput,
    NoInterestRate,
    UnknownRegion,
)
from accounts.models import Account, InterestRate, LedgerEntry, LedgerTransaction
from tests.factories import CardholderFactory

D = Decimal
TODAY = date(2026, 12, 2)


# --- the formula, by hand -------------------------------------------------------------


def test_opening_balance_earns_the_full_rate():
    # 10,000.00 × 2.62 % = 262.00
    assert interest.interest("0.0262", "10000.00") == D("262.00")


def test_a_credit_in_month_m_earns_thirteen_minus_m_twelfths():
    # 1,200.00 in March earns 1,200 × 8.31 % × 10/12 = 83.10
    assert interest.interest("0.0831", "0", [(3, "1200.00")]) == D("83.10")
    # December: one month, 1,200 × 8.31 % / 12 = 8.31
    assert interest.interest("0.0831", "0", [(12, "1200.00")]) == D("8.31")
    # January: the whole year.
    assert interest.interest("0.0831", "0", [(1, "1200.00")]) == D("99.72")


def test_rounded_once_half_up_not_per_month():
    # 100.00 in January and in February at 3.97 %: 3.97 + 3.639166… = 7.609166… → 7.61
    assert interest.interest("0.0397", "0", [(1, "100.00"), (2, "100.00")]) == D("7.61")
    movements = [(1, "1.00"), (2, "1.00"), (3, "1.00")]
    # 1.00 in each of Jan..Mar at 6.04 %: 0.0604 × (12 + 11 + 10) / 12 = 0.1661 → 0.17,
    # and 0.10 in each: 0.01661 → 0.02 once, where per month 0.01 + 0.01 + 0.01 = 0.03.
    assert interest.interest("0.0604", "0", [(m, "0.10") for m in (1, 2, 3)]) == D("0.02")
    assert interest.interest("0.0604", "0", movements) == D("0.17")
    # Half up: 0.005 goes up. 30.00 at 0.2 % for 1 month: 30 × 0.002 / 12 = 0.005 → 0.01
    assert interest.interest("0.0020", "0", [(12, "30.00")]) == D("0.01")


def test_a_debit_stops_earning_from_its_month():
    # 1,000 opening, 400 spent in July: 1,000 × r − 400 × r × 6/12, r = 3.97 %
    # = 39.70 − 7.94 = 31.76
    assert interest.interest("0.0397", "1000.00", [(7, "-400.00")]) == D("31.76")


def test_twelve_equal_credits_match_the_published_form():
    rate, opening, monthly = D("0.0831"), D("25000.00"), D("800.00")
    exact = interest.interest(rate, opening, [(m, monthly) for m in range(1, 13)])
    published = interest.published_form(rate, opening, monthly * 12)
    # 25,000 × 8.31 % + 9,600 × 8.31 % × 13/12 × ½ = 2,077.50 + 432.12 = 2,509.62
    assert exact == D("2509.62")
    assert published.quantize(D("0.01")) == exact
    # The form as printed, with 1.083 for 13/12, is within its rounding of it.
    printed = interest.published_form(rate, opening, monthly * 12, factor=D("1.083"))
    assert abs(printed - exact) <= monthly * 12 * rate * D("0.0004")


def test_a_partial_year_through_a_month():
    # Paid out in June: five completed months. Opening 12,000 × 6.12 % × 5/12 = 306.00;
    # 600 in each of Jan..May: 600 × 6.12 % × (5+4+3+2+1)/12 = 45.90. Together 351.90.
    movements = [(m, "600.00") for m in range(1, 6)]
    assert interest.interest("0.0612", "12000.00", movements, through=5) == D("351.90")
    # A credit after the last month counted earns nothing.
    assert interest.interest("0.0612", "0", [(6, "600.00")], through=5) == D("0.00")
    assert interest.interest("0.0612", "12000.00", through=0) == D("0.00")


def test_a_year_with_no_credits_earns_on_the_opening_balance_only():
    assert interest.interest("0.0669", "5432.10") == D("363.41")  # 363.407…
    assert interest.interest("0.0669", "0") == D("0.00")


# --- the run ----------------------------------------------------------------------------


def _post(account, amount, when, key):
    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED)
    ledger.post(
        kind=LedgerTransaction.Kind.CONTRIBUTION,
        idempotency_key=key,
        legs=[ledger.Leg(received.pk, -D(amount)), ledger.Leg(account.pk, D(amount))],
        posted_at=when,
    )


def _local(year, month, day=15):
    return datetime(year, month, day, 4, tzinfo=UTC)  # noon in Beijing


@pytest.fixture
def alice(db):
    """Pension: 10,000 at the end of 2023, then 500 a month through 2024; medical:
    1,000 at the end of 2023 and nothing in 2024."""
    holder = CardholderFactory(name="Alice")
    pension = holder.accounts.get(scheme="pension", kind="personal")
    medical = holder.accounts.get(scheme="medical", kind="personal")
    _post(pension, "10000.00", _local(2023, 6), "a-open")
    _post(medical, "1000.00", _local(2023, 6), "a-med")
    for month in range(1, 13):
        _post(pension, "500.00", _local(2024, month), f"a-{month}")
    return holder


def _interest_of(account, year):
    return LedgerTransaction.objects.get(idempotency_key=f"interest:{account.pk}:{year}")


def test_run_posts_one_interest_transaction_per_account_at_the_year_end(alice):
    _plan, result = interest_service.interest_credit_year(2024, today=TODAY)

    pension = alice.accounts.get(scheme="pension", kind="personal")
    medical = alice.accounts.get(scheme="medical", kind="personal")
    assert result.posted == 2
    txn = _interest_of(pension, 2024)
    # 10,000 × 2.62 % + 500 × 2.62 % × 78/12 = 262.00 + 85.15 = 347.15
    entry = txn.entries.get(account=pension)
    assert entry.amount == D("347.15")
    assert txn.kind == "interest"
    assert "2.62 %" in txn.description
    # 23:59:59 on 31 December in Beijing.
    assert txn.posted_at == datetime(2024, 12, 31, 15, 59, 59, tzinfo=UTC)
    # Medical: 1,000 × 0.15 % (a demo rate) = 1.50
    assert _interest_of(medical, 2024).entries.get(account=medical).amount == D("1.50")
    pension.refresh_from_db()
    assert pension.balance == D("16347.15")
    assert run_audit().ok


def test_a_second_run_posts_nothing_and_says_so(alice):
    out = StringIO()
    call_command("credit_interest", "--year", "2023", stdout=out)
    assert "Posted interest 2023 on 2 account(s)." in out.getvalue()

    again = StringIO()
    call_command("credit_interest", "--year", "2023", stdout=again)
    assert "Nothing was posted: interest 2023 is up to date." in again.getvalue()
    assert "Already posted before: 2" in again.getvalue()
    assert LedgerTransaction.objects.filter(kind="interest").count() == 2


def test_last_years_interest_counts_in_this_years_opening_balance(alice):
    interest_service.interest_credit_year(2023, today=TODAY)
    interest_service.interest_credit_year(2024, today=TODAY)
    pension = alice.accounts.get(scheme="pension", kind="personal")
    # 2023: 10,000 in June earns 10,000 × 3.97 % × 7/12 = 231.58; 2024 opening 10,231.58:
    # 268.07 + 85.15 = 353.22
    assert _interest_of(pension, 2023).entries.get(account=pension).amount == D("231.58")
    assert _interest_of(pension, 2024).entries.get(account=pension).amount == D("353.22")


def test_closed_accounts_earn_nothing_and_empty_ones_post_nothing(db):
    holder = CardholderFactory()
    _, result = interest_service.interest_credit_year(2024, today=TODAY)
    assert result.posted == 0
    assert result.nothing_due == 0  # no entries at all: nothing to aggregate
    assert not LedgerTransaction.objects.filter(kind="interest").exists()
    assert holder.accounts.filter(kind="personal").count() == 2


@pytest.mark.parametrize("year", [2026, 2027])
def test_refuses_a_year_that_has_not_ended(alice, year):
    with pytest.raises(InterestYearNotComplete) as caught:
        interest_service.interest_run_plan(year, today=TODAY)
    assert caught.value.code == "interest_year_not_complete"
    assert caught.value.field == "year"


def test_refuses_a_year_without_a_rate_naming_the_region(alice):
    with pytest.raises(NoInterestRate) as caught:
        interest_service.interest_credit_year(2015, today=TODAY)
    assert caught.value.code == "no_interest_rate"
    assert "000000" in str(caught.value.message)
    assert not LedgerTransaction.objects.filter(kind="interest").exists()


def test_refuses_a_region_whose_rate_is_missing_for_the_year(db):
    holder = CardholderFactory(region="440300")
    _post(holder.accounts.get(scheme="pension", kind="personal"), "100.00", _local(2024, 1), "s")
    # Neither the region nor the national default has a 2024 pension rate.
    InterestRate.objects.filter(region="000000", scheme="pension", year=2024).delete()
    with pytest.raises(NoInterestRate) as caught:
        interest_service.interest_credit_year(2024, "440300", today=TODAY)
    assert "440300 (pension)" in str(caught.value.message)
    assert not LedgerTransaction.objects.filter(kind="interest").exists()


def test_a_regions_own_rate_wins_over_the_national_default(db):
    holder = CardholderFactory(region="440300")
    pension = holder.accounts.get(scheme="pension", kind="personal")
    _post(pension, "1000.00", _local(2023, 3), "s")
    InterestRate.objects.create(
        region="440300", scheme="pension", year=2024, rate=D("0.0500"), source="test"
    )
    interest_service.interest_credit_year(2024, "440300", today=TODAY)
    txn = _interest_of(pension, 2024)
    assert txn.entries.get(account=pension).amount == D("50.00")
    assert "region 440300" in txn.description


def test_refuses_an_unknown_region_and_a_malformed_one(alice):
    with pytest.raises(UnknownRegion) as caught:
        interest_service.interest_run_plan(2024, "999999", today=TODAY)
    assert caught.value.code == "unknown_region"
    with pytest.raises(InvalidInput) as caught:
        interest_service.interest_run_plan(2024, "12x", today=TODAY)
    assert caught.value.field == "region"


def test_command_errors_name_the_problem_and_post_nothing(alice):
    with pytest.raises(CommandError, match="no_interest_rate"):
        call_command("credit_interest", "--year", "2015")
    with pytest.raises(CommandError, match="interest_year_not_complete"):
        call_command("credit_interest", "--year", "2099")
    with pytest.raises(CommandError, match="unknown_region"):
        call_command("credit_interest", "--year", "2024", "--region", "999999")
    with pytest.raises(CommandError, match="invalid_year"):
        call_command("credit_interest", "--year", "last")
    assert not LedgerTransaction.objects.filter(kind="interest").exists()


def test_ranges_split_the_accounts_and_together_post_each_once(db):
    holders = [CardholderFactory() for _ in range(5)]
    for n, holder in enumerate(holders):
        account = holder.accounts.get(scheme="pension", kind="personal")
        _post(account, "100.00", _local(2023, 12), f"h{n}")
    plan = interest_service.interest_run_plan(2024, today=TODAY, range_size=3)
    assert len(plan.ranges) > 1
    total = interest_service.RunResult()
    for first, stop in plan.ranges:
        total.add(interest_service.interest_credit_range(plan, first, stop))
    for first, stop in reversed(plan.ranges):  # a re-delivered task
        again = interest_service.interest_credit_range(plan, first, stop)
        assert again.posted == 0
    assert total.posted == 5
    assert LedgerEntry.objects.filter(kind="interest", account__kind="personal").count() == 5
    assert run_audit().ok


# --- a payout first credits the year so far ----------------------------------------------


def _beijing(year, month, day):
    return datetime(year, month, day, 12, tzinfo=interest_service.local_zone())


def test_a_payout_mid_year_credits_the_completed_months_at_the_latest_rate(db):
    holder = CardholderFactory()
    pension = holder.accounts.get(scheme="pension", kind="personal")
    _post(pension, "12000.00", _beijing(2025, 6, 15), "p-open")
    for month in range(1, 6):
        _post(pension, "600.00", _beijing(2026, month, 15), f"p-{month}")

    posted = interest_service.interest_credit_at_payout(
        [pension], when=_beijing(2026, 6, 20), actor=None
    )

    by_year = {t.reference: t for t in posted}
    # 2025 (no rate published yet: 2024's 2.62 %): 12,000 × 2.62 % × 7/12 = 183.40
    last = by_year["interest-2025"]
    assert last.entries.get(account=pension).amount == D("183.40")
    assert "latest published rate (2024)" in last.description
    # 2026 through May: 12,183.40 × 2.62 % × 5/12 + 600 × 2.62 % × 15/12
    # = 133.00212 + 19.65 = 152.65212 → 152.65
    this = by_year["interest-2026"]
    assert this.entries.get(account=pension).amount == D("152.65")
    assert "January to month 5" in this.description
    # Once: the yearly run and a second call find it posted.
    assert interest_service.interest_credit_at_payout([pension], when=_beijing(2026, 6, 21)) == []
    assert run_audit().ok


def test_a_death_payout_pays_the_interest_with_the_balance(db, django_capture_on_commit_callbacks):
    from tests.factories import approve_claim, death_claim

    application = death_claim(pension="1000.00", medical=None)
    pension = application.cardholder.accounts.get(scheme="pension", kind="personal")
    _post(pension, "5000.00", _beijing(2025, 1, 10), "d-open")

    application = approve_claim(application, django_capture_on_commit_callbacks)

    interest_rows = LedgerEntry.objects.filter(account=pension, kind="interest")
    credited = sum((row.amount for row in interest_rows), D("0.00"))
    # 2025 at the latest published rate: 5,000 × 2.62 % = 131.00; this year's share too.
    assert interest_rows.filter(transaction__reference="interest-2025").get().amount == D("131.00")
    assert application.amount == D("6000.00") + credited
    pension.refresh_from_db()
    assert pension.status == "closed" and pension.balance == 0
    payout = application.payout_transaction
    assert payout.entries.get(account=pension).amount == -(D("6000.00") + credited)
    assert run_audit().ok
