"""Staff correct the bank account a pension in payment is paid to: one service checks
the account, records the old and new (masked) with the reason on the timeline, tells
the pensioner how to contest, needs the change permission; the admin's form shows a
bad number as a form error; the next run and the next batch use the new account,
while a batch already sent keeps its file."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client

from accounts import ledger
from casework.models import Event, Notification
from core.errors import Forbidden, InvalidInput
from pensions import notes as pension_notes
from pensions import payment_run, payout_files, payout_services
from pensions.models import PensionPayment, PensionPayout, RetirementClaim
from tests.conftest import otp_login
from tests.pensions.conftest import REGION, in_payment, pension_staff, retiree_medical_data

pytestmark = pytest.mark.django_db
OLD = "6222 0000 1111 2222"
NEW = "6217 0000 9999 4321"


@pytest.fixture
def claim(ray):
    """Ray's pension from August 2026 (1,500.00 + 500.00) to the bank account on the
    claim, ending 2222."""
    retiree_medical_data(REGION)
    ledger.fund_account_open("pension", REGION)
    ray.email = "ray@example.com"
    ray.save(update_fields=["email"])
    return in_payment(
        ray.cardholder,
        starts_on=date(2026, 8, 1),
        basic="1500.00",
        personal="500.00",
        balance=D("60000.00"),
    )


@pytest.fixture
def carla(db):
    return pension_staff("carla", "view_retirementclaim", "change_retirementclaim")


def correct(claim, actor, number=NEW, reason="The bank closed the old account."):
    return payout_services.pension_bank_account_correct(
        claim,
        actor=actor,
        bank_name="Bank of Elsewhere",
        account_holder="Ray Sun",
        account_number=number,
        reason=reason,
    )


def test_the_correction_is_recorded_masked_with_its_reason_and_the_pensioner_told(
    claim, carla, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        correct(claim, carla)

    claim.refresh_from_db()
    assert (claim.bank_name, claim.bank_account_number) == ("Bank of Elsewhere", NEW)
    event = Event.objects.get(case_id=claim.pk, note_code=pension_notes.BANK_ACCOUNT_CORRECTED)
    assert event.actor == carla and not event.staff_only
    assert event.note_params == {
        "old": "Bank of Example ****2222",
        "new": "Bank of Elsewhere ****4321",
        "reason": "The bank closed the old account.",
    }
    assert NEW not in str(event.note_params) and OLD not in str(event.note_params)
    [mail] = mailoutbox
    assert mail.to == ["ray@example.com"]
    assert "****2222" in mail.body and "****4321" in mail.body
    assert "The bank closed the old account." in mail.body
    assert "60 days" in mail.body  # how to contest (SIL Art. 83)
    assert NEW not in mail.body
    # Sent once: the task run again sends nothing.
    from pensions.bank_account_notices import bank_account_corrected_notify

    assert bank_account_corrected_notify(event.pk) is False
    assert Notification.objects.filter(event=event).count() == 1


def test_without_the_change_permission_nothing_changes(claim):
    viewer = pension_staff("vic", "view_retirementclaim", "approve_retirementclaim")
    with pytest.raises(Forbidden):
        correct(claim, viewer)
    claim.refresh_from_db()
    assert claim.bank_account_number == OLD
    assert not Event.objects.filter(note_code=pension_notes.BANK_ACCOUNT_CORRECTED).exists()


@pytest.mark.parametrize(
    "number, reason, code",
    [
        ("12AB", "typo", "invalid_bank_account"),
        ("123", "typo", "invalid_bank_account"),
        (NEW, "", "required"),
        (OLD, "same", "bank_account_unchanged"),
    ],
)
def test_a_bad_correction_is_refused_by_its_field(claim, carla, number, reason, code):
    RetirementClaim.objects.filter(pk=claim.pk).update(bank_account_holder="Ray Sun")
    if number == OLD:
        RetirementClaim.objects.filter(pk=claim.pk).update(bank_name="Bank of Elsewhere")
    with pytest.raises(InvalidInput) as refused:
        correct(claim, carla, number=number, reason=reason)
    assert refused.value.code == code
    claim.refresh_from_db()
    assert claim.bank_account_number == OLD


def test_the_admin_form_shows_a_bad_number_as_a_form_error_then_corrects(
    claim, carla, django_capture_on_commit_callbacks
):
    web = otp_login(Client(), carla)
    url = f"/admin/pensions/retirementclaim/{claim.pk}/bank-account/"
    page = web.get(f"/admin/pensions/retirementclaim/{claim.pk}/change/")
    assert page.status_code == 200
    assert url in page.content.decode()
    assert web.get(url).status_code == 200
    form = {
        "bank_name": "Bank of Elsewhere",
        "bank_account_holder": "Ray Sun",
        "bank_account_number": "62-17-xx",
        "reason": "The bank closed the old account.",
    }

    bad = web.post(url, form)

    assert bad.status_code == 200
    assert "8 to 40 digits" in bad.content.decode()
    claim.refresh_from_db()
    assert claim.bank_account_number == OLD
    with django_capture_on_commit_callbacks(execute=True):
        done = web.post(url, {**form, "bank_account_number": NEW})
    assert done.status_code == 302
    claim.refresh_from_db()
    assert claim.bank_account_number == NEW


def test_the_form_needs_the_change_permission(claim):
    viewer = pension_staff("vic", "view_retirementclaim")
    web = otp_login(Client(), viewer)
    url = f"/admin/pensions/retirementclaim/{claim.pk}/bank-account/"
    assert web.get(url).status_code == 403
    assert web.post(url, {"bank_account_number": NEW}).status_code == 403
    page = web.get(f"/admin/pensions/retirementclaim/{claim.pk}/change/").content.decode()
    assert url not in page


def pay(month, today):
    return payment_run.pension_pay_month(month, today=today)[1]


def test_the_next_run_and_batch_use_the_new_account_and_a_sent_batch_keeps_its_file(
    claim, carla, django_capture_on_commit_callbacks
):
    pay("2026-08", today=date(2026, 8, 3))
    first = io.StringIO()
    [august] = payout_files.export_batch(first)
    assert august.account_number == OLD
    pay("2026-09", today=date(2026, 9, 1))  # paid, not sent yet

    with django_capture_on_commit_callbacks(execute=True):
        correct(claim, carla)
    pay("2026-10", today=date(2026, 10, 1))

    assert PensionPayment.objects.get(claim=claim, month=date(2026, 10, 1)).account_number == NEW
    second = io.StringIO()
    lines = payout_files.export_batch(second)
    assert [(line.reference, line.account_number) for line in lines] == [
        (f"PP-{claim.pk}-202609", NEW),
        (f"PP-{claim.pk}-202610", NEW),
    ]
    assert f",Bank of Elsewhere,{NEW}," in second.getvalue()
    # The batch sent before the correction is unchanged.
    august.refresh_from_db()
    assert (august.account_number, august.bank_name) == (OLD, "Bank of Example")
    assert OLD in first.getvalue()
    assert PensionPayout.objects.filter(account_number=OLD).count() == 1
