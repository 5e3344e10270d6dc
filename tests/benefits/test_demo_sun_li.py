"""The demo's Sun Li 孙丽 lost her job at the end of last month after seven years of
contributions: with the termination certificate in docs/demo she registers and claims
18 months of benefit."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, SUN_LI_CERTIFICATE, seed
from accounts.models import Cardholder
from accounts.pii import login_username
from benefits import services
from casework import services as casework
from tests.benefits.conftest import last_day_of_last_month

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


def test_sun_li_registers_and_claims_18_months(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    seed()
    sun_li = Cardholder.objects.with_national_id("110108198903120045").get()
    assert (sun_li.name, sun_li.romanised_name, sun_li.gender) == ("孙丽", "Sun Li", "F")
    assert sun_li.date_of_birth.isoformat() == "1989-03-12"
    assert sun_li.employment_status == Cardholder.EmploymentStatus.EMPLOYED
    user = sun_li.user
    assert user.username == login_username("110108198903120045")
    assert user.check_password(DEMO_PASSWORD)

    services.registration_create(
        cardholder=sun_li,
        actor=user,
        how_ended="employer_terminated",
        seeking_work=True,
        job_ended_on=last_day_of_last_month(),
    )
    decision = services.claim_precheck(sun_li)
    assert (decision.allowed, decision.months_entitled) == (True, 18)

    claim = services.claim_start(applicant=user, cardholder=sun_li)
    certificate = (ROOT / SUN_LI_CERTIFICATE).read_bytes()
    casework.document_add(
        case=claim,
        kind="termination_certificate",
        uploaded_file=SimpleUploadedFile("termination.pdf", certificate, "application/pdf"),
        uploader=user,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_submit(claim, actor=user)
    claim.refresh_from_db()
    assert claim.status == "awaiting_decision"
    assert claim.documents.get().finding == "passed"
    assert claim.registration.registered_on == timezone.localdate()
