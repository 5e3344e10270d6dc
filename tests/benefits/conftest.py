"""The unemployment-benefit cast: sue lost her job at the end of last month after seven
years of contributions; rita reviews and verifies, amos approves."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.models import Contribution, LedgerTransaction, Scheme
from benefits import services
from tests.factories import CardholderFactory, EmployerFactory, StaffFactory, UserFactory, upload


def benefit_staff(username, *codenames):
    user = StaffFactory(username=username, password=None)  # no hashing: force_login only
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="benefits", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)


def month_back(month, n):
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def last_day_of_last_month(today=None):
    today = today or timezone.localdate()
    return today.replace(day=1) - timedelta(days=1)


def contribute(cardholder, *, months, last, employer=None):
    """`months` months of unemployment contributions up to the month `last`, written
    straight to the tables (one ledger transaction a row, as the import would leave
    them): the rules count months on record; the posting itself is tested in accounts."""
    rows = [month_back(last, n) for n in range(months)]
    txns = LedgerTransaction.objects.bulk_create(
        LedgerTransaction(
            kind=LedgerTransaction.Kind.CONTRIBUTION,
            idempotency_key=f"test-unemployment:{cardholder.pk}:{month:%Y-%m}",
            description="test record",
        )
        for month in rows
    )
    Contribution.objects.bulk_create(
        Contribution(
            cardholder=cardholder,
            employer=employer,
            scheme=Scheme.UNEMPLOYMENT,
            month=month,
            payer="employer",
            wage_base_declared="6000.00",
            wage_base="6000.00",
            to_pooled="30.00",
            transaction=txn,
        )
        for month, txn in zip(rows, txns, strict=True)
    )


def make_person(username, *, months=84, how_ended="employer_terminated", register=True):
    user = UserFactory(username=username, first_name=username.title(), password=None)
    cardholder = CardholderFactory(user=user, name=username.title(), gender="F")
    ended = last_day_of_last_month()
    contribute(cardholder, months=months, last=ended.replace(day=1), employer=EmployerFactory())
    if register:
        services.registration_create(
            cardholder=cardholder,
            actor=user,
            how_ended=how_ended,
            seeking_work=True,
            job_ended_on=ended,
        )
    return user


@pytest.fixture
def sue(db):
    return make_person("sue")


@pytest.fixture
def rita(db):
    return benefit_staff("rita", "view_unemploymentclaim", "review_unemploymentclaim")


@pytest.fixture
def amos(db):
    return benefit_staff("amos", "view_unemploymentclaim", "approve_unemploymentclaim")


def submit(user, capture):
    """Start and submit the user's claim with the certificate of termination; the
    automated check runs (eagerly) and leaves it awaiting the decision."""
    from casework import services as casework

    claim = services.claim_start(applicant=user, cardholder=user.cardholder)
    casework.document_add(
        case=claim,
        kind="termination_certificate",
        uploaded_file=upload(name="termination.pdf"),
        uploader=user,
    )
    with capture(execute=True):
        services.claim_submit(claim, actor=user)
    claim.refresh_from_db()
    return claim


def approve(user, rita, amos, capture):
    claim = submit(user, capture)
    services.claim_verify(claim, actor=rita)
    with capture(execute=True):
        services.claim_approve(claim, actor=amos)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def in_payment(sue, rita, amos, django_capture_on_commit_callbacks):
    return approve(sue, rita, amos, django_capture_on_commit_callbacks)


# --- the skill-upgrade subsidy and training cast ------------------------------------------
# kai holds 24 months of contributions in region 110100 (the demo figures of migration
# 0007 apply there); sian verifies and confirms training, abe approves.

SKILL_REGION = "110100"


def skill_person(username, *, months=24, region=SKILL_REGION, register=False):
    user = UserFactory(username=username, first_name=username.title(), password=None)
    cardholder = CardholderFactory(
        user=user, name=username.title(), region=region, card_financial_activated=True
    )
    ended = last_day_of_last_month()
    contribute(cardholder, months=months, last=ended.replace(day=1), employer=EmployerFactory())
    if register:
        services.registration_create(
            cardholder=cardholder,
            actor=user,
            how_ended="employer_terminated",
            seeking_work=True,
            job_ended_on=ended,
        )
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def skill_figures(db):
    """The demo amounts (migration 0007), put back after a transactional test's flush."""
    import importlib

    from django.apps import apps

    importlib.import_module("benefits.migrations.0007_seed_demo_skill_subsidy_amounts").seed(
        apps, None
    )


@pytest.fixture
def kai(skill_figures):
    return skill_person("kai")


@pytest.fixture
def sian(db):
    return benefit_staff(
        "sian",
        "view_skillsubsidyclaim",
        "review_skillsubsidyclaim",
        "view_trainingapplication",
        "review_trainingapplication",
    )


@pytest.fixture
def abe(db):
    return benefit_staff("abe", "view_skillsubsidyclaim", "approve_skillsubsidyclaim")


def skill_submit(user, capture, *, level="intermediate", number="SC-2026-0001", issued_on=None):
    """Start and submit a claim with the certificate's scan; the automated check runs
    (eagerly) and leaves it awaiting the decision."""
    from benefits import skill_services
    from casework import services as casework

    issued_on = issued_on or timezone.localdate() - timedelta(days=30)
    claim = skill_services.skill_claim_start(
        applicant=user,
        cardholder=user.cardholder,
        level=level,
        certificate_number=number,
        issued_on=issued_on,
    )
    casework.document_add(
        case=claim,
        kind="skill_certificate",
        uploaded_file=upload(name="certificate.pdf"),
        uploader=user,
    )
    with capture(execute=True):
        skill_services.skill_claim_submit(claim, actor=user)
    claim.refresh_from_db()
    return claim


def skill_approve(user, sian, abe, capture, **kwargs):
    from benefits import skill_services

    claim = skill_submit(user, capture, **kwargs)
    skill_services.skill_claim_verify(claim, actor=sian)
    with capture(execute=True):
        skill_services.skill_claim_approve(claim, actor=abe)
    claim.refresh_from_db()
    return claim


def make_course(*, places=10, starts_in=14, days=30, subsidy="1200.00", **fields):
    from benefits.models import TrainingCourse

    start = timezone.localdate() + timedelta(days=starts_in)
    defaults = {
        "title": "CNC machining (intermediate)",
        "provider_name": "Haidian Vocational Training Centre",
        "provider_bank_name": "Bank of Beijing",
        "provider_account_number": "6222020200112233445",
        "region": SKILL_REGION,
        "starts_on": start,
        "ends_on": start + timedelta(days=days),
        "places": places,
        "subsidy_amount": subsidy,
    }
    defaults.update(fields)
    return TrainingCourse.objects.create(**defaults)
