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


# --- the appraisal cast: gang was hurt at work on 1 November 2026 in region 990100,
# whose 2025 average wage is 10 000.00; cora sits on the appraisal committee.

REGION = "990100"
REGIONAL = "10000.00"


def month_back(month, n):
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def wages(cardholder, amounts, last=date(2026, 10, 1)):
    """Declared wages of the months up to `last`, oldest first, on the record (one
    work-injury contribution row a month, as the import leaves them)."""
    from accounts.models import Contribution, LedgerTransaction

    months = [month_back(last, n) for n in range(len(amounts) - 1, -1, -1)]
    txns = LedgerTransaction.objects.bulk_create(
        LedgerTransaction(
            kind="contribution",
            idempotency_key=f"test-injury:{cardholder.pk}:{month:%Y-%m}",
            description="test record",
        )
        for month in months
    )
    Contribution.objects.bulk_create(
        Contribution(
            cardholder=cardholder,
            scheme="work_injury",
            month=month,
            payer="employer",
            wage_base_declared=amount,
            wage_base=amount,
            to_pooled="10.00",
            transaction=txn,
        )
        for month, amount, txn in zip(months, amounts, txns, strict=True)
    )


@pytest.fixture
def regional(db):
    from accounts import ledger
    from pensions.models import RegionalAverageWage

    ledger.fund_account_open("work_injury", REGION)
    return RegionalAverageWage.objects.create(
        region=REGION, year=2025, amount=REGIONAL, source="test figure"
    )


@pytest.fixture
def gang(db, regional):
    user = UserFactory(username="gang", first_name="Wu Gang", password=None)
    CardholderFactory(user=user, name="Wu Gang", gender="M", region=REGION)
    return user


@pytest.fixture
def cora(db):
    return injury_staff("cora", "view_labourcapacityappraisal", "conclude_labourcapacityappraisal")


def recognised(user, reviewer, decider, capture, accident=ACCIDENT):
    """A recognition of the worker's accident, filed, verified and recognised."""
    from casework import services as casework
    from tests.factories import upload
    from workinjury import eligibility, services

    claim = services.recognition_start(
        applicant=user, today=TODAY, accident_date=accident, description="Crushed hand."
    )
    for kind in eligibility.REQUIRED_DOCUMENTS:
        casework.document_add(case=claim, kind=kind, uploaded_file=upload(), uploader=user)
    with capture(execute=True):
        services.recognition_submit(claim, actor=user, today=TODAY)
    services.recognition_verify(claim, actor=reviewer)
    services.recognition_recognise(claim, actor=decider)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def nursing_rates(db):
    """Region 990100's nursing allowance rates (WIR Art. 34): 50 / 40 / 30 % of the
    regional average monthly wage, from 2011."""
    from workinjury.models import NursingAllowanceRate

    return {
        level: NursingAllowanceRate.objects.create(
            region=REGION,
            self_care=level,
            percent=percent,
            valid_from=date(2011, 1, 1),
            source="test figure",
        )
        for level, percent in (("wholly", "50.00"), ("mostly", "40.00"), ("partial", "30.00"))
    }
