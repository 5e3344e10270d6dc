"""On PostgreSQL: two answers of the bank for one work-injury subsidy line at once
confirm it once; two batch exports at once list it once."""

import io
from decimal import Decimal

import pytest

from accounts import ledger
from accounts.models import Account, LedgerTransaction
from tests.benefits.test_subsidy_once_postgres import clean_audit, race
from tests.workinjury.conftest import TODAY, recognised, wages
from withdrawals import payout_files
from workinjury import services, subsidy_payouts
from workinjury.models import InjurySubsidyPayment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def appraisal(gang, rita, dora, cora, django_capture_on_commit_callbacks):
    wages(gang.cardholder, [Decimal("8000.00")] * 12)
    claim = recognised(gang, rita, dora, django_capture_on_commit_callbacks)
    appraisal = services.appraisal_apply(claim, actor=gang, condition_stable=True, today=TODAY)
    return services.appraisal_conclude(appraisal, actor=cora, grade=7, self_care="none")


def test_two_confirmations_at_once_move_the_money_once(appraisal):
    [line] = payout_files.export_batch(io.StringIO())
    results, errors = race(
        [
            lambda: subsidy_payouts.payout_record(line.reference, "paid", "ok", None)
            for _ in range(3)
        ]
    )
    assert len(results) == 1, errors
    assert {e.code for e in errors} == {"already_decided"}
    assert InjurySubsidyPayment.objects.get().status == "paid"
    assert LedgerTransaction.objects.filter(kind="payout_confirmed").count() == 1
    assert ledger.system_account(Account.SystemCode.PAID_OUT).balance == Decimal("104000.00")
    assert ledger.system_account(Account.SystemCode.PAYOUTS_PAYABLE).balance == Decimal("0.00")
    assert clean_audit() == []


def test_two_exports_at_once_list_the_line_once(appraisal):
    results, errors = race([lambda: subsidy_payouts.payouts_send() for _ in range(2)])
    assert errors == []
    assert sorted(len(lines) for lines in results) == [0, 1]
    assert InjurySubsidyPayment.objects.get().sendings == 1
