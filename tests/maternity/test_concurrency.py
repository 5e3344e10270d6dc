"""Many approvals of one maternity claim at once: one posting, one amount."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import DomainError
from maternity import services
from maternity.models import MaternityClaim
from tests.maternity.conftest import REGION, TODAY, maternity_staff
from tests.maternity.test_claim_services import submitted

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ten_concurrent_approvals_pay_once(mia, rita, django_capture_on_commit_callbacks):
    claim = submitted(mia, django_capture_on_commit_callbacks)
    services.maternity_claim_verify(claim, actor=rita)
    approvers = [
        maternity_staff(f"amos{n}", "view_maternityclaim", "approve_maternityclaim")
        for n in range(3)
    ]
    barrier = threading.Barrier(10)
    outcomes, lock = [], threading.Lock()

    def approve(n):
        try:
            copy = MaternityClaim.objects.get(pk=claim.pk)
            barrier.wait()
            services.maternity_claim_approve(copy, actor=approvers[n % 3], today=TODAY)
            result = "approved"
        except DomainError as exc:
            result = exc.code
        except Exception as exc:  # anything else is a bug the test must show
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("approved") == 1, outcomes
    assert set(outcomes) <= {"approved", "already_decided"}, outcomes
    from accounts.models import Account, LedgerTransaction

    assert LedgerTransaction.objects.filter(kind="benefit").count() == 1
    fund = Account.objects.get(kind="system", system_code=f"fund_medical_{REGION}")
    assert fund.balance == Decimal("-29400.00")
    assert MaternityClaim.objects.get(pk=claim.pk).amount == Decimal("29400.00")
