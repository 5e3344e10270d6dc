"""The work-injury cast: wu was hurt at work on 1 November 2026; her husband hal may
file for her; rita verifies, dora decides, erin files on the employer's behalf."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission

from tests.factories import CardholderFactory, StaffFactory, UserFactory

TODAY = date(2026, 12, 2)
ACCIDENT = date(2026, 11, 1)


def injury_staff(username, *codenames):
    user = StaffFactory(username=username, password=None)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="workinjury", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def wu(db):
    user = UserFactory(username="wu", first_name="Wu Lan", password=None)
    CardholderFactory(user=user, name="Wu Lan", gender="F")
    return user


@pytest.fixture
def hal(db):
    return UserFactory(username="hal", first_name="Hal Wu", password=None)


@pytest.fixture
def rita(db):
    return injury_staff("rita", "view_injuryrecognition", "review_injuryrecognition")


@pytest.fixture
def dora(db):
    return injury_staff("dora", "view_injuryrecognition", "decide_injuryrecognition")


@pytest.fixture
def erin(db):
    return injury_staff("erin", "file_for_employer")
