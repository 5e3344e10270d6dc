"""Wang Fang died of a recognised work injury (WIR Art. 39): the approval of her death at
work left the funeral subsidy and the one-time work-death subsidy in payouts payable.
The heirs' claim on her shows them and its approval pays them out, each heir their
share, once, with no second posting from the work-injury fund.

Region 000000's 2025 average monthly wage is 10,000.01: the funeral subsidy is
6 × 10,000.01 = 60,000.06. The 2025 national income is 54,000.01: the one-time subsidy
is 20 × 54,000.01 = 1,080,000.20."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib import admin
from django.test import Client

from accounts import ledger
from accounts.audit import run_audit
from accounts.models import Account, LedgerEntry, LedgerTransaction, fund_code
from pensions.models import RegionalAverageWage
from tests.conftest import otp_login
from tests.factories import UserFactory
from tests.withdrawals.test_heirs_claim import LI_NA_ID as NA_ID
from tests.withdrawals.test_heirs_claim import (
    LI_WEI_ID,
    V1,
    Family,
    claim,
    heirs,
    join,
    upload,
)
from tests.workinjury.conftest import TODAY, injury_staff, recognised, wages
from withdrawals import heir_services
from withdrawals.models import HeirPayout, WithdrawalApplication
from workinjury import death_services, selectors
from workinjury.admin import WorkDeathBenefitAdmin
from workinjury.models import NationalDisposableIncome, WorkDeathBenefit

pytestmark = pytest.mark.django_db

DIED = date(2026, 11, 20)
FUNERAL = D("60000.06")
SUBSIDY = D("1080000.20")
LUMP = ("work_death_funeral", "work_death_subsidy")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def work_death(deceased, capture, *, approve=True):
    """The injury of 1 November 2026 recognised, the death of 20 November recorded by
    one reviewer and (unless `approve` is false) approved by another."""
    user = UserFactory(username=f"worker{deceased.pk}", first_name=deceased.name, password=None)
    type(deceased).objects.filter(pk=deceased.pk).update(user=user)
    deceased.refresh_from_db()
    ledger.fund_account_open("work_injury", deceased.region)
    RegionalAverageWage.objects.update_or_create(
        region=deceased.region,
        year=2025,
        defaults={"amount": D("10000.01"), "source": "test figure"},
    )
    NationalDisposableIncome.objects.update_or_create(
        year=2025, defaults={"amount": D("54000.01"), "source": "test figure"}
    )
    wages(deceased, [D("8000.00")] * 12)
    rita = injury_staff("rita", "view_injuryrecognition", "review_injuryrecognition")
    dora = injury_staff("dora", "view_injuryrecognition", "decide_injuryrecognition")
    recognition = recognised(user, rita, dora, capture)
    benefit = death_services.work_death_record(
        recognition,
        actor=rita,
        died_on=DIED,
        dependants=[{"name": "Li Na", "relation": "spouse"}],
        today=TODAY,
    )
    if approve:
        with capture(execute=True):
            benefit = death_services.work_death_approve(benefit, actor=dora, today=TODAY)
    return benefit


def submitted(family, capture, pk):
    for kind in ("death_certificate", "heirship_proof", "applicant_id", "heirs_agreement"):
        upload(family.client("li_na"), pk, kind)
    with capture(execute=True):
        response = family.client("li_na").post(f"{V1}/withdrawals/{pk}/submit/")
    assert response.status_code == 200, response.json()
    verified = family.client("ruth").post(
        f"{V1}/withdrawals/{pk}/verify-death/",
        {"date_of_death": DIED.isoformat(), "certificate_number": "DC-2026-939"},
        format="json",
    )
    assert verified.status_code == 200, verified.json()


def ready(family, capture, declared=None):
    """The heirs' claim, filed, joined and checked: ready for the approver."""
    # Unequal shares stand on the heirs' written agreement (CC Art. 1130).
    response = claim(family, declared, proofs=["heirs_agreement"]) if declared else claim(family)
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    submitted(family, capture, pk)
    assert join(family, pk).status_code == 200
    ruth = family.client("ruth")
    assert ruth.post(f"{V1}/withdrawals/{pk}/verify-applicant/").status_code == 200
    checked = ruth.post(
        f"{V1}/withdrawals/{pk}/verify-applicant/", {"national_id": LI_WEI_ID}, format="json"
    )
    assert checked.status_code == 200, checked.json()
    return pk


def payable():
    return ledger.system_account(Account.SystemCode.PAYOUTS_PAYABLE).balance


