"""Wu Gang's demo: hurt at work four months before the seed, his employer's recognition
recognised by two members of staff, appraised by the committee at grade 7 and his
one-time disability subsidy paid once, sent to the bank in a batch and confirmed by
the bank; his pages show it. The employer can still try
filing a recognition for another of its workers."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Account, Cardholder, LedgerEntry, LedgerTransaction
from accounts.pii import login_username
from pensions.models import RegionalAverageWage
from workinjury.models import InjuryRecognition, InjurySubsidyPayment, LabourCapacityAppraisal

pytestmark = pytest.mark.django_db

WU_GANG = "440303198808090015"
ZHANG_WEI = "110105198503150019"
URL = "/api/v1/benefits/work-injury/"


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def login(name):
    users = get_user_model().objects
    return users.filter(username=name).first() or users.get(username=login_username(name))


def expected_wage(accident):
    """His own wage by hand: twelve months at 11 000.00 before the injury, inside 60 %
    to 300 % of the Beijing average wage of the year before (Art. 64)."""
    regional = RegionalAverageWage.objects.get(region="110100", year=accident.year - 1).amount
    assert regional * Decimal("0.6") <= Decimal("11000.00") <= regional * 3
    return Decimal("11000.00")


def test_wu_gang_was_hurt_at_work_recognised_and_appraised_at_grade_7(seeded):
    wu = Cardholder.objects.with_national_id(WU_GANG).get()
    assert (wu.name, wu.romanised_name, wu.card_number, wu.region) == (
        "吴刚",
        "Wu Gang",
        "A10000010",
        "110100",
    )
    assert (wu.gender, str(wu.date_of_birth)) == ("M", "1988-08-09")
    assert wu.user.username == login_username(WU_GANG)
    claim = InjuryRecognition.objects.get(cardholder=wu)
    assert (claim.status, claim.filer) == ("recognised", "employer")
    assert claim.applicant.username == "zhongguancun"
    assert claim.employer.credit_code == "91110108MA01A2B3CF"
    assert claim.accident_date == timezone.localdate() - timedelta(days=120)
    # Two members of staff: one verified, the other recognised.
    assert (claim.verified_by.username, claim.approved_by.username) == ("reviewer", "approver")
    assert sorted(claim.documents.values_list("kind", flat=True)) == [
        "application_form",
        "diagnosis",
        "labour_relationship_proof",
    ]
    appraisal = LabourCapacityAppraisal.objects.get(recognition=claim)
    assert (appraisal.status, appraisal.round, appraisal.grade, appraisal.self_care) == (
        "concluded",
        "initial",
        7,
        "none",
    )
    assert appraisal.applicant == wu.user
    assert appraisal.approved_by.username == "committee"
    # Seeding again adds nothing.
    call_command("seed_demo", stdout=io.StringIO())
    assert InjuryRecognition.objects.filter(cardholder=wu).count() == 1
    assert LabourCapacityAppraisal.objects.filter(recognition=claim).count() == 1


def test_his_one_time_subsidy_is_13_months_of_his_own_wage_paid_once(seeded):
    claim = InjuryRecognition.objects.get(cardholder__card_number="A10000010")
    appraisal = LabourCapacityAppraisal.objects.get(recognition=claim)
    own = expected_wage(claim.accident_date)
    subsidy = own * 13  # 143 000.00
    assert subsidy == Decimal("143000.00")
    assert (appraisal.wage_months, appraisal.wage_average, appraisal.bound_applied) == (
        12,
        own,
        "",
    )
    assert (claim.grade, claim.own_wage, claim.one_time_subsidy) == (7, own, subsidy)
    assert claim.monthly_allowance == Decimal("0.00")
    assert appraisal.subsidy_paid == subsidy
    # Paid once, from the Beijing work-injury fund to payouts payable.
    legs = {
        entry.account.system_code: entry.amount
        for entry in LedgerEntry.objects.filter(
            transaction=appraisal.subsidy_transaction
        ).select_related("account")
    }
    assert legs == {"fund_work_injury_110100": -subsidy, "payouts_payable": subsidy}
    assert appraisal.subsidy_transaction.idempotency_key == f"injury-subsidy:{appraisal.pk}"
    fund = Account.objects.get(system_code="fund_work_injury_110100")
    assert fund.balance == -subsidy
    # Sent to the bank in a batch and confirmed by the bank: payouts payable → paid out.
    payment = InjurySubsidyPayment.objects.get(appraisal=appraisal)
    assert (payment.reference, payment.status, payment.sendings) == (
        f"WIS-{appraisal.pk:06d}",
        "paid",
        1,
    )
    assert payment.transaction == appraisal.subsidy_transaction
    confirmed = {
        entry.account.system_code: entry.amount
        for entry in LedgerEntry.objects.filter(transaction=payment.confirmation).select_related(
            "account"
        )
    }
    assert confirmed == {"payouts_payable": -subsidy, "paid_out": subsidy}
    call_command("seed_demo", stdout=io.StringIO())
    assert LedgerEntry.objects.filter(account=fund).count() == 1
    assert InjurySubsidyPayment.objects.filter(recognition=claim).count() == 1
    assert LedgerTransaction.objects.filter(reference=payment.reference).count() == 1
    out = io.StringIO()
    call_command("ledger_audit", stdout=out)
    assert "Ledger OK" in out.getvalue()


def test_his_pages_show_the_recognition_the_grade_and_the_paid_subsidy(seeded, client):
    claim = InjuryRecognition.objects.get(cardholder__card_number="A10000010")
    client.force_login(login(WU_GANG))
    api = APIClient()
    api.force_authenticate(login(WU_GANG))
    body = api.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (body["status"], body["grade"], body["self_care"]) == ("recognised", 7, "none")
    assert (Decimal(body["own_wage"]), Decimal(body["one_time_subsidy"])) == (
        Decimal("11000.00"),
        Decimal("143000.00"),
    )
    assert [(p["kind"], Decimal(p["amount"])) for p in body["payments"]] == [
        ("one_time_subsidy", Decimal("143000.00"))
    ]
    [paid] = body["payments"]
    payment = InjurySubsidyPayment.objects.get(recognition=claim)
    paid_on = timezone.localdate(payment.result_at).isoformat()
    assert (paid["status"], paid["bank_reference"], paid["paid_on"]) == (
        "paid",
        payment.reference,
        paid_on,
    )
    assert paid["status_text"] == f"paid on {paid_on}"
    assert "13 months × 11000.00 = 143000.00" in body["working"]["lines"][1]
    page = client.get("/work-injury/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert claim.reference in page and "Recognised as a work injury" in page
    assert 'data-testid="grade">7<' in page
    assert "143000.00" in page and "13 months × 11000.00" in page
    assert f"paid on {paid_on}" in page and 'data-status="paid"' in page
    record = client.get("/record/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Work injury recognised" in record and "disability grade 7" in record


def test_the_employer_can_still_try_filing_for_another_of_its_workers(seeded, client):
    client.force_login(login("zhongguancun"))
    zhang = Cardholder.objects.with_national_id(ZHANG_WEI).get()
    response = client.post(
        "/employer/injuries/new/",
        {
            "worker_national_id": ZHANG_WEI,
            "worker_name": zhang.name,
            "accident_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
            "description": "Slipped on the wet stairs of the office.",
        },
    )
    claim = InjuryRecognition.objects.get(cardholder=zhang)
    assert response["Location"] == f"/employer/injuries/{claim.pk}/"
    assert (claim.status, claim.filer) == ("draft", "employer")
