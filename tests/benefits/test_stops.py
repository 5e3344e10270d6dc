"""Stops (SIL Art. 51), each with its code shown to the person and the unused months
kept: a new employer's contribution in a payroll import, the person's own word, a
pension, settling abroad, death, and a refusal of suitable work recorded by staff."""

import io

import pytest
from django.core import mail

from accounts.importing import import_payroll
from accounts.models import Cardholder
from accounts.services import employment_status_set
from benefits import payment_run, selectors, services
from benefits.models import UnemploymentClaim
from casework.exceptions import IllegalTransition
from tests.factories import EmployerFactory, death_claim, emigration_claim_paid, verify_death

pytestmark = pytest.mark.django_db

HEADER = "employer_credit_code,national_id,month,wage_base\n"


def stopped(claim):
    claim = UnemploymentClaim.objects.get(pk=claim.pk)
    return claim.status, claim.stop_reason


def payroll(employer, cardholder, month):
    return io.StringIO(f"{HEADER}{employer.credit_code},{cardholder.national_id},{month},7000.00\n")


def test_a_new_employers_contribution_in_an_import_stops_the_benefit(
    in_payment, django_capture_on_commit_callbacks
):
    sue = in_payment.cardholder
    employer = EmployerFactory()
    this_month = in_payment.starts_on.strftime("%Y-%m")
    with django_capture_on_commit_callbacks(execute=True):
        summary = import_payroll(payroll(employer, sue, this_month))
    assert summary.rows_posted == 1

    assert stopped(in_payment) == ("stopped", "reemployed")
    claim = UnemploymentClaim.objects.get(pk=in_payment.pk)
    assert claim.stopped_on == in_payment.starts_on
    sue.refresh_from_db()
    assert sue.employment_status == Cardholder.EmploymentStatus.EMPLOYED
    body = selectors.unemployment_status(sue)
    assert body["stop"]["code"] == "reemployed"
    assert body["stop"]["legal_basis"] == "SIL Art. 51(1)"
    assert body["months_left"] == 18 and body["next_payment_month"] is None
    email = mail.outbox[-1]
    assert "stopped" in email.subject
    assert "You found work again." in email.body and "60 days" in email.body
    # The run pays nothing more.
    payment_run.pay_month(this_month)
    assert not claim.payments.exists()


def test_arrears_for_the_months_worked_before_do_not_stop_it(in_payment):
    from accounts.models import Contribution

    sue = in_payment.cardholder
    ended = in_payment.registration.job_ended_on
    last_worked = ended.strftime("%Y-%m")
    # The last month worked arrives late (the test record is written without it).
    Contribution.objects.filter(cardholder=sue, month=ended.replace(day=1)).delete()
    summary = import_payroll(payroll(EmployerFactory(), sue, last_worked))
    assert summary.rows_posted == 1
    assert stopped(in_payment) == ("in_payment", "")


def test_the_person_says_they_found_work(in_payment):
    services.benefit_declare_reemployed(in_payment, actor=in_payment.applicant)
    assert stopped(in_payment) == ("stopped", "reemployed")
    with pytest.raises(IllegalTransition):
        services.benefit_declare_reemployed(in_payment, actor=in_payment.applicant)


def test_a_pension_stops_it(in_payment):
    # What an approved retirement claim records (pensions.services.retirement_claim_approve).
    employment_status_set(
        cardholder=in_payment.cardholder, status=Cardholder.EmploymentStatus.RETIRED
    )
    assert stopped(in_payment) == ("stopped", "pension_started")


def test_a_verified_death_stops_it(in_payment, django_capture_on_commit_callbacks):
    application = death_claim(cardholder=in_payment.cardholder)
    verify_death(application, django_capture_on_commit_callbacks)
    assert stopped(in_payment) == ("stopped", "deceased")
    assert selectors.unemployment_status(in_payment.cardholder)["stop"]["legal_basis"] == (
        "SIL Art. 49"
    )


def test_settling_abroad_stops_it(in_payment, django_capture_on_commit_callbacks):
    emigration_claim_paid(in_payment.cardholder, django_capture_on_commit_callbacks, paid=False)
    assert stopped(in_payment) == ("stopped", "settled_abroad")


def test_staff_record_a_refusal_of_suitable_work_in_the_admin(
    in_payment, rita, client, django_capture_on_commit_callbacks
):
    from tests.conftest import otp_login

    otp_login(client, rita)
    url = f"/admin/benefits/unemploymentclaim/{in_payment.pk}/"
    page = client.get(f"{url}change/")
    assert page.status_code == 200
    assert b"action-record_refusal" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{url}action/record_refusal/", {"reason": ""})
    assert stopped(in_payment) == ("in_payment", "")  # a reason is required
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"{url}action/record_refusal/",
            {"reason": "Declined the warehouse clerk post offered on 3 December."},
        )
    assert stopped(in_payment) == ("stopped", "refused_work_or_training")
    body = mail.outbox[-1].body
    assert "SIL Art. 51(5)" in body and "60 days" in body
    events = in_payment.events.order_by("id")
    assert "Declined the warehouse clerk post" in events.last().applicant_note


def test_stops_are_refused_while_not_in_payment(sue, rita):
    claim = services.claim_start(applicant=sue, cardholder=sue.cardholder)
    assert services.benefit_stop(cardholder_id=sue.cardholder.pk, reason="reemployed") is None
    with pytest.raises(IllegalTransition):
        services.benefit_record_refusal(claim, actor=rita, reason="x")


def test_staff_record_a_sentence_being_served_and_the_person_is_told(
    in_payment, rita, client, django_capture_on_commit_callbacks
):
    from tests.conftest import otp_login

    otp_login(client, rita)
    url = f"/admin/benefits/unemploymentclaim/{in_payment.pk}/"
    assert b"action-record_sentence" in client.get(f"{url}change/").content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{url}action/record_sentence/", {"reason": "  "})
    assert stopped(in_payment) == ("in_payment", "")  # the judgment must be named
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"{url}action/record_sentence/",
            {"reason": "Judgment (2026) Jing 0105 Xing Chu No. 123, 20 November 2026."},
        )
    assert stopped(in_payment) == ("stopped", "serving_sentence")
    body = mail.outbox[-1].body
    assert "SIL Art. 51(4)" in body and "60 days" in body
    assert "Xing Chu No. 123" in in_payment.events.order_by("id").last().applicant_note
