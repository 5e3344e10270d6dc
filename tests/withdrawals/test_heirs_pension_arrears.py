"""A pensioner dies with pension months owed and not paid (a lapsed living check, then
the month of death before its run): the heirs' claim shows them, pays them once with
the personal balance, each heir their share, and no run pays them again."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client

from accounts import ledger
from accounts.models import Account, LedgerTransaction, fund_code
from pensions import payment_run
from pensions.models import PensionIncrease, PensionPayment, RetireeMedicalRate, SuspendedMonth
from tests.conftest import otp_login
from tests.pensions.conftest import in_payment, retiree_medical_data
from tests.withdrawals.test_heirs_claim import (
    LI_WEI_ID,
    V1,
    Family,
    claim,
    join,
    submitted,
)
from withdrawals.models import HeirPayout

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pay(month, today):
    return payment_run.pension_pay_month(month, today=today)[1]


@pytest.fixture
def family():
    """Wang Fang drew 2,000.00 basic and 500.00 personal-account pension a month from
    July 2024 (10,000.00 on her personal pension account, 2 % more from January 2025).
    The runs paid July 2024 to July 2025; her living check ran out on 1 July 2025, so
    August to December 2025 were held; she died on 10 January 2026 before its run."""
    family = Family()
    region = family.deceased.region
    if not RetireeMedicalRate.objects.filter(region=region).exists():
        retiree_medical_data(region)
    ledger.fund_account_open("pension", region)
    # The national default's 2 % from January 2025 (reference data) applies.
    assert PensionIncrease.objects.get(region="000000", from_month=date(2025, 1, 1)).percent == 2
    family.claim = in_payment(
        family.deceased,
        starts_on=date(2024, 7, 1),
        basic="2000.00",
        personal="500.00",
        balance=D("6600.00"),  # with the 3,400.00 the family set up: 10,000.00
    )
    pay("2025-07", today=date(2025, 7, 1))
    for month in range(8, 13):
        assert pay(f"2025-{month:02d}", today=date(2025, month, 1)).suspended == 1
    return family


def pension_account(family):
    return family.deceased.accounts.get(kind="personal", scheme="pension")


def approved(family, capture):
    pk = claim(family).json()["id"]
    submitted(family, capture, pk)  # the death verified: 10 January 2026
    assert join(family, pk).status_code == 200
    ruth = family.client("ruth")
    assert ruth.post(f"{V1}/withdrawals/{pk}/verify-applicant/").status_code == 200
    checked = ruth.post(
        f"{V1}/withdrawals/{pk}/verify-applicant/", {"national_id": LI_WEI_ID}, format="json"
    )
    assert checked.status_code == 200, checked.json()
    return pk


def test_the_months_owed_at_death_are_paid_once_by_share_and_never_by_a_run(
    family, django_capture_on_commit_callbacks
):
    assert PensionPayment.objects.filter(claim=family.claim).count() == 13
    assert SuspendedMonth.objects.filter(claim=family.claim).count() == 5
    # 13 months x 500.00 came off her 10,000.00.
    assert pension_account(family).balance == D("3500.00")
    pk = approved(family, django_capture_on_commit_callbacks)
    # After the death no run pays a month: they are the estate's.
    assert pay("2026-01", today=date(2026, 1, 20)).months_paid == 0

    # August 2025 to January 2026, 6 months of 2,050.00 + 500.00 (2 % of 2,500.00 = 50.00).
    body = family.client("li_na").get(f"{V1}/withdrawals/{pk}/").json()
    owed = body["pension_arrears"]
    assert owed["months"] == [
        "2025-08",
        "2025-09",
        "2025-10",
        "2025-11",
        "2025-12",
        "2026-01",
    ]
    assert (owed["amount"], owed["basic"], owed["personal"], owed["status"]) == (
        "15300.00",
        "12300.00",
        "3000.00",
        "owed",
    )
    assert "Art. 14" in owed["legal_basis"]
    browser = Client()
    browser.force_login(family.li_na)
    page = browser.get(f"/withdrawals/{pk}/").content.decode()
    assert 'data-testid="pension-arrears"' in page
    assert "2025-08, 2025-09" in page and "Art. 14" in page

    fund = Account.objects.get(system_code=fund_code("pension", family.deceased.region))
    fund_before = fund.balance
    response = family.client("amos").post(f"{V1}/withdrawals/{pk}/approve/")
    assert response.status_code == 200, response.json()

    # The personal parts came off the personal account first (3,000.00), the basic
    # parts from the fund (12,300.00); the 500.00 left is split as the balance.
    fund.refresh_from_db()
    assert fund.balance == fund_before - D("12300.00")
    account = pension_account(family)
    assert (account.balance, account.status) == (D("0.00"), "closed")
    shares = {
        (payout.heir.name, payout.scheme): payout.amount
        for payout in HeirPayout.objects.select_related("heir")
    }
    assert shares[("Li Na", "pension_arrears")] == D("7650.00")
    assert shares[("Li Wei", "pension_arrears")] == D("7650.00")
    assert shares[("Li Na", "pension")] == D("250.00")
    assert shares[("Li Wei", "pension")] == D("250.00")
    estate = PensionPayment.objects.filter(claim=family.claim, destination="estate")
    assert estate.count() == 6
    assert {row.transaction.kind for row in estate} == {LedgerTransaction.Kind.PENSION}
    body = family.client("li_na").get(f"{V1}/withdrawals/{pk}/").json()
    assert (body["pension_arrears"]["status"], body["pension_arrears"]["amount"]) == (
        "paid",
        "15300.00",
    )

    # Nothing twice: the runs after, and a second approval, pay no month again.
    for month, today in (("2026-01", date(2026, 1, 25)), ("2026-02", date(2026, 2, 1))):
        result = pay(month, today=today)
        assert (result.months_paid, result.back_pay_months) == (0, 0)
    assert family.client("amos").post(f"{V1}/withdrawals/{pk}/approve/").status_code == 409
    assert PensionPayment.objects.filter(claim=family.claim).count() == 19
    assert HeirPayout.objects.filter(scheme="pension_arrears").count() == 2
    staff_page = otp_login(Client(), family.amos).get(
        f"/admin/withdrawals/withdrawalapplication/{pk}/change/"
    )
    assert staff_page.status_code == 200
    html = staff_page.content.decode()
    assert 'id="pension-arrears" data-status="paid"' in html
    assert "15,300.00" in html or "15300.00" in html
    assert "2025-08, 2025-09" in html and "Art. 14" in html
