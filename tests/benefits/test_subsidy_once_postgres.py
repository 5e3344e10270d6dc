"""On PostgreSQL: two approvals of one skill-upgrade subsidy claim at once, and two
confirmations of one training completion at once, pay once; the ledger audit stays
clean."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from accounts import audit, ledger
from accounts.models import LedgerTransaction
from benefits import skill_services, training_services
from benefits.models import Qualification, SubsidyPayment
from tests.benefits.conftest import benefit_staff, make_course, skill_person, skill_submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(calls):
    """Run the calls in threads released together; returns (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def clean_audit():
    test_records = set(
        LedgerTransaction.objects.filter(description="test record").values_list("pk", flat=True)
    )
    return [v for v in audit.run_audit().violations if v.transaction_id not in test_records]


def test_two_approvals_at_once_pay_the_subsidy_once(kai, sian, django_capture_on_commit_callbacks):
    claim = skill_submit(kai, django_capture_on_commit_callbacks)
    skill_services.skill_claim_verify(claim, actor=sian)
    approvers = [
        benefit_staff(f"approver{n}", "view_skillsubsidyclaim", "approve_skillsubsidyclaim")
        for n in range(4)
    ]
    results, errors = race(
        [
            lambda a=a: skill_services.skill_claim_approve(
                type(claim).objects.get(pk=claim.pk), actor=a
            )
            for a in approvers
        ]
    )
    assert len(results) == 1, errors
    assert {e.code for e in errors} <= {"already_decided", "illegal_transition"}
    assert SubsidyPayment.objects.count() == 1 and Qualification.objects.count() == 1
    assert LedgerTransaction.objects.filter(kind="benefit").count() == 1
    assert ledger.fund_account("unemployment", "110100").balance == Decimal("-1500.00")
    assert clean_audit() == []


def test_two_completions_at_once_pay_the_provider_once(skill_figures, sian):
    person = skill_person("una", register=True)
    application = training_services.training_apply(
        applicant=person, cardholder=person.cardholder, course=make_course().pk
    )
    training_services.training_confirm_enrolment(application, actor=sian)
    others = [
        benefit_staff(f"trainer{n}", "view_trainingapplication", "review_trainingapplication")
        for n in range(3)
    ]
    results, errors = race(
        [
            lambda a=a: training_services.training_confirm_completion(
                type(application).objects.get(pk=application.pk), actor=a
            )
            for a in [sian, *others]
        ]
    )
    assert len(results) == 1, errors
    assert {e.code for e in errors} <= {"already_decided", "illegal_transition"}
    assert SubsidyPayment.objects.count() == 1 and Qualification.objects.count() == 1
    assert ledger.fund_account("unemployment", "110100").balance == Decimal("-1200.00")
    assert clean_audit() == []


def test_the_database_refuses_a_second_subsidy_for_a_level_or_certificate(
    kai, sian, abe, django_capture_on_commit_callbacks
):
    from tests.benefits.conftest import skill_approve

    claim = skill_approve(kai, sian, abe, django_capture_on_commit_callbacks)
    payment = SubsidyPayment.objects.get()
    second = skill_services.skill_claim_start(
        applicant=kai,
        cardholder=kai.cardholder,
        level="advanced",
        certificate_number="OTHER-1",
        issued_on=claim.issued_on,
    )

    def row(n, **changes):
        values = {
            "kind": "skill_subsidy",
            "reference": f"SSP-TEST-{n}",
            "skill_claim": second,
            "cardholder": kai.cardholder,
            "level": "advanced",
            "certificate_number": "OTHER-1",
            "region": "110100",
            "amount": payment.amount,
            "payee": "x",
            "bank_name": "x",
            "account_number": "x",
            "transaction": LedgerTransaction.objects.create(
                kind="benefit", idempotency_key=f"test-second-{n}"
            ),
        }
        values.update(changes)
        return SubsidyPayment(**values)

    for n, changes in enumerate(
        ({"level": claim.level}, {"certificate_number": claim.certificate_number})
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            row(n, **changes).save()
    row(9).save()  # another level and certificate: allowed
    assert SubsidyPayment.objects.count() == 2
