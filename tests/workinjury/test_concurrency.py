"""Two appraisal conclusions at once: one wins, the subsidy is paid once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import LedgerTransaction
from core.errors import DomainError
from tests.workinjury.conftest import TODAY, injury_staff, recognised, wages
from workinjury import services
from workinjury.models import LabourCapacityAppraisal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_conclusions_racing_one_wins(gang, rita, dora, django_capture_on_commit_callbacks):
    wages(gang.cardholder, [Decimal("8000.00")] * 12)
    claim = recognised(gang, rita, dora, django_capture_on_commit_callbacks)
    appraisal = services.appraisal_apply(claim, actor=gang, condition_stable=True, today=TODAY)
    members = [
        injury_staff(f"cora{n}", "view_labourcapacityappraisal", "conclude_labourcapacityappraisal")
        for n in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes, lock = [], threading.Lock()

    def conclude(n):
        try:
            copy = LabourCapacityAppraisal.objects.get(pk=appraisal.pk)
            barrier.wait()
            services.appraisal_conclude(copy, actor=members[n], grade=5 + n, self_care="none")
            result = f"grade {5 + n}"
        except DomainError as exc:
            result = exc.code
        except Exception as exc:  # anything else is a bug the test must show
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=conclude, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes)[0] == "already_decided", outcomes
    won = LabourCapacityAppraisal.objects.get(pk=appraisal.pk)
    assert f"grade {won.grade}" in outcomes
    assert (
        LedgerTransaction.objects.filter(idempotency_key__startswith="injury-subsidy").count() == 1
    )


def test_two_death_decisions_racing_one_wins_and_pays_once(
    gang, rita, dora, django_capture_on_commit_callbacks
):
    from datetime import date

    from workinjury import death_services
    from workinjury.models import NationalDisposableIncome, WorkDeathBenefit

    NationalDisposableIncome.objects.update_or_create(
        year=2025, defaults={"amount": Decimal("54000.00"), "source": "test figure"}
    )
    wages(gang.cardholder, [Decimal("8000.00")] * 12)
    claim = recognised(gang, rita, dora, django_capture_on_commit_callbacks)
    benefit = death_services.work_death_record(
        claim,
        actor=rita,
        died_on=date(2026, 11, 20),
        dependants=[{"name": "Li Mei", "relation": "spouse"}],
        today=TODAY,
    )
    deciders = [
        injury_staff(f"dora{n}", "view_injuryrecognition", "decide_injuryrecognition")
        for n in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes, lock = [], threading.Lock()

    def decide(n):
        try:
            copy = WorkDeathBenefit.objects.get(pk=benefit.pk)
            barrier.wait()
            death_services.work_death_approve(copy, actor=deciders[n], today=TODAY)
            result = f"dora{n}"
        except DomainError as exc:
            result = exc.code
        except Exception as exc:  # anything else is a bug the test must show
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=decide, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes)[0] == "already_decided", outcomes
    won = WorkDeathBenefit.objects.get(pk=benefit.pk)
    assert won.status == "approved" and won.decided_by.username in outcomes
    assert LedgerTransaction.objects.filter(idempotency_key__startswith="work-death-").count() == 2
