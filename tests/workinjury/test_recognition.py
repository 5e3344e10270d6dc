"""Filing a work-injury recognition, its time limits, the materials, the decision by
two people with its rule, and the record."""

from datetime import date, timedelta

import pytest

from casework import services as casework
from casework.exceptions import Forbidden, SamePerson
from core.errors import InvalidInput, NotFound
from tests.factories import upload
from tests.workinjury.conftest import ACCIDENT, TODAY
from workinjury import eligibility as e
from workinjury import services
from workinjury.exceptions import RecognitionRefused
from workinjury.models import InjuryRecognition

pytestmark = pytest.mark.django_db


def start(user, **kwargs):
    values = {"accident_date": ACCIDENT, "description": "Fell from a ladder in the warehouse."}
    values.update(kwargs)
    return services.recognition_start(applicant=user, today=TODAY, **values)


def complete(claim, user, capture):
    for kind in e.REQUIRED_DOCUMENTS:
        casework.document_add(case=claim, kind=kind, uploaded_file=upload(), uploader=user)
    with capture(execute=True):
        services.recognition_submit(claim, actor=user, today=TODAY)
    claim.refresh_from_db()
    assert claim.status == "awaiting_decision"
    return claim


def facts(**changes):
    base = {
        "stage": e.SUBMISSION,
        "today": TODAY,
        "filed_on": TODAY,
        "accident_date": ACCIDENT,
        "filer": e.WORKER,
        "documents_attached": frozenset(e.REQUIRED_DOCUMENTS),
    }
    base.update(changes)
    return e.Facts(**base)


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({}, ()),
        ({"filer": e.EMPLOYER, "filed_on": ACCIDENT + timedelta(days=30)}, ()),
        ({"filer": e.EMPLOYER, "filed_on": ACCIDENT + timedelta(days=31)}, (e.FILED_TOO_LATE,)),
        ({"filed_on": date(2027, 11, 1)}, ()),
        ({"filer": e.RELATIVE, "filed_on": date(2027, 11, 2)}, (e.FILED_TOO_LATE,)),
        ({"accident_date": date(2026, 12, 3)}, (e.FILED_BEFORE_ACCIDENT,)),
        ({"filer": "neighbour"}, (e.FILER_UNKNOWN,)),
        ({"documents_attached": frozenset({e.DIAGNOSIS})}, (e.MISSING_DOCUMENT,) * 2),
        ({"open_claim": "WI-2026-000001"}, (e.CLAIM_OPEN,)),
        ({"life_status": "deceased"}, (e.CARDHOLDER_DECEASED,)),
    ],
)
def test_the_filing_rules(changes, codes):
    decision = e.evaluate(facts(**changes))
    assert decision.codes == codes
    for reason in decision.reasons:
        assert reason.legal_basis and reason.message != reason.code


def test_the_late_filing_says_the_deadline():
    reason = e.evaluate(facts(filer=e.EMPLOYER, filed_on=date(2026, 12, 2))).reasons[0]
    assert "2026-12-01" in reason.message and "30 days" in reason.message
    assert reason.legal_basis_text.endswith("Art. 17")


def test_the_worker_files_and_two_people_recognise(
    wu, rita, dora, mailoutbox, django_capture_on_commit_callbacks
):
    claim = complete(start(wu), wu, django_capture_on_commit_callbacks)
    assert claim.decide_by == claim.submitted_at.date() + timedelta(days=60)
    with pytest.raises(Forbidden):
        services.recognition_recognise(claim, actor=rita)
    with pytest.raises(Exception) as unverified:
        services.recognition_recognise(claim, actor=dora)
    assert unverified.value.code == "injury_not_verified"
    services.recognition_verify(claim, actor=rita)
    with django_capture_on_commit_callbacks(execute=True):
        services.recognition_recognise(claim, actor=dora)
    claim.refresh_from_db()
    assert claim.status == "recognised" and claim.approved_by == dora
    assert claim.grade is None and claim.one_time_subsidy is None
    assert "recognised as a work injury" in mailoutbox[-1].body


