"""The yearly living check: ray (pension from 1 August 2026, first due 1 August 2027)
confirms online with his password; a relative's confirmation needs two staff members
(lena records, omar confirms); the reminder and the lapse notice go out once."""

from datetime import date

import pytest
from django.core import mail
from django.utils import timezone

from casework.exceptions import SamePerson
from core.errors import Forbidden, InvalidInput
from pensions import living_check, living_check_services, selectors, services
from pensions.exceptions import NotInPayment
from pensions.models import LivingCheckConfirmation, LivingCheckNotice, RelativeLivingCheck
from tests.api.conftest import client_for
from tests.factories import CardholderFactory, UserFactory
from tests.pensions.conftest import RETIRES, pension_staff

pytestmark = pytest.mark.django_db

OPENS = date(2026, 4, 15)
FIRST_DUE = date(2027, 8, 1)
PASSWORD = "Ray-Sun-Pass-2026"


@pytest.fixture
def claim(ray, rita, amos, django_capture_on_commit_callbacks):
    ray.set_password(PASSWORD)
    ray.email = "ray@example.org"
    ray.mobile = "13900000001"
    ray.save()
    claim = services.retirement_claim_start(applicant=ray, cardholder=ray.cardholder, today=OPENS)
    with django_capture_on_commit_callbacks(execute=True):
        services.retirement_claim_submit(claim, actor=ray, today=OPENS)
    services.retirement_claim_verify(claim, actor=rita)
    services.retirement_claim_approve(claim, actor=amos, today=RETIRES)
    claim.refresh_from_db()
    mail.outbox.clear()
    return claim


@pytest.fixture
def lena(db):
    return pension_staff("lena", "view_relativelivingcheck", "record_livingcheck")


@pytest.fixture
def omar(db):
    return pension_staff("omar", "view_relativelivingcheck", "confirm_livingcheck")


def test_without_a_confirmation_the_check_runs_twelve_months_from_the_first_payment(claim):
    assert claim.starts_on == date(2026, 8, 1)
    assert selectors.living_check_due(claim) == FIRST_DUE
    assert (
        client_for(claim.applicant).get("/api/v1/pension/").json()["next_living_check_due"]
        == FIRST_DUE.isoformat()
    )


def test_the_pension_page_shows_the_living_check(claim, client):
    client.force_login(claim.applicant)
    html = client.get("/pension/claim/").content.decode()
    assert "Living check" in html
    assert "1 August 2027" in html
    assert "Current" in html
    assert "No confirmation yet." in html


def test_a_wrong_password_confirms_nothing(claim, client):
    client.force_login(claim.applicant)
    response = client.post("/pension/living-check/", {"password": "not-it"})
    assert response.status_code == 400
    assert "That is not your password" in response.content.decode()
    assert not LivingCheckConfirmation.objects.exists()


def test_the_right_password_confirms_for_twelve_months(claim, client):
    client.force_login(claim.applicant)
    today = timezone.localdate()
    response = client.post("/pension/living-check/", {"password": PASSWORD}, follow=True)
    due = living_check.next_due(today)
    assert response.redirect_chain[-1][0] == "/pension/claim/"
    html = response.content.decode()
    assert f"your living check is confirmed until {due.isoformat()}" in html
    assert "Online by the pensioner" in html
    row = LivingCheckConfirmation.objects.get()
    assert (row.confirmed_on, row.how, row.user, row.next_due) == (
        today,
        "online",
        claim.applicant,
        due,
    )
    assert selectors.living_check_due(claim) == due


def test_the_api_confirms_with_the_password(claim):
    api = client_for(claim.applicant)
    missing = api.post("/api/v1/pension/living-check/", {}, format="json")
    assert missing.status_code == 400 and list(missing.json()["fields"]) == ["password"]
    wrong = api.post("/api/v1/pension/living-check/", {"password": "nope"}, format="json")
    assert wrong.status_code == 400 and list(wrong.json()["fields"]) == ["password"]
    assert not LivingCheckConfirmation.objects.exists()
    right = api.post("/api/v1/pension/living-check/", {"password": PASSWORD}, format="json")
    due = living_check.next_due(timezone.localdate()).isoformat()
    assert right.status_code == 200
    assert right.json() == {"next_living_check_due": due}
    assert api.get("/api/v1/pension/").json()["next_living_check_due"] == due
    again = api.post("/api/v1/pension/living-check/", {"password": PASSWORD}, format="json")
    assert again.json() == {"next_living_check_due": due}
    assert LivingCheckConfirmation.objects.count() == 1


