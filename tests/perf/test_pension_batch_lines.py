"""The payout page lists a batch's pension lines: masked ID, name, month, amount, masked
account and the bank's answer, filtered by status, with the batch's totals, paged by
id in the database; its query count does not grow with the batch."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import LedgerTransaction
from pensions import payout_selectors
from pensions.models import PensionPayment, PensionPayout
from tests.conftest import otp_login
from tests.factories import CardholderFactory, staff_with
from tests.pensions.conftest import in_payment

pytestmark = pytest.mark.django_db
PAGE = "/admin/withdrawals/withdrawalapplication/payouts/"
NUMBER = "6222 0000 1111 2222"


def batch(claim, months, sent_at, *, failed_every=0, start=date(2000, 1, 1)):
    """`months` monthly lines of 100.00 for `claim` sent at `sent_at`; every
    `failed_every`-th one the bank could not pay, the others it paid."""
    txn = LedgerTransaction.objects.create(
        kind=LedgerTransaction.Kind.PENSION, idempotency_key=f"test-batch:{sent_at.isoformat()}"
    )
    index = start.year * 12 + start.month - 1
    payments = PensionPayment.objects.bulk_create(
        PensionPayment(
            claim=claim,
            month=date((index + n) // 12, (index + n) % 12 + 1, 1),
            basic=D("80.00"),
            personal_from_account=D("20.00"),
            personal_from_fund=D("0.00"),
            total=D("100.00"),
            transaction=txn,
            destination="bank",
            payee="Ray Sun",
            bank_name="Bank of Example",
            account_number=NUMBER,
        )
        for n in range(months)
    )
    PensionPayout.objects.bulk_create(
        PensionPayout(
            reference=payment.reference,
            claim=claim,
            payment=payment,
            amount=payment.total,
            payee=payment.payee,
            bank_name=payment.bank_name,
            account_number=payment.account_number,
            status="failed" if failed_every and n % failed_every == 0 else "paid",
            sent_at=sent_at,
        )
        for n, payment in enumerate(payments)
    )


@pytest.fixture
def claim(db):
    holder = CardholderFactory(name="Ray Sun", national_id="110105195801010010")
    return in_payment(holder, starts_on=date(2000, 1, 1), basic="80.00", personal="20.00")


@pytest.fixture
def paymaster(db):
    return otp_login(Client(), staff_with("manage_payouts", "view_withdrawalapplication"))


def lines(html):
    return html.count('class="pension-line"')


def test_the_latest_batch_is_listed_masked_with_totals_and_paged(claim, paymaster):
    earlier = timezone.now() - timedelta(days=31)
    batch(claim, 3, earlier, start=date(1990, 1, 1))
    latest = timezone.now()
    batch(claim, 120, latest, failed_every=10)

    response = paymaster.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert lines(html) == payout_selectors.PAGE_SIZE
    assert "110105********0010" in html and "110105195801010010" not in html
    assert "Ray Sun" in html and "2000-01" in html
    assert "****2222" in html and NUMBER not in html
    page = response.context["pension"]
    assert page.batch == latest
    assert [(row["status"], row["lines"], row["amount"]) for row in page.totals] == [
        ("failed", 12, D("1200.00")),
        ("paid", 108, D("10800.00")),
    ]
    assert (page.lines_total, page.amount_total) == (120, D("12000.00"))
    links = response.context["pension_links"]
    assert links["previous_batch"] and not links["next_batch"] and not links["newer"]

    second = paymaster.get(PAGE + links["more"].split("#")[0])
    assert lines(second.content.decode()) == payout_selectors.PAGE_SIZE
    assert "2004-03" in second.content.decode()  # the 51st month
    third = paymaster.get(PAGE + second.context["pension_links"]["more"].split("#")[0])
    assert lines(third.content.decode()) == 20
    assert not third.context["pension_links"]["more"]
    back = paymaster.get(PAGE + third.context["pension_links"]["newer"].split("#")[0])
    assert [row["reference"] for row in back.context["pension"].lines] == [
        row["reference"] for row in second.context["pension"].lines
    ]

    failed = paymaster.get(PAGE + links["statuses"][4][2].split("#")[0])
    assert failed.context["pension"].status == "failed"
    assert lines(failed.content.decode()) == 12
    assert 'data-status="paid"' not in failed.content.decode().split('id="pension-line-table"')[1]

    older = paymaster.get(PAGE + links["previous_batch"].split("#")[0])
    assert older.context["pension"].batch == earlier
    assert lines(older.content.decode()) == 3


def test_a_malformed_parameter_is_ignored(claim, paymaster):
    batch(claim, 2, timezone.now())
    response = paymaster.get(PAGE, {"pension_batch": "soon", "pension_after": "x"})
    assert response.status_code == 200
    assert lines(response.content.decode()) == 2


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_query_count_does_not_grow_with_the_batch(claim, paymaster):
    batch(claim, 5, timezone.now() - timedelta(days=1), start=date(1990, 1, 1))
    small = _queries(paymaster, PAGE)
    batch(claim, 300, timezone.now(), failed_every=3)
    big = _queries(paymaster, PAGE)
    failed = _queries(paymaster, PAGE + "?pension_status=failed")
    assert big == small
    assert failed == small
    with CaptureQueriesContext(connection) as captured:
        page = payout_selectors.batch_page()
    # The batch, its neighbours, its totals, one page of lines.
    assert len(captured.captured_queries) == 5
    assert len(page.lines) == payout_selectors.PAGE_SIZE
    assert all("OFFSET" not in q["sql"].upper() for q in captured.captured_queries)
