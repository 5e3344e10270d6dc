"""``/api/v1/employer/``: the employer login's API mirrors its pages. With its token it
files recognitions for its own workers within 30 days (WIR Art. 17), adds the
documents, submits and follows its own filings; another employer's worker or filing is
not found, and any other login is refused."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services as accounts
from accounts.models import Scheme
from tests.factories import CardholderFactory, EmployerFactory, StaffFactory, UserFactory, upload
from workinjury.models import InjuryRecognition

pytestmark = pytest.mark.django_db

URL = "/api/v1/employer/injuries/"


def boss_of(employer, username):
    user = UserFactory(username=username, first_name="")
    accounts.employer_login_link(user=user, credit_code=employer.credit_code)
    return type(user).objects.get(pk=user.pk)


def worker_of(employer, name, national_id):
    holder = CardholderFactory(user=UserFactory(), name=name, national_id=national_id)
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    accounts.contribution_post(
        cardholder=holder,
        scheme=Scheme.PENSION,
        month=month,
        wage=Decimal("8000.00"),
        employer=employer,
    )
    return holder


def token_client(user):
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def world(db):
    call_command("setup_roles", stdout=io.StringIO())
    acme, beta = EmployerFactory(name="Acme Tools Ltd"), EmployerFactory(name="Beta Works Ltd")
    return {
        "acme": token_client(boss_of(acme, "acme-hr")),
        "beta": token_client(boss_of(beta, "beta-hr")),
        "ours": worker_of(acme, "Ma Jun", "110105198001010019"),
        "theirs": worker_of(beta, "Gao Li", "110105198202020028"),
    }


def filing(holder, days_ago=3, **changes):
    return {
        "accident_date": (timezone.localdate() - timedelta(days=days_ago)).isoformat(),
        "description": "Cut by a press on the line.",
        "worker_national_id": holder.national_id,
        "worker_name": holder.name,
        **changes,
    }


def test_files_for_its_own_worker_adds_documents_submits_and_follows(
    world, django_capture_on_commit_callbacks
):
    acme = world["acme"]
    created = acme.post(URL, filing(world["ours"]), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["documents"] == []
    assert world["ours"].national_id not in str(body)  # the worker's ID is masked
    claim = InjuryRecognition.objects.get(pk=body["id"])
    assert (claim.filer, claim.employer.name) == ("employer", "Acme Tools Ltd")
    early = acme.post(f"{URL}{claim.pk}/submit/")
    assert early.status_code == 422
    for kind in ("application_form", "labour_relationship_proof", "diagnosis"):
        added = acme.post(f"{URL}{claim.pk}/documents/", {"kind": kind, "file": upload()})
        assert added.status_code == 201, added.json()
    no_file = acme.post(f"{URL}{claim.pk}/documents/", {"kind": "other"})
    assert (no_file.status_code, no_file.json()["code"]) == (400, "required")
    with django_capture_on_commit_callbacks(execute=True):
        submitted = acme.post(f"{URL}{claim.pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["decide_by"]
    listed = acme.get(URL).json()
    assert [row["reference"] for row in listed] == [claim.reference]
    assert acme.get(f"{URL}{claim.pk}/").json()["status"] == "awaiting_decision"


def test_confined_to_its_own_workers_and_filings(world):
    acme, beta = world["acme"], world["beta"]
    other = acme.post(URL, filing(world["theirs"]), format="json")
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    assert not InjuryRecognition.objects.exists()
    theirs = beta.post(URL, filing(world["theirs"]), format="json").json()["id"]
    assert acme.get(f"{URL}{theirs}/").status_code == 404
    assert acme.post(f"{URL}{theirs}/submit/").status_code == 404
    assert (
        acme.post(f"{URL}{theirs}/documents/", {"kind": "other", "file": upload()}).status_code
        == 404
    )
    assert acme.get(URL).json() == []


def test_after_the_employers_thirty_days_refused_with_the_code(world):
    late = world["acme"].post(URL, filing(world["ours"], days_ago=31), format="json")
    assert late.status_code == 422
    assert "injury_filed_too_late" in [r["code"] for r in late.json()["reasons"]]
    bad = world["acme"].post(URL, filing(world["ours"], accident_date="yesterday"), format="json")
    assert bad.status_code == 400 and "accident_date" in str(bad.json())


def test_any_other_login_is_refused(world):
    cardholder = token_client(world["ours"].user)
    assert cardholder.get(URL).status_code == 403
    assert cardholder.post(URL, filing(world["ours"]), format="json").status_code == 403
    staff = APIClient()
    staff.force_authenticate(StaffFactory(username="staffer"))
    assert staff.get(URL).status_code == 403
    assert APIClient().get(URL).status_code == 401
    assert not InjuryRecognition.objects.exists()