def test_the_api_refuses_someone_with_no_pension_in_payment(ray):
    CardholderFactory(user=(other := UserFactory()))
    response = client_for(other).post(
        "/api/v1/pension/living-check/", {"password": "x"}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "not_in_payment" and "claim" in body["fields"]
    no_card = client_for(UserFactory()).post(
        "/api/v1/pension/living-check/", {"password": "x"}, format="json"
    )
    assert no_card.status_code == 404 and "cardholder" in no_card.json()["fields"]
    with pytest.raises(NotInPayment):
        living_check_services.living_check_confirm_online(cardholder=ray.cardholder, actor=ray)


def test_only_the_pensioner_confirms_online(claim, lena):
    with pytest.raises(Forbidden):
        living_check_services.living_check_confirm_online(cardholder=claim.cardholder, actor=lena)


def test_a_confirmation_after_a_lapse_releases_the_suspended_months(claim):
    row = living_check_services.living_check_confirm_online(
        cardholder=claim.cardholder, actor=claim.applicant, today=date(2027, 10, 20)
    )
    # Lapsed after 1 August 2027: September and October were suspended.
    assert row.due_before == FIRST_DUE
    assert row.released_months == ["2027-09", "2027-10"]
    assert row.next_due == date(2028, 10, 20)
    overview = selectors.living_check_overview(claim, today=date(2027, 10, 21))
    assert overview["state"] == living_check.CURRENT


def test_a_confirmation_is_never_changed_or_deleted(claim):
    row = living_check_services.living_check_confirm_online(
        cardholder=claim.cardholder, actor=claim.applicant, today=date(2027, 7, 5)
    )
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()


def test_a_relative_s_confirmation_needs_a_second_staff_member(claim, lena, omar):
    record = living_check_services.living_check_relative_record(
        claim=claim,
        actor=lena,
        relative_name="Sun Mei",
        relationship="daughter",
        proof="photo of her father with today's paper, video call with staff",
        seen_on=date(2027, 7, 10),
        today=date(2027, 7, 10),
    )
    assert record.status == "pending"
    # Recorded, not yet confirmed: nothing changes for the pensioner.
    assert selectors.living_check_due(claim) == FIRST_DUE
    both = pension_staff("bo", "record_livingcheck", "confirm_livingcheck")
    record.recorded_by = both
    record.save()
    with pytest.raises(SamePerson):
        living_check_services.living_check_relative_confirm(record, actor=both)
    assert not LivingCheckConfirmation.objects.exists()
    with pytest.raises(Forbidden):
        living_check_services.living_check_relative_confirm(record, actor=lena)
    confirmation = living_check_services.living_check_relative_confirm(record, actor=omar)
    assert (confirmation.how, confirmation.who) == ("relative", "Sun Mei (daughter)")
    assert (confirmation.recorded_by, confirmation.confirmed_by) == (both, omar)
    assert selectors.living_check_due(claim) == date(2028, 7, 10)
    assert RelativeLivingCheck.objects.get().status == "confirmed"
    # Twice changes nothing.
    assert living_check_services.living_check_relative_confirm(record, actor=omar) == confirmation
    assert LivingCheckConfirmation.objects.count() == 1


def test_a_relative_s_record_is_checked(claim, lena):
    with pytest.raises(InvalidInput) as blank:
        living_check_services.living_check_relative_record(
            claim=claim,
            actor=lena,
            relative_name=" ",
            relationship="son",
            proof="seen",
            seen_on=date(2027, 7, 1),
        )
    assert blank.value.field == "relative_name"
    with pytest.raises(InvalidInput) as future:
        living_check_services.living_check_relative_record(
            claim=claim,
            actor=lena,
            relative_name="Sun Li",
            relationship="son",
            proof="seen",
            seen_on=date(2027, 7, 2),
            today=date(2027, 7, 1),
        )
    assert future.value.field == "seen_on"
    with pytest.raises(Forbidden):
        living_check_services.living_check_relative_record(
            claim=claim,
            actor=claim.applicant,
            relative_name="Sun Li",
            relationship="son",
            proof="seen",
            seen_on=date(2027, 7, 1),
        )
    assert not RelativeLivingCheck.objects.exists()


def test_the_reminder_goes_out_once_a_month_before(claim, sms_outbox):
    assert living_check_services.living_check_notices_send(today=date(2027, 6, 30)) == {}
    sent = living_check_services.living_check_notices_send(today=date(2027, 7, 1))
    assert sent == {"reminder": 1}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ray@example.org"]
    assert "Dear Ray Sun," in message.body
    assert "Your yearly living check is due soon" in message.subject
    assert "due by 1 August 2027" in message.body
    assert "Legal basis: Social Insurance Law of the PRC, Art. 16" in message.body
    assert "within 60 days" in message.body
    assert len(sms_outbox) == 1 and sms_outbox[0].number == "13900000001"
    assert "2027-08-01" in sms_outbox[0].text
    # The next days: nothing again for the same due date.
    assert living_check_services.living_check_notices_send(today=date(2027, 7, 2)) == {}
    assert len(mail.outbox) == 1 and len(sms_outbox) == 1
    assert LivingCheckNotice.objects.get().sms_sent


def test_the_lapse_notice_says_payment_is_suspended_and_how_to_confirm(claim, sms_outbox):
    assert living_check_services.living_check_notices_send(today=date(2027, 8, 2)) == {"lapsed": 1}
    body = mail.outbox[0].body
    assert "ran out on 1 August 2027" in body and "suspended" in body
    assert "confirm with your password" in body
    assert "the suspended months are paid as back pay" in body
    assert "Legal basis:" in body and "administrative reconsideration" in body
    assert living_check_services.living_check_notices_send(today=date(2027, 8, 3)) == {}
    assert len(mail.outbox) == 1


def test_the_notice_speaks_the_preferred_language_only(claim):
    claim.applicant.preferred_language = "en"
    claim.applicant.save()
    living_check_services.living_check_notices_send(today=date(2027, 7, 1))
    assert " / " not in mail.outbox[0].subject


def test_a_confirmation_moves_the_next_reminder_to_the_new_due_date(claim):
    living_check_services.living_check_notices_send(today=date(2027, 7, 1))
    living_check_services.living_check_confirm_online(
        cardholder=claim.cardholder, actor=claim.applicant, today=date(2027, 7, 3)
    )
    assert living_check_services.living_check_notices_send(today=date(2027, 7, 4)) == {}
    assert living_check_services.living_check_notices_send(today=date(2028, 6, 3)) == {
        "reminder": 1
    }
    assert LivingCheckNotice.objects.count() == 2


def test_the_lapsed_page_says_payment_is_suspended(claim, client, monkeypatch):
    client.force_login(claim.applicant)
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2027, 10, 5))
    html = client.get("/pension/living-check/").content.decode()
    assert "Your pension payment is suspended" in html
    assert "2 months are suspended so far" in html
    assert "paid as back pay in the next monthly payment" in html
    assert "Legal basis: Social Insurance Law of the PRC, Art. 16" in html


def test_a_failed_e_mail_is_tried_again_the_next_day(claim, monkeypatch):
    from pensions import living_check_notices

    def broken(*args):
        raise OSError("mail server down")

    monkeypatch.setattr(living_check_notices, "send_email", broken)
    assert living_check_services.living_check_notices_send(today=date(2027, 7, 1)) == {}
    assert not LivingCheckNotice.objects.exists()
    monkeypatch.undo()
    assert living_check_services.living_check_notices_send(today=date(2027, 7, 2)) == {
        "reminder": 1
    }
    assert len(mail.outbox) == 1


def test_the_daily_beat_task_sends_what_is_owed_today(claim, settings):
    from pensions import living_check_tasks

    entry = settings.CELERY_BEAT_SCHEDULE["living-check-notices"]
    assert entry["task"] == "pensions.living_check_notices"
    # Today ray's check (due 2027-08-01) is current: nothing is owed.
    assert living_check_tasks.living_check_notices.delay().get() == {}
    assert mail.outbox == []