def test_the_verifier_cannot_decide(wu, django_capture_on_commit_callbacks):
    from tests.workinjury.conftest import injury_staff

    both = injury_staff(
        "bea", "view_injuryrecognition", "review_injuryrecognition", "decide_injuryrecognition"
    )
    claim = complete(start(wu), wu, django_capture_on_commit_callbacks)
    services.recognition_verify(claim, actor=both)
    with pytest.raises(SamePerson):
        services.recognition_recognise(claim, actor=both)
    assert InjuryRecognition.objects.get(pk=claim.pk).status == "awaiting_decision"


@pytest.mark.parametrize("code", e.REFUSAL_CODES)
def test_not_recognised_names_the_rule_and_how_to_contest(
    wu, rita, mailoutbox, django_capture_on_commit_callbacks, code
):
    claim = complete(start(wu), wu, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.recognition_reject(claim, actor=rita, code=code, reason="See the police report.")
    claim.refresh_from_db()
    assert claim.status == "rejected" and claim.refusal_code == code
    body = mailoutbox[-1].body
    assert code in body and "See the police report." in body and "60 days" in body
    assert e.REFUSAL_BASIS[code].split(",")[0] in body


def test_a_refusal_needs_a_rule(wu, rita, django_capture_on_commit_callbacks):
    claim = complete(start(wu), wu, django_capture_on_commit_callbacks)
    with pytest.raises(InvalidInput) as bad:
        services.recognition_reject(claim, actor=rita, code="because", reason="no")
    assert bad.value.field == "code"


def test_submission_needs_the_three_materials(wu):
    claim = start(wu)
    with pytest.raises(RecognitionRefused) as refused:
        services.recognition_submit(claim, actor=wu, today=TODAY)
    assert refused.value.codes == (e.MISSING_DOCUMENT,) * 3


def test_a_relative_files_naming_the_worker_who_is_told(
    wu, hal, mailoutbox, django_capture_on_commit_callbacks
):
    worker = wu.cardholder
    with django_capture_on_commit_callbacks(execute=True):
        claim = start(
            hal,
            filer="relative",
            relationship="husband",
            worker_national_id=worker.national_id,
            worker_name="Wu Lan",
        )
    assert claim.cardholder == worker and claim.applicant == hal
    assert mailoutbox[-1].to == [wu.email]
    assert claim.reference in mailoutbox[-1].subject


def test_a_wrong_name_finds_nobody(wu, hal):
    with pytest.raises(NotFound):
        start(
            hal,
            filer="relative",
            relationship="husband",
            worker_national_id=wu.cardholder.national_id,
            worker_name="Somebody Else",
        )


def test_staff_file_for_the_employer_within_30_days(wu, erin, hal):
    kwargs = {
        "filer": "employer",
        "worker_national_id": wu.cardholder.national_id,
        "worker_name": "Wu Lan",
    }
    with pytest.raises(RecognitionRefused) as late:
        start(erin, accident_date=date(2026, 10, 1), **kwargs)
    assert late.value.codes == (e.FILED_TOO_LATE,)
    assert start(erin, accident_date=date(2026, 11, 20), **kwargs).filer == "employer"
    with pytest.raises(Forbidden):
        start(hal, **kwargs)


def test_the_worker_files_late(wu):
    with pytest.raises(RecognitionRefused) as late:
        start(wu, accident_date=date(2025, 11, 1))
    assert late.value.codes == (e.FILED_TOO_LATE,)
    assert not InjuryRecognition.objects.exists()


def test_a_recognised_injury_is_on_my_record(
    client, wu, rita, dora, django_capture_on_commit_callbacks
):
    claim = complete(start(wu), wu, django_capture_on_commit_callbacks)
    services.recognition_verify(claim, actor=rita)
    services.recognition_recognise(claim, actor=dora)
    client.force_login(wu)
    text = client.get("/record/").content.decode()
    assert 'data-kind="work_injury"' in text and claim.reference in text
    body = client.get("/api/v1/me/record/").json()
    assert body["decisions"] == [
        {
            "kind": "work_injury",
            "title": "Work injury recognised",
            "on": "2026-11-01",
            "reference": claim.reference,
            "detail": "",
        }
    ]
