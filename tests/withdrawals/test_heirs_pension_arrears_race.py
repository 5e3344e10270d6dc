"""On PostgreSQL: approvers press the button while the monthly run runs. The pension
owed at death is paid once, with the claim, and never by the run; the audit is clean."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from accounts import ledger
from accounts.exceptions import DomainError
from pensions import payment_run
from pensions.models import PensionPayment, RetireeMedicalRate
from tests.factories import staff_with
from tests.pensions.conftest import in_payment, retiree_medical_data
from tests.reliability.conftest import run_at_once
from tests.withdrawals.test_heirs_concurrency import IDS, claim_of_four, join
from withdrawals import heir_services, services
from withdrawals.models import HeirPayout, Status, WithdrawalApplication

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_approvals_racing_the_run_pay_the_months_owed_once():
    application, users = claim_of_four()
    deceased = application.cardholder
    if not RetireeMedicalRate.objects.filter(region=deceased.region).exists():
        retiree_medical_data(deceased.region)
    ledger.fund_account_open("pension", deceased.region)
    # 1,000.00 + 100.00 a month from October 2025; no run reached it before the death
    # on 3 January 2026: October to January are owed, 4,400.00.
    claim = in_payment(deceased, starts_on=date(2025, 10, 1), basic="1000.00", personal="100.00")
    services.application_submit(application, actor=users[0])
    from withdrawals.tasks import review_application

    review_application.apply(args=[application.pk])
    services.cardholder_verify_death(
        application,
        actor=staff_with("verify_life_event"),
        date_of_death=date(2026, 1, 3),
        certificate_number="DC-ARREARS-1",
    )
    reviewer = staff_with("review_application")
    services.application_verify_applicant(application, actor=reviewer)
    for n in (1, 2, 3):
        join(application, users[n])
        heir_services.heir_verify_identity(application, actor=reviewer, national_id=IDS[n])
    approvers = [staff_with("approve_application") for _ in range(3)]

    def act(n):
        try:
            if n < 3:
                services.application_approve(
                    WithdrawalApplication.objects.get(pk=application.pk), actor=approvers[n]
                )
                return "approved"
            result = payment_run.pension_pay_month("2026-01", today=date(2026, 1, 20))[1]
            return f"run paid {result.months_paid}"
        except DomainError as exc:
            return exc.code

    outcomes = run_at_once(act, 5, threads=5)

    assert sorted(outcomes[:3]) == ["already_decided", "already_decided", "approved"], outcomes
    assert outcomes[3:] == ["run paid 0", "run paid 0"], outcomes
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    months = PensionPayment.objects.filter(claim=claim).order_by("month")
    owed = [date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]
    assert [(p.month, p.destination, p.total) for p in months] == [
        (month, "estate", D("1100.00")) for month in owed
    ]
    arrears = HeirPayout.objects.filter(heir__application=application, scheme="pension_arrears")
    assert sorted(p.amount for p in arrears) == [D("1100.00")] * 4
    pension = sorted(p.amount for p in HeirPayout.objects.filter(scheme="pension"))
    assert sum(pension) == D("600.01")  # 1,000.01 less the four personal parts
    out = io.StringIO()
    call_command("ledger_audit", stdout=out, stderr=out)
    assert "Ledger OK" in out.getvalue()
