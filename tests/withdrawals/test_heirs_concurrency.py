"""Heirs joining and staff approving at the same moment, on PostgreSQL: one join per
heir, one payout per share, and the ledger audit clean."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.exceptions import DomainError
from accounts.models import Account, LedgerTransaction
from accounts.validators import generate_national_id
from tests.factories import CardholderFactory, UserFactory, fund, staff_with, upload
from tests.reliability.conftest import run_at_once
from withdrawals import heir_services, services
from withdrawals.models import Heir, HeirPayout, Status, WithdrawalApplication

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

IDS = [generate_national_id("110105", date(1970 + n, 1, 1), 20 + n, "F") for n in range(4)]
NAMES = ["Zhao Yi", "Zhao Er", "Zhao San", "Zhao Si"]


def claim_of_four():
    """Four children with a quarter each; the first applies, the others are invited."""
    deceased = CardholderFactory(name="Zhao Lao")
    fund(deceased, "pension", "1000.01")
    fund(deceased, "medical", "300.03")
    users = [UserFactory(username=n, first_name=name) for n, name in zip(IDS, NAMES, strict=True)]
    # The third child is insured: their medical quarter goes into their own account.
    CardholderFactory(name=NAMES[2], national_id=IDS[2])
    application = services.application_create_draft(
        applicant=users[0],
        cardholder=deceased,
        reason="death",
        relationship="child",
        bank_name="Bank of Example",
        bank_account_holder=NAMES[0],
        bank_account_number="6222020200112233",
        heirs=[
            {"national_id": n, "name": name, "relationship": "child", "share": "1/4"}
            for n, name in zip(IDS, NAMES, strict=True)
        ],
    )
    for kind in ("death_certificate", "heirship_proof", "applicant_id", "heirs_agreement"):
        services.document_add(
            application=application, kind=kind, uploaded_file=upload(), uploader=users[0]
        )
    return application, users


def join(application, user):
    return heir_services.heir_join(
        application.pk,
        actor=user,
        bank_name="Bank of Example",
        bank_account_holder=user.first_name,
        bank_account_number="6222020200998877",
        confirm_shares=True,
    )


def test_the_same_heir_joining_twice_at_once_joins_once():
    application, users = claim_of_four()

    def attempt(n):
        try:
            join(application, users[1])
            return "joined"
        except DomainError as exc:
            return exc.code

    outcomes = run_at_once(attempt, 4, threads=4)
    assert sorted(outcomes) == ["already_joined"] * 3 + ["joined"], outcomes
    assert Heir.objects.filter(application=application, joined_at__isnull=False).count() == 2


def test_joins_and_approvals_at_once_pay_one_payout_per_share():
    application, users = claim_of_four()
    services.application_submit(application, actor=users[0])
    from withdrawals.tasks import review_application

    review_application.apply(args=[application.pk])
    services.cardholder_verify_death(
        application,
        actor=staff_with("verify_life_event"),
        date_of_death=date(2026, 1, 3),
        certificate_number="DC-HEIRS-1",
    )
    reviewer = staff_with("review_application")
    services.application_verify_applicant(application, actor=reviewer)
    for n in (1, 2):
        join(application, users[n])
        heir_services.heir_verify_identity(application, actor=reviewer, national_id=IDS[n])
    approvers = [staff_with("approve_application") for _ in range(6)]

    # The last heir joins while six approvers press the button.
    def act(n):
        try:
            if n == 0:
                join(application, users[3])
                heir_services.heir_verify_identity(application, actor=reviewer, national_id=IDS[3])
                return "joined"
            services.application_approve(
                WithdrawalApplication.objects.get(pk=application.pk), actor=approvers[n - 1]
            )
            return "approved"
        except DomainError as exc:
            return exc.code

    outcomes = run_at_once(act, 7, threads=7)
    assert outcomes[0] == "joined", outcomes
    assert outcomes.count("approved") <= 1, outcomes
    if "approved" not in outcomes:  # every approver came before the last join
        services.application_approve(application, actor=approvers[0])

    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.PAYOUT).count() == 1
    payouts = HeirPayout.objects.filter(heir__application=application)
    assert payouts.count() == 8  # four heirs, two schemes
    assert sum(p.amount for p in payouts) == Decimal("1300.04")
    pension = sorted(p.amount for p in payouts if p.scheme == "pension")
    assert pension == [Decimal("250.00")] * 3 + [Decimal("250.01")]
    own = payouts.get(heir__name=NAMES[2], scheme="medical")
    assert own.destination == HeirPayout.Destination.OWN_MEDICAL_ACCOUNT
    assert own.status == HeirPayout.Status.PAID
    payable = Account.objects.get(system_code=Account.SystemCode.PAYOUTS_PAYABLE)
    assert payable.balance == Decimal("1300.04") - own.amount
    out = io.StringIO()
    call_command("ledger_audit", stdout=out, stderr=out)
    assert "Ledger OK" in out.getvalue()
