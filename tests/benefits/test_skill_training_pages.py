"""The "Skill-upgrade subsidy" page (/unemployment/skill-subsidy/) and the "Training"
section (/training/), as people see them, in English and Chinese; and the staff's
buttons in the admin."""

from datetime import timedelta

import pytest
from django.utils import timezone

from benefits.models import SkillSubsidyClaim, SubsidyPayment, TrainingApplication
from tests.benefits.conftest import make_course, skill_person, skill_submit
from tests.conftest import otp_login
from tests.factories import upload

pytestmark = pytest.mark.django_db

SKILL = "/unemployment/skill-subsidy/"
TRAINING = "/training/"


@pytest.mark.parametrize(("language", "lang"), [("en", 'lang="en"'), ("zh-hans", 'lang="zh-Hans"')])
def test_both_pages_render_in_both_languages(client, kai, language, lang):
    make_course()
    client.force_login(kai)
    for url in (SKILL, TRAINING):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        text = response.content.decode()
        assert lang in text and 'data-testid="before-you-start"' in text
        if language == "zh-hans":
            assert "申领前须知" in text  # "Before you start"
    assert f'href="{SKILL}"' in text and f'href="{TRAINING}"' in text  # in the navigation


def test_claim_upload_and_submit_through_the_page(client, kai, django_capture_on_commit_callbacks):
    client.force_login(kai)
    text = client.get(SKILL).content.decode()
    assert "24 months of unemployment-insurance contributions" in text
    assert "1,500.00" in text  # the region's amounts

    bad = client.post(f"{SKILL}claim/", {"level": "intermediate", "certificate_number": ""})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "There is a problem" in text and "Give the certificate number." in text
    assert 'href="#id_issued_on"' in text

    issued = (timezone.localdate() - timedelta(days=5)).isoformat()
    started = client.post(
        f"{SKILL}claim/",
        {"level": "intermediate", "certificate_number": "S7", "issued_on": issued},
    )
    assert started.status_code == 400  # too short a number: named next to its field
    assert "4 to 40 letters" in started.content.decode()
    client.post(
        f"{SKILL}claim/",
        {"level": "intermediate", "certificate_number": "SC-7788", "issued_on": issued},
    )
    claim = SkillSubsidyClaim.objects.get()
    text = client.get(SKILL).content.decode()
    assert 'data-code="missing_certificate_scan"' in text and claim.reference in text
    client.post(
        f"{SKILL}{claim.pk}/documents/",
        {"kind": "skill_certificate", "file": upload(name="certificate.pdf")},
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{SKILL}{claim.pk}/submit/")
    text = client.get(SKILL).content.decode()
    assert "Awaiting decision" in text and 'data-testid="timeline"' in text


def test_a_refusal_shows_codes_basis_and_how_to_contest(client, skill_figures):
    person = skill_person("short", months=5)
    client.force_login(person)
    issued = (timezone.localdate() - timedelta(days=5)).isoformat()
    response = client.post(
        f"{SKILL}claim/",
        {"level": "advanced", "certificate_number": "AD-0001", "issued_on": issued},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert 'data-code="contributions_too_short"' in text
    assert "Legal basis:" in text and "60 days" in text


def test_another_cardholder_cannot_see_or_touch_my_claim(client, kai):
    client.force_login(kai)
    issued = (timezone.localdate() - timedelta(days=5)).isoformat()
    client.post(
        f"{SKILL}claim/",
        {"level": "primary", "certificate_number": "PR-123456", "issued_on": issued},
    )
    claim = SkillSubsidyClaim.objects.get()
    client.force_login(skill_person("eve"))
    assert "PR-123456" not in client.get(SKILL).content.decode()
    for action in ("documents", "submit", "withdraw"):
        assert client.post(f"{SKILL}{claim.pk}/{action}/").status_code == 404
    claim.refresh_from_db()
    assert claim.status == "draft"


def test_training_apply_see_status_and_withdraw(client, skill_figures):
    course = make_course(title="Elder care assistant")
    person = skill_person("una", register=True)
    client.force_login(person)
    text = client.get(TRAINING).content.decode()
    assert "Elder care assistant" in text and 'data-testid="not-registered"' not in text
    client.post(f"{TRAINING}apply/", {"course": course.pk})
    application = TrainingApplication.objects.get()
    text = client.get(TRAINING).content.decode()
    assert application.reference in text and "Applied" in text
    again = client.post(f"{TRAINING}apply/", {"course": course.pk})
    assert again.status_code == 422 and 'data-code="already_applied"' in again.content.decode()
    client.post(f"{TRAINING}{application.pk}/withdraw/")
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_training_page_tells_the_unregistered_what_to_do(client, skill_figures):
    course = make_course()
    client.force_login(skill_person("vic"))
    text = client.get(TRAINING).content.decode()
    assert 'data-testid="not-registered"' in text
    response = client.post(f"{TRAINING}apply/", {"course": course.pk})
    assert response.status_code == 422 and 'data-code="not_registered"' in response.content.decode()
    assert client.post(f"{TRAINING}apply/", {"course": "junk"}).status_code == 302
    assert TrainingApplication.objects.count() == 0


def test_another_cardholder_cannot_withdraw_my_application(client, skill_figures):
    course = make_course()
    me = skill_person("wen", register=True)
    client.force_login(me)
    client.post(f"{TRAINING}apply/", {"course": course.pk})
    application = TrainingApplication.objects.get()
    client.force_login(skill_person("xia", register=True))
    assert application.reference not in client.get(TRAINING).content.decode()
    assert client.post(f"{TRAINING}{application.pk}/withdraw/").status_code == 404


def test_staff_verify_and_approve_in_the_admin(
    client, kai, sian, abe, django_capture_on_commit_callbacks
):
    claim = skill_submit(kai, django_capture_on_commit_callbacks)
    base = f"/admin/benefits/skillsubsidyclaim/{claim.pk}/"
    otp_login(client, sian)
    page = client.get(f"{base}change/").content.decode()
    assert 'id="action-verify"' in page and 'id="action-reject"' in page
    client.post(f"{base}action/verify/")
    otp_login(client, abe)
    page = client.get(f"{base}change/").content.decode()
    assert 'id="action-approve"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}action/approve/")
    claim.refresh_from_db()
    assert claim.status == "approved" and SubsidyPayment.objects.count() == 1
    client.post(f"{base}action/approve/")
    assert SubsidyPayment.objects.count() == 1


def test_staff_confirm_enrolment_and_completion_in_the_admin(client, skill_figures, sian):
    from benefits import training_services

    person = skill_person("una", register=True)
    application = training_services.training_apply(
        applicant=person, cardholder=person.cardholder, course=make_course().pk
    )
    base = f"/admin/benefits/trainingapplication/{application.pk}/"
    otp_login(client, sian)
    assert 'id="action-enrol"' in client.get(f"{base}change/").content.decode()
    client.post(f"{base}action/enrol/")
    assert 'id="action-complete"' in client.get(f"{base}change/").content.decode()
    client.post(f"{base}action/complete/")
    application.refresh_from_db()
    assert application.status == "completed"
    assert SubsidyPayment.objects.get().training_application_id == application.pk
    assert client.get("/admin/benefits/trainingcourse/").status_code in (200, 403)


def test_every_new_admin_list_opens_and_staff_add_a_course(
    client, kai, sian, abe, django_capture_on_commit_callbacks
):
    from tests.benefits.conftest import skill_approve
    from tests.factories import StaffFactory

    skill_approve(kai, sian, abe, django_capture_on_commit_callbacks)
    make_course()
    boss = StaffFactory(username="boss", is_superuser=True, password=None)
    otp_login(client, boss)
    for model in (
        "skillsubsidyclaim",
        "skillsubsidyamount",
        "trainingcourse",
        "trainingapplication",
        "subsidypayment",
        "qualification",
    ):
        assert client.get(f"/admin/benefits/{model}/").status_code == 200, model
    assert client.get("/admin/benefits/trainingcourse/add/").status_code == 200
    payment = SubsidyPayment.objects.get()
    assert client.get(f"/admin/benefits/subsidypayment/{payment.pk}/change/").status_code == 200


def test_the_overview_links_a_claim_in_progress_to_its_page(client, kai):
    client.force_login(kai)
    issued = (timezone.localdate() - timedelta(days=5)).isoformat()
    client.post(
        f"{SKILL}claim/",
        {"level": "primary", "certificate_number": "PR-654321", "issued_on": issued},
    )
    claim = SkillSubsidyClaim.objects.get()
    page = client.get("/").content.decode()
    assert 'data-testid="cases-in-progress"' in page
    assert f'<a href="{SKILL}">Skill-upgrade subsidy claim {claim.reference}</a>' in page
