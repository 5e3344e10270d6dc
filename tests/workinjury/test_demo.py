"""Wu Gang's demo: hurt at work five days before the seed, his employer's recognition
waits to be submitted; the journey to the one-time subsidy works with the demo logins."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Cardholder, LedgerEntry
from accounts.pii import login_username
from workinjury import services
from workinjury.models import InjuryRecognition, LabourCapacityAppraisal

pytestmark = pytest.mark.django_db

WU_GANG = "440303198808090015"
URL = "/api/v1/benefits/work-injury/"


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def login(name):
    users = get_user_model().objects
    return users.filter(username=name).first() or users.get(username=login_username(name))


def test_wu_gang_has_an_accident_and_his_employer_started_the_recognition(seeded):
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
    assert claim.status == "draft" and claim.filer == "employer"
    assert claim.applicant.username == "zhongguancun"
    assert claim.employer.credit_code == "91110108MA01A2B3CF"
    assert claim.accident_date == timezone.localdate() - timedelta(days=5)
    assert sorted(claim.documents.values_list("kind", flat=True)) == [
        "application_form",
        "diagnosis",
        "labour_relationship_proof",
    ]
    # Seeding again adds nothing.
    call_command("seed_demo", stdout=io.StringIO())
    assert InjuryRecognition.objects.filter(cardholder=wu).count() == 1


def test_the_journey_to_his_one_time_subsidy_with_the_demo_logins(
    seeded, client, django_capture_on_commit_callbacks
):
    claim = InjuryRecognition.objects.get(cardholder__card_number="A10000010")
    # The employer submits on its pages; the documents are checked.
    client.force_login(login("zhongguancun"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/employer/injuries/{claim.pk}/submit/")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "awaiting_decision"
    services.recognition_verify(claim, actor=login("reviewer"))
    services.recognition_recognise(claim, actor=login("approver"))
    # Wu Gang applies for the appraisal once his condition is stable.
    api = APIClient()
    api.force_authenticate(login(WU_GANG))
    answer = api.post(f"{URL}{claim.pk}/appraisal/", {"condition_stable": True}, format="json")
    assert answer.status_code == 201, answer.json()
    appraisal = LabourCapacityAppraisal.objects.get(recognition=claim)
    # The appraisal committee concludes grade 7: 13 months of his own wage (11,000 a
    # month, inside 60 %-300 % of the illustrative Beijing average), paid once.
    services.appraisal_conclude(appraisal, actor=login("committee"), grade=7, self_care="none")
    body = api.get(URL).json()
    assert body["status"] == "recognised" and body["grade"] == 7
    assert Decimal(body["own_wage"]) == Decimal("11000.00")
    assert Decimal(body["one_time_subsidy"]) == Decimal("143000.00")
    assert Decimal(body["monthly_allowance"]) == Decimal("0.00")
    appraisal.refresh_from_db()
    posted = LedgerEntry.objects.filter(transaction=appraisal.subsidy_transaction, amount__gt=0)
    assert [entry.amount for entry in posted] == [Decimal("143000.00")]
