"""Yearly increases entered after their first month (RULES §2): the next run pays the
months already paid at the old amount once, as their own posting, with the basis."""

from datetime import UTC, date, datetime
from decimal import Decimal

from accounts import ledger
from accounts.models import Account, LedgerTransaction
from pensions import payment_rules, selectors
from pensions.models import PensionArrears, PensionIncrease, PensionPayment
from tests.pensions.test_pension_run import audit_clean, claim, pay, pension_fund  # noqa: F401

D = Decimal
JAN_2027 = date(2027, 1, 1)


def _increase(percent=None, amount=None, *, entered=datetime(2027, 3, 20, 9, tzinfo=UTC)):
    row = PensionIncrease.objects.create(
        region="000000",
        from_month=JAN_2027,
        percent=percent,
        amount=amount,
        source="Test notice on the 2027 adjustment",
    )
    # Entered in March 2027, after January to March were paid.
    PensionIncrease.objects.filter(pk=row.pk).update(recorded_at=entered)
    return PensionIncrease.objects.get(pk=row.pk)


def test_arrears_of_an_increase_entered_late_are_paid_once(claim, pension_fund):  # noqa: F811
    # August 2026 to March 2027 paid at 2,507.37 before the 2027 increase is known.
    assert pay("2027-03", today=date(2027, 3, 1)).months_paid == 8
    increase = _increase(percent=D("2"))
    fund_before = pension_fund.__class__.objects.get(pk=pension_fund.pk).balance

    result = pay("2027-04", today=date(2027, 4, 1))

    # April at the new amount: 2,507.37 + 2 % (50.1474 → 50.15) = 2,557.52.
    april = PensionPayment.objects.get(claim=claim, month=date(2027, 4, 1))
    assert april.total == D("2557.52")
    # January to March were paid 50.15 short each: 150.45 of arrears, one posting.
    assert (result.months_paid, result.arrears_paid) == (1, 1)
    arrears = PensionArrears.objects.get(claim=claim)
    assert (arrears.first_month, arrears.last_month, arrears.months) == (
        JAN_2027,
        date(2027, 3, 1),
        3,
    )
    assert arrears.amount == D("150.45")
    assert arrears.increase == increase
    assert arrears.paid_in == date(2027, 4, 1)
    txn = arrears.transaction
    assert txn.kind == "pension_arrears"
    assert txn.idempotency_key == f"pension-arrears:{claim.pk}:{increase.pk}"
    payable = ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE)
    assert {e.account_id: e.amount for e in txn.entries.all()} == {
        pension_fund.pk: D("-150.45"),
        payable.pk: D("150.45"),
    }
    pension_fund.refresh_from_db()
    # The fund paid April's 1,625.15 basic part and the arrears (the personal part
    # still comes from the personal account).
    assert pension_fund.balance == fund_before - D("1625.15") - D("150.45")

    # Once: the same run again and the next month pay no arrears.
    again = pay("2027-04", today=date(2027, 4, 1))
    assert (again.months_paid, again.arrears_paid) == (0, 0)
    assert pay("2027-05", today=date(2027, 5, 1)).arrears_paid == 0
    assert PensionArrears.objects.count() == 1
    assert LedgerTransaction.objects.filter(kind="pension_arrears").count() == 1
    audit_clean()


def test_arrears_are_on_the_pension_page_and_api_with_the_basis(client, claim):  # noqa: F811
    pay("2027-03", today=date(2027, 3, 1))
    _increase(amount=D("60.00"))
    pay("2027-04", today=date(2027, 4, 1))
    body = selectors.pension_status(claim.cardholder, today=date(2027, 4, 2))
    assert body["arrears"] == [
        {
            "increase_from": "2027-01",
            "percent": None,
            "amount_a_month": "60.00",
            "source": "Test notice on the 2027 adjustment",
            "first_month": "2027-01",
            "last_month": "2027-03",
            "months": 3,
            "amount": "180.00",
            "paid_in": "2027-04",
        }
    ]
    client.force_login(claim.applicant)
    page = client.get("/pension/claim/").content.decode()
    assert 'data-testid="arrears"' in page
    assert "180.00" in page
    assert "Test notice on the 2027 adjustment" in page
    record = client.get("/record/").content.decode()
    assert "Arrears of a pension increase paid" in record
    assert "180.00 for 3 month(s), 2027-01 to 2027-03" in record


def test_an_increase_entered_before_its_month_owes_no_arrears(claim):  # noqa: F811
    _increase(percent=D("2"), entered=datetime(2026, 7, 1, tzinfo=UTC))
    pay("2027-02", today=date(2027, 2, 1))
    assert not PensionArrears.objects.exists()
    assert PensionPayment.objects.get(month=JAN_2027).total == D("2557.52")


def _late(pk, month, percent=None, amount=None, entered=None):
    return payment_rules.Increase(month, percent, amount, pk, entered)


def test_two_increases_entered_late_add_up_to_what_the_month_is_short():
    """A pension of 1,000.00 (800 basic, 200 personal) paid for March 2028 before either
    increase was entered: 10 % from 2027 (100.00), then 5 % from 2028 on 1,100.00
    (55.00); together 155.00, what the month is short."""
    paid_at = datetime(2028, 3, 1, tzinfo=UTC)
    later = datetime(2028, 7, 1, tzinfo=UTC)
    first = _late(1, date(2027, 1, 1), percent=D("10"), entered=later)
    second = _late(2, date(2028, 1, 1), percent=D("5"), entered=later)
    owed = payment_rules.increase_arrears(
        D("800.00"),
        D("200.00"),
        date(2020, 1, 1),
        [(date(2028, 3, 1), paid_at)],
        [first, second],
    )
    assert [(a.increase.pk, a.amount) for a in owed] == [(1, D("100.00")), (2, D("55.00"))]
    # Once the first is settled only the second is owed, still on the raised pension.
    owed = payment_rules.increase_arrears(
        D("800.00"),
        D("200.00"),
        date(2020, 1, 1),
        [(date(2028, 3, 1), paid_at)],
        [first, second],
        settled={1},
    )
    assert [(a.increase.pk, a.amount) for a in owed] == [(2, D("55.00"))]
