"""Correcting one's record: the rules and their codes, two staff deciding, the change
applied once with the old and new value on the record's audit trail, the warning when
the statutory retirement date moves, the notice, the API contract and the pages."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import transaction
from rest_framework.test import APIClient

from accounts import audit, record_fields
from accounts.models import Cardholder, RecordChange
from accounts.services import RecordChanged
from casework.exceptions import SamePerson
from core.errors import InvalidInput
from corrections import eligibility as e
from corrections import services
from corrections.exceptions import CorrectionRefused
from corrections.models import RecordCorrection
from tests.conftest import otp_login
from tests.factories import CardholderFactory, StaffFactory, UserFactory, upload

pytestmark = pytest.mark.django_db


def staff(username, *codenames):
    user = StaffFactory(username=username, password=None)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="corrections", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def alice(db):
    user = UserFactory(username="alice", first_name="Alice Lin", email="alice@example.org")
    CardholderFactory(
        user=user, name="林爱丽", gender="M", date_of_birth=date(1970, 5, 10), ethnicity="汉族"
    )
    return user


@pytest.fixture
def rita(db):
    return staff("rita", "view_recordcorrection", "review_recordcorrection")


@pytest.fixture
def dora(db):
    return staff("dora", "view_recordcorrection", "decide_recordcorrection")


def ask(user, capture, field="name", value="林艾丽", reason="Typed wrong at registration."):
    with capture(execute=True):
        case = services.correction_request(
            applicant=user, field=field, new_value=value, reason=reason, files=[upload()]
        )
    case.refresh_from_db()
    return case


def verified(user, capture, rita, **kwargs):
    case = ask(user, capture, **kwargs)
    assert case.status == "awaiting_decision"
    services.correction_verify(case, actor=rita)
    return case


# --- the pure rules --------------------------------------------------------------------


def facts(**changes):
    base = {
        "stage": e.SUBMISSION,
        "field": "name",
        "current_value": "林爱丽",
        "new_value": "林艾丽",
        "reason_given": True,
        "evidence_attached": 1,
    }
    base.update(changes)
    return e.Facts(**base)


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({}, ()),
        ({"evidence_attached": 0}, (e.NO_EVIDENCE,)),
        ({"new_value": "林爱丽"}, (e.SAME_VALUE,)),
        ({"reason_given": False}, (e.NO_REASON,)),
        ({"open_correction": "RC-2026-000001"}, (e.OPEN,)),
        ({"life_status": "deceased"}, (e.NOT_LIVING,)),
    ],
)
def test_the_rules_name_every_reason_with_its_basis(changes, codes):
    decision = e.evaluate(facts(**changes))
    assert decision.codes == codes
    assert decision.allowed is (not codes)
    for reason in decision.reasons:
        assert reason.legal_basis_text.startswith("Social Insurance Law of the PRC")
        assert "60 days" in reason.how_to_contest


def test_a_new_date_of_birth_moves_the_statutory_retirement_date():
    # A man born in May 1970 retires at 60 years and 17 months; one born in 1964 at 60.
    change = e.retirement_change(born=date(1970, 5, 10), gender="M", new_born=date(1964, 1, 10))
    assert (change.before, change.after) == (date(2031, 10, 10), date(2024, 1, 10))
    assert change.moves
    to_woman = e.retirement_change(born=date(1970, 5, 10), gender="M", new_gender="F")
    # A woman born then: 50 as a worker, 55 years and 2 months in a cadre post.
    assert to_woman.after == date(2020, 5, 10) and to_woman.after_cadre == date(2025, 7, 10)
    assert e.retirement_change(born=date(1970, 5, 10), gender="M") is None


@pytest.mark.parametrize(
    ("field", "value", "code", "where"),
    [
        ("card_number", "X", record_fields.FIELD_UNKNOWN, "field"),
        ("date_of_birth", "10/05/1970", record_fields.VALUE_INVALID, "new_value"),
        ("gender", "x", record_fields.VALUE_INVALID, "new_value"),
        ("name", "  ", record_fields.VALUE_REQUIRED, "new_value"),
        ("ethnicity", "汉" * 41, record_fields.VALUE_TOO_LONG, "new_value"),
    ],
)
def test_a_value_that_cannot_be_right_names_its_field(field, value, code, where):
    with pytest.raises(InvalidInput) as caught:
        record_fields.parse_value(field, value)
    assert (caught.value.code, caught.value.field) == (code, where)


# --- asking ----------------------------------------------------------------------------


def test_without_a_document_nothing_is_kept(alice):
    with pytest.raises(InvalidInput) as caught:
        services.correction_request(
            applicant=alice, field="name", new_value="林艾丽", reason="Typo.", files=[]
        )
    assert (caught.value.code, caught.value.field) == (e.NO_EVIDENCE, "file")
    assert not RecordCorrection.objects.exists()


def test_asking_for_the_value_already_recorded_is_refused(alice):
    with pytest.raises(CorrectionRefused) as caught:
        services.correction_request(
            applicant=alice, field="ethnicity", new_value="汉族", reason="x", files=[upload()]
        )
    assert caught.value.decision.codes == (e.SAME_VALUE,)
    assert not RecordCorrection.objects.exists()


def test_a_second_request_for_the_same_field_waits_for_the_first(
    alice, django_capture_on_commit_callbacks
):
    first = ask(alice, django_capture_on_commit_callbacks)
    with pytest.raises(CorrectionRefused) as caught:
        services.correction_request(
            applicant=alice, field="name", new_value="林爱力", reason="x", files=[upload()]
        )
    assert caught.value.decision.codes == (e.OPEN,)
    assert first.reference in caught.value.reasons[0].message


def test_a_request_is_checked_and_waits_for_staff(alice, django_capture_on_commit_callbacks):
    case = ask(alice, django_capture_on_commit_callbacks)
    assert case.reference.startswith("RC-")
    assert (case.field, case.old_value, case.new_value) == ("name", "林爱丽", "林艾丽")
    assert case.status == "awaiting_decision"
    assert case.documents.get().finding == "passed"
    assert case.retirement_before is None


# --- deciding --------------------------------------------------------------------------


def test_two_people_decide_and_the_record_keeps_old_and_new(
    alice, rita, dora, django_capture_on_commit_callbacks
):
    case = verified(alice, django_capture_on_commit_callbacks, rita)
    rita.user_permissions.add(Permission.objects.get(codename="decide_recordcorrection"))
    rita = type(rita).objects.get(pk=rita.pk)
    with pytest.raises(SamePerson):
        services.correction_approve(case, actor=rita)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.correction_approve(case, actor=dora)
    case.refresh_from_db()
    holder = Cardholder.objects.get(user=alice)
    assert case.status == "corrected" and case.approved_by == dora
    assert holder.name == "林艾丽"
    change = audit.record_trail(holder).get()
    assert (change.field, change.old_value, change.new_value) == ("name", "林爱丽", "林艾丽")
    assert (change.source, change.actor) == (case.reference, dora)
    notes = [event.note for event in case.events.order_by("id")]
    assert "The record is corrected: Name is now “林艾丽” (was “林爱丽”)." in notes
    (notice,) = mail.outbox
    assert "林艾丽" in notice.body and "林爱丽" in notice.body
    assert "Social Insurance Law of the PRC, Art. 74" in notice.body
    assert "administrative reconsideration" in notice.body
    with pytest.raises(TypeError):
        RecordChange.objects.filter(pk=change.pk).update(new_value="x")


def test_a_record_changed_meanwhile_is_not_overwritten(
    alice, rita, dora, django_capture_on_commit_callbacks
):
    case = verified(alice, django_capture_on_commit_callbacks, rita)
    Cardholder.objects.filter(user=alice).update(name="林爱莉")
    with pytest.raises(RecordChanged), transaction.atomic():
        services.correction_approve(case, actor=dora)
    case.refresh_from_db()
    assert case.status == "awaiting_decision"
    assert Cardholder.objects.get(user=alice).name == "林爱莉"
    assert not RecordChange.objects.exists()


def test_a_refusal_tells_the_reason_the_basis_and_how_to_contest(
    alice, rita, django_capture_on_commit_callbacks
):
    case = ask(alice, django_capture_on_commit_callbacks)
    with pytest.raises(InvalidInput):
        services.correction_reject(case, actor=rita, code="nonsense", reason="No.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.correction_reject(
            case, actor=rita, code=e.VALUE_NOT_SHOWN, reason="The ID card reads 林爱丽."
        )
    case.refresh_from_db()
    assert (case.status, case.refusal_code) == ("rejected", e.VALUE_NOT_SHOWN)
    assert Cardholder.objects.get(user=alice).name == "林爱丽"
    (notice,) = mail.outbox
    assert "The ID card reads 林爱丽." in notice.body
    assert e.VALUE_NOT_SHOWN in notice.body
    assert "Social Insurance Law of the PRC, Art. 74" in notice.body
    assert "within 60 days" in notice.body


def test_a_new_date_of_birth_warns_staff_and_is_recorded(
    alice, rita, dora, client, django_capture_on_commit_callbacks
):
    case = verified(
        alice, django_capture_on_commit_callbacks, rita, field="date_of_birth", value="1964-01-10"
    )
    assert (case.retirement_before, case.retirement_after) == (
        date(2031, 10, 10),
        date(2024, 1, 10),
    )
    otp_login(client, dora)
    html = client.get(f"/admin/corrections/recordcorrection/{case.pk}/change/").content.decode()
    assert 'id="retirement-warning"' in html
    assert "10 October 2031 now, 10 January 2024 after the correction" in html
    services.correction_approve(case, actor=dora)
    assert Cardholder.objects.get(user=alice).date_of_birth == date(1964, 1, 10)
    notes = [event.note for event in case.events.order_by("id")]
    moves = "statutory retirement date from 10 October 2031 to 10 January 2024"
    moved = [n for n in notes if moves in n]
    assert len(moved) == 2  # when asked, and when decided


# --- the API ---------------------------------------------------------------------------


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


URL = "/api/v1/me/record/corrections/"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"field": "name", "new_value": "林艾丽", "reason": "Typo."}, e.NO_EVIDENCE, "file"),
        ({"field": "card", "new_value": "x", "reason": "Typo.", "file": True}, "invalid", "field"),
        (
            {"field": "date_of_birth", "new_value": "1970-13-01", "reason": "x", "file": True},
            record_fields.VALUE_INVALID,
            "new_value",
        ),
        ({"field": "name", "new_value": "林艾丽", "file": True}, "invalid", "reason"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(api, body, code, field):
    if body.pop("file", None):
        body["file"] = upload()
    response = api.post(URL, body, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["fields"]
    assert not RecordCorrection.objects.exists()


def test_the_api_takes_a_request_with_its_document(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            URL,
            {"field": "gender", "new_value": "F", "reason": "Wrong box ticked.", "file": upload()},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["field"], body["old_value"], body["new_value"]) == ("gender", "M", "F")
    assert body["reference"].startswith("RC-") and len(body["documents"]) == 1
    listed = api.get(URL).json()
    assert [item["reference"] for item in listed] == [body["reference"]]
    assert api.get(f"{URL}{body['id']}/").json()["status"] == "awaiting_decision"
    other = APIClient()
    other.force_authenticate(UserFactory())
    assert other.get(f"{URL}{body['id']}/").status_code == 404


# --- the pages -------------------------------------------------------------------------


def test_my_record_links_to_a_correction_and_the_page_shows_its_timeline(
    alice, client, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    record = client.get("/record/").content.decode()
    assert 'href="/record/corrections/new/?field=date_of_birth"' in record
    assert "Ask to correct this" in record
    form = client.get("/record/corrections/new/?field=ethnicity")
    assert form.status_code == 200
    assert '<option value="ethnicity" selected>' in form.content.decode()
    refused = client.post(
        "/record/corrections/new/", {"field": "ethnicity", "new_value": "回族", "reason": "x"}
    )
    assert refused.status_code == 400
    assert "Upload a document that shows the right value" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/record/corrections/new/",
            {"field": "ethnicity", "new_value": "回族", "reason": "x", "file": upload()},
        )
    case = RecordCorrection.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/record/corrections/{case.pk}/"
    page = client.get(sent["Location"]).content.decode()
    assert "Asked to correct Ethnicity from “汉族” to “回族”." in page
    assert 'data-testid="timeline"' in page and "Awaiting decision" in page
    client.cookies["django_language"] = "zh-hans"
    assert client.get(sent["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200
    stranger = UserFactory()
    CardholderFactory(user=stranger)
    client.force_login(stranger)
    assert client.get(f"/record/corrections/{case.pk}/").status_code == 404
