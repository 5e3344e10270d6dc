"""Many approvals of one claim at once: one payout, nothing else moves."""

import io
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.exceptions import DomainError
from accounts.models import Account, LedgerTransaction
from tests.factories import death_claim, staff_with, verify_applicant
from withdrawals import services
from withdrawals.models import Status, WithdrawalApplication

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def ready_for_approval():
    application = death_claim(pension="700.00", medical="300.00")
    services.application_submit(application, actor=application.applicant)
    from withdrawals.tasks import review_application

    review_application.apply(args=[application.pk])
    services.cardholder_verify_death(
        application,
        actor=staff_with("verify_life_event"),
        date_of_death=date(2026, 1, 3),
        certificate_number="DC-20",
    )
    verify_applicant(application)
    application.refresh_from_db()
    assert application.status == Status.AWAITING_DECISION
    return application


def test_twenty_concurrent_approvals_pay_out_once():
    application = ready_for_approval()
    approvers = [staff_with("approve_application") for _ in range(4)]
    barrier = threading.Barrier(20)
    outcomes = []
    lock = threading.Lock()

    def approve(n):
        try:
            copy = WithdrawalApplication.objects.get(pk=application.pk)
            barrier.wait()
            services.application_approve(copy, actor=approvers[n % 4])
            result = "approved"
        except DomainError as exc:
            result = exc.code
        except Exception as exc:  # anything else is a bug the test must show
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("approved") == 1, outcomes
    assert set(outcomes) <= {"approved", "already_decided"}, outcomes
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    application.refresh_from_db()
    assert application.amount == Decimal("1000.00")
    assert application.events.filter(new_status=Status.APPROVED).count() == 1
    payable = Account.objects.get(kind="system", system_code="payouts_payable")
    assert payable.balance == Decimal("1000.00")
    for account in application.cardholder.accounts.filter(kind="personal"):
        assert (account.balance, account.status) == (Decimal("0.00"), "closed")
    out = io.StringIO()
    call_command("ledger_audit", stdout=out, stderr=out)


def test_concurrent_submissions_cannot_both_claim_one_account():
    first = death_claim(pension="10.00", medical=None)
    second = death_claim(cardholder=first.cardholder, pension=None, medical=None)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(application):
        try:
            barrier.wait()
            services.application_submit(application, actor=application.applicant)
            outcomes.append("submitted")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["not_eligible", "submitted"]
