"""Staff cast for the admin tests: rita reviews, alan approves, audrey audits."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from tests.factories import StaffFactory, death_claim
from withdrawals import services


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return {g.name: g for g in Group.objects.all()}


def _staff(username, *groups):
    user = StaffFactory(username=username, first_name=username.title())
    user.groups.add(*groups)
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def rita(roles):
    return _staff("rita", roles["reviewer"])


@pytest.fixture
def alan(roles):
    return _staff("alan", roles["approver"])


@pytest.fixture
def audrey(roles):
    return _staff("audrey", roles["auditor"])


@pytest.fixture
def awaiting(django_capture_on_commit_callbacks):
    """A death claim (1000.00 pension + 200.00 medical) whose documents all passed."""
    application = death_claim(pension="1000.00", medical="200.00")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == "awaiting_decision"
    return application
