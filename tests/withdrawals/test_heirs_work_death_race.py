"""On PostgreSQL: approvers press the button at once on the heirs' claim of a worker who
died of a work injury. The funeral and one-time subsidies go out with the claim once,
a quarter to each heir, from payouts payable; the audit is clean."""

import contextlib
from decimal import Decimal as D

import pytest

from accounts import ledger
from accounts.exceptions import DomainError
from accounts.models import Account, LedgerTransaction
from tests.factories import staff_with
from tests.reliability.conftest import run_at_once
from tests.withdrawals.test_heirs_concurrency import IDS, claim_of_four, join
from tests.withdrawals.test_heirs_work_death import (
    DIED,
    FUNERAL,
    SUBSIDY,
    audit_violations,
    work_death,
)
from withdrawals import heir_services, services
from withdrawals.models import HeirPayout, Status, WithdrawalApplication
from workinjury.models import WorkDeathBenefit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_commit(execute=True):
    # Outside a test transaction every callback runs as its transaction commits.
    return contextlib.nullcontext()


def test_approvals_at_once_pay_the_work_death_subsidies_once():
    application, users = claim_of_four()
    deceased = application.cardholder
    benefit = work_death(deceased, at_commit)
    services.application_submit(application, actor=users[0])
    from withdrawals.tasks import review_application

    review_application.apply(args=[application.pk])
    services.cardholder_verify_death(
        application,
        actor=staff_with("verify_life_event"),
        date_of_death=DIED,
        certificate_number="DC-WORK-DEATH-1",
    )
    reviewer = staff_with("review_application")
    services.application_verify_applicant(application, actor=reviewer)
    for n in (1, 2, 3):
        join(application, users[n])
        heir_services.heir_verify_identity(application, actor=reviewer, national_id=IDS[n])
    approvers = [staff_with("approve_application") for _ in range(3)]
    payable = ledger.system_account(Account.SystemCode.PAYOUTS_PAYABLE)
    fund_keys = LedgerTransaction.objects.filter(idempotency_key__startswith="work-death-")
    assert fund_keys.count() == 2

    def act(n):
        try:
            services.application_approve(
                WithdrawalApplication.objects.get(pk=application.pk), actor=approvers[n]
            )
            return "approved"
        except DomainError as exc:
            return exc.code

    before = payable.balance
    outcomes = run_at_once(act, 3, threads=3)

    assert sorted(outcomes) == ["already_decided", "already_decided", "approved"], outcomes
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    benefit.refresh_from_db()
    assert benefit.heirs_claim_id == application.pk
    # A quarter each: 60,000.06 → 15,000.01 rounded down, the 0.02 left to the first;
    # 1,080,000.20 → 270,000.05.
    funeral = HeirPayout.objects.filter(scheme="work_death_funeral").order_by("heir__id")
    assert [p.amount for p in funeral] == [D("15000.03")] + [D("15000.01")] * 3
    subsidy = HeirPayout.objects.filter(scheme="work_death_subsidy")
    assert sorted(p.amount for p in subsidy) == [D("270000.05")] * 4
    assert sum(p.amount for p in [*funeral, *subsidy]) == FUNERAL + SUBSIDY
    # Nothing posted from the work-injury fund again; only the personal balances moved.
    assert fund_keys.count() == 2
    payout = LedgerTransaction.objects.get(idempotency_key=f"payout:{application.pk}")
    payable.refresh_from_db()
    assert payable.balance - before == sum(
        e.amount for e in payout.entries.all() if e.account_id == payable.pk
    )
    assert WorkDeathBenefit.objects.filter(heirs_claim__isnull=False).count() == 1
    assert audit_violations() == []
