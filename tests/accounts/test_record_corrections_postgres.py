"""Two approvals of one record correction at once, on PostgreSQL: one wins, the other
is told it is already decided, and the record changes once."""

import threading
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from accounts.models import Cardholder, RecordChange
from core.errors import DomainError
from corrections import services
from corrections.models import RecordCorrection
from tests.factories import CardholderFactory, StaffFactory, UserFactory, upload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def staff(username, *codenames):
    user = StaffFactory(username=username, password=None)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="corrections", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)


def test_two_approvals_racing_one_wins_and_the_record_changes_once(
    django_capture_on_commit_callbacks,
):
    alice = UserFactory(username="alice", first_name="Alice Lin")
    holder = CardholderFactory(
        user=alice, name="林爱丽", gender="F", date_of_birth=date(1980, 5, 10)
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = services.correction_request(
            applicant=alice,
            field="name",
            new_value="林艾丽",
            reason="Typed wrong at registration.",
            files=[upload()],
        )
    case.refresh_from_db()
    assert case.status == "awaiting_decision"
    services.correction_verify(
        case, actor=staff("rita", "view_recordcorrection", "review_recordcorrection")
    )
    deciders = [
        staff(f"dora{n}", "view_recordcorrection", "decide_recordcorrection") for n in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes, lock = [], threading.Lock()

    def approve(n):
        try:
            copy = RecordCorrection.objects.get(pk=case.pk)
            barrier.wait()
            services.correction_approve(copy, actor=deciders[n])
            result = f"approved by dora{n}"
        except DomainError as exc:
            result = exc.code
        except Exception as exc:  # anything else is a bug the test must show
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes)[0] == "already_decided", outcomes
    won = RecordCorrection.objects.get(pk=case.pk)
    assert won.status == "corrected"
    assert f"approved by {won.approved_by.username}" in outcomes
    changes = RecordChange.objects.filter(cardholder=holder)
    assert list(changes.values_list("field", "old_value", "new_value")) == [
        ("name", "林爱丽", "林艾丽")
    ]
    assert changes.get().actor_id == won.approved_by_id
    assert Cardholder.objects.get(pk=holder.pk).name == "林艾丽"
