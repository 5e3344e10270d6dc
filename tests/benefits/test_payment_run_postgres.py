"""The benefit run on PostgreSQL: the bulk writer's COPY path, two runs at once paying
each benefit-month once, and the ledger audit clean afterwards."""

import importlib
import threading
from decimal import Decimal

import pytest
from django.db import connection

from accounts import audit, ledger
from accounts.models import LedgerTransaction
from benefits import payment_run
from benefits.models import BenefitPayment
from tests.benefits.conftest import approve, make_person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def regional_figures():
    """The demo benefit figures come from data migrations; a transactional test's
    flush (an earlier one's, too) removes them, so put them back (idempotent)."""
    from django.apps import apps

    for name in ("0003_seed_demo_benefit_amounts", "0005_seed_demo_unemployed_medical"):
        importlib.import_module(f"benefits.migrations.{name}").seed(apps, None)


def test_two_runs_at_once_pay_every_benefit_month_once(
    rita, amos, django_capture_on_commit_callbacks
):
    claims = [
        approve(make_person(f"p{n}"), rita, amos, django_capture_on_commit_callbacks)
        for n in range(6)
    ]
    month = claims[0].starts_on.strftime("%Y-%m")
    errors = []

    def run():
        try:
            payment_run.pay_month(month, range_size=2)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert BenefitPayment.objects.count() == 6
    fund = ledger.fund_account("unemployment", "000000")
    fund.refresh_from_db()
    assert fund.balance == Decimal("-1926.00") * 6
    # The contribution records are written without entries (see conftest); everything
    # the run posted must pass the audit.
    test_records = set(
        LedgerTransaction.objects.filter(description="test record").values_list("pk", flat=True)
    )
    violations = [v for v in audit.run_audit().violations if v.transaction_id not in test_records]
    assert violations == []
    assert LedgerTransaction.objects.filter(kind="benefit").count() == 6