def audit_violations():
    """The ledger audit's findings, but for the wage records the fixture writes as bare
    transactions with no entries (`tests.workinjury.conftest.wages`)."""
    fixture = set(
        LedgerTransaction.objects.filter(idempotency_key__startswith="test-injury:").values_list(
            "pk", flat=True
        )
    )
    return [v for v in run_audit().violations if v.transaction_id not in fixture]


def lines(pk):
    return {
        (payout.heir.name, payout.scheme): payout.amount
        for payout in HeirPayout.objects.filter(
            heir__application_id=pk, scheme__in=LUMP
        ).select_related("heir")
    }


def test_the_heirs_claim_shows_the_subsidies_and_its_approval_pays_them_by_halves_once(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    family = Family()
    benefit = work_death(family.deceased, capture)
    fund = Account.objects.get(system_code=fund_code("work_injury", family.deceased.region))
    pk = ready(family, capture)

    body = family.client("li_na").get(f"{V1}/withdrawals/{pk}/").json()
    shown = body["work_death_lump_sums"]
    assert (shown["funeral_subsidy"], shown["one_time_subsidy"], shown["amount"]) == (
        "60000.06",
        "1080000.20",
        "1140000.26",
    )
    assert (shown["status"], shown["died_on"]) == ("owed", "2026-11-20")
    assert shown["recognition"] == benefit.recognition.reference
    assert "Art. 39" in shown["legal_basis"]
    browser = Client()
    browser.force_login(family.li_na)
    page = browser.get(f"/withdrawals/{pk}/").content.decode()
    assert 'data-testid="work-death-lump-sums" data-status="owed"' in page
    assert "Art. 39" in page and "1,080,000.20" in page

    fund.refresh_from_db()
    fund_before, payable_before = fund.balance, payable()
    last_before = LedgerTransaction.objects.order_by("-pk").values_list("pk", flat=True)[0]
    response = family.client("amos").post(f"{V1}/withdrawals/{pk}/approve/")
    assert response.status_code == 200, response.json()

    # Halves: 60,000.06 → 30,000.03 each; 1,080,000.20 → 540,000.10 each.
    assert lines(pk) == {
        ("Li Na", "work_death_funeral"): D("30000.03"),
        ("Li Wei", "work_death_funeral"): D("30000.03"),
        ("Li Na", "work_death_subsidy"): D("540000.10"),
        ("Li Wei", "work_death_subsidy"): D("540000.10"),
    }
    # Nothing taken from the fund again: the lines point at the approval's postings.
    new = LedgerTransaction.objects.filter(pk__gt=last_before)
    assert not LedgerEntry.objects.filter(transaction__in=new, account=fund, amount__lt=0).exists()
    fund.refresh_from_db()
    assert fund.balance == fund_before
    # The approval posted only the personal balances (1,200.00) to payouts payable.
    assert list(new.values_list("kind", flat=True)) == [LedgerTransaction.Kind.PAYOUT]
    benefit.refresh_from_db()
    assert benefit.heirs_claim_id == pk
    funeral_lines = HeirPayout.objects.filter(scheme="work_death_funeral")
    assert {p.transaction_id for p in funeral_lines} == {benefit.funeral_transaction_id}
    subsidy_lines = HeirPayout.objects.filter(scheme="work_death_subsidy")
    assert {p.transaction_id for p in subsidy_lines} == {benefit.subsidy_transaction_id}
    (payout_txn,) = new
    application = WithdrawalApplication.objects.get(pk=pk)
    assert application.payout_transaction_id == payout_txn.pk
    # The deceased's personal balances, emptied (an insured heir's medical share went
    # into his own medical account).
    personal = -sum(
        e.amount for e in payout_txn.entries.all() if e.account.cardholder_id == family.deceased.pk
    )
    to_payable = sum(
        e.amount
        for e in payout_txn.entries.all()
        if e.account.system_code == Account.SystemCode.PAYOUTS_PAYABLE
    )
    assert payable() == payable_before + to_payable
    assert application.amount == personal + FUNERAL + SUBSIDY

    body = family.client("li_na").get(f"{V1}/withdrawals/{pk}/").json()
    assert body["work_death_lump_sums"]["status"] == "paid"
    # The work-injury side says which claim paid them.
    reference = application.reference
    assert selectors.death_body(benefit.recognition)["paid_to_heirs_with"] == reference
    shown = WorkDeathBenefitAdmin(WorkDeathBenefit, admin.site).heirs_shown(benefit)
    assert str(shown) == f"paid to the heirs with claim {reference}"
    staff_page = otp_login(Client(), family.amos).get(
        f"/admin/withdrawals/withdrawalapplication/{pk}/change/"
    )
    assert 'id="work-death-lump-sums" data-status="paid"' in staff_page.content.decode()

    # Approving again, or handing the subsidies over again, pays nothing.
    assert family.client("amos").post(f"{V1}/withdrawals/{pk}/approve/").status_code == 409
    assert death_services.lump_sums_to_heirs(family.deceased.pk, application) is None
    assert heir_services.pay_work_death_lump_sums(application, actor=None, by_share=True) == 0
    assert HeirPayout.objects.filter(scheme__in=LUMP).count() == 4

    # The bank pays every line: payouts payable goes down by exactly what was in it for
    # this claim, the two subsidies with it; the ledger stays sound.
    sent = list(HeirPayout.objects.filter(heir__application_id=pk, destination="bank"))
    heir_services.payouts_mark_sent([p.pk for p in sent])
    paying = payable()
    for payout in sent:
        heir_services.heir_payout_mark_paid(payout)
    assert paying - payable() == sum(p.amount for p in sent)
    lump_paid = LedgerEntry.objects.filter(
        transaction__idempotency_key__in=[
            f"payout-confirmed:heir-payout:{p.pk}" for p in sent if p.scheme in LUMP
        ],
        account__system_code=Account.SystemCode.PAYOUTS_PAYABLE,
    )
    assert sum(e.amount for e in lump_paid) == -(FUNERAL + SUBSIDY)
    assert audit_violations() == []


def test_an_uneven_split_gives_the_fen_left_over_to_the_first_share(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    family = Family()
    work_death(family.deceased, capture)
    declared = heirs((NA_ID, "Li Na", "spouse", "2/3"), (LI_WEI_ID, "Li Wei", "child", "1/3"))
    pk = ready(family, capture, declared)
    response = family.client("amos").post(f"{V1}/withdrawals/{pk}/approve/")
    assert response.status_code == 200, response.json()

    # 2/3 and 1/3 of 60,000.06: 40,000.04 and 20,000.02. Of 1,080,000.20: 720,000.13 and
    # 360,000.06 rounded down, the fen left over to the first share: 720,000.14.
    got = lines(pk)
    assert got == {
        ("Li Na", "work_death_funeral"): D("40000.04"),
        ("Li Wei", "work_death_funeral"): D("20000.02"),
        ("Li Na", "work_death_subsidy"): D("720000.14"),
        ("Li Wei", "work_death_subsidy"): D("360000.06"),
    }
    assert sum(got.values()) == FUNERAL + SUBSIDY


def test_without_an_approved_death_at_work_nothing_is_shown_or_paid(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    family = Family()
    benefit = work_death(family.deceased, capture, approve=False)
    pk = ready(family, capture)
    assert (
        family.client("li_na").get(f"{V1}/withdrawals/{pk}/").json()["work_death_lump_sums"] is None
    )
    browser = Client()
    browser.force_login(family.li_na)
    assert "work-death-lump-sums" not in browser.get(f"/withdrawals/{pk}/").content.decode()
    payable_before = payable()
    response = family.client("amos").post(f"{V1}/withdrawals/{pk}/approve/")
    assert response.status_code == 200, response.json()
    assert not HeirPayout.objects.filter(scheme__in=LUMP).exists()
    (payout_txn,) = LedgerTransaction.objects.filter(idempotency_key=f"payout:{pk}")
    assert payable() == payable_before + sum(
        e.amount
        for e in payout_txn.entries.all()
        if e.account.system_code == Account.SystemCode.PAYOUTS_PAYABLE
    )
    benefit.refresh_from_db()
    assert (benefit.status, benefit.heirs_claim_id) == ("recorded", None)


def test_with_no_death_at_work_at_all_the_field_is_null(django_capture_on_commit_callbacks):
    family = Family()
    pk = ready(family, django_capture_on_commit_callbacks)
    body = family.client("li_na").get(f"{V1}/withdrawals/{pk}/").json()
    assert body["work_death_lump_sums"] is None
    assert family.client("amos").post(f"{V1}/withdrawals/{pk}/approve/").status_code == 200
    assert not HeirPayout.objects.filter(scheme__in=LUMP).exists()
    assert not WorkDeathBenefit.objects.exists()


def test_a_claim_decided_without_them_does_not_show_them_as_owed(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    family = Family()
    work_death(family.deceased, capture)
    pk = ready(family, capture)
    # Rejected: the claim pays nothing, so the subsidies are not shown on it.
    WithdrawalApplication.objects.filter(pk=pk).update(status="rejected")
    body = family.client("li_na").get(f"{V1}/withdrawals/{pk}/").json()
    assert body["work_death_lump_sums"] is None
    assert not WorkDeathBenefit.objects.filter(heirs_claim__isnull=False).exists()
