"""The retirement-claim cast: ray reaches his statutory date on 15 July 2026 with
fifteen years of contributions; rita reviews and verifies, amos approves."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from accounts.models import Contribution, LedgerTransaction, Scheme
from pensions.models import RegionalAverageWage
from tests.factories import CardholderFactory, StaffFactory, UserFactory, fund

REGION = "320100"
# Test figures for the region: 6000 a month up to 2020, 9000 from 2021.
AVERAGES = {
    year: Decimal("6000.00") if year <= 2020 else Decimal("9000.00") for year in range(2011, 2026)
}
WAGE = Decimal("9000.00")
# Born 15 March 1966: 60 years and 4 months, so 15 July 2026.
BORN = date(1966, 3, 15)
RETIRES = date(2026, 7, 15)


def pension_staff(username, *codenames):
    user = StaffFactory(username=username, password=None)  # no hashing: force_login only
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="pensions", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)


def contribute(cardholder, first=date(2011, 1, 1), months=180, wage=WAGE):
    """A record of `months` months of pension contributions from `first` at `wage`,
    the employee's 8 % credited to the personal account in one sum.

    Written straight to the tables (one ledger transaction a row, as the service
    would leave them) because posting fifteen years month by month is slow; the
    service itself is tested in accounts.
    """
    rows = []
    for n in range(months):
        index = first.month - 1 + n
        rows.append(date(first.year + index // 12, 1 + index % 12, 1))
    txns = LedgerTransaction.objects.bulk_create(
        LedgerTransaction(
            kind=LedgerTransaction.Kind.CONTRIBUTION,
            idempotency_key=f"test-record:{cardholder.pk}:{month:%Y-%m}",
            description="test record",
        )
        for month in rows
    )
    credit = (wage * Decimal("0.08")).quantize(Decimal("0.01"))
    Contribution.objects.bulk_create(
        Contribution(
            cardholder=cardholder,
            scheme=Scheme.PENSION,
            month=month,
            payer="employee",
            wage_base_declared=wage,
            wage_base=wage,
            to_personal=credit,
            transaction=txn,
        )
        for month, txn in zip(rows, txns, strict=True)
    )
    fund(cardholder, Scheme.PENSION, credit * months)


@pytest.fixture
def averages(db):
    for year, amount in AVERAGES.items():
        RegionalAverageWage.objects.create(
            region=REGION, year=year, amount=amount, source="Test figure"
        )


@pytest.fixture
def ray(db, averages):
    user = UserFactory(username="ray", first_name="Ray Sun", password=None)
    cardholder = CardholderFactory(
        user=user, name="Ray Sun", gender="M", date_of_birth=BORN, region=REGION
    )
    contribute(cardholder)
    return user


@pytest.fixture
def rita(db):
    return pension_staff("rita", "view_retirementclaim", "review_retirementclaim")


@pytest.fixture
def amos(db):
    return pension_staff("amos", "view_retirementclaim", "approve_retirementclaim")


def in_payment(cardholder, *, starts_on, basic, personal, balance=None, bank=True, ref=None):
    """An approved claim in payment with its award, written straight to the table (the
    approval itself is tested in test_claim_services); the personal pension account
    funded with `balance` first."""
    from pensions.models import RetirementClaim

    if balance:
        fund(cardholder, Scheme.PENSION, balance)
    applicant = cardholder.user or UserFactory(password=None)
    return RetirementClaim.objects.create(
        kind=RetirementClaim.KIND,
        reference=ref or f"RC-T-{cardholder.pk:06d}",
        cardholder=cardholder,
        applicant=applicant,
        status=RetirementClaim.Status.APPROVED,
        category="male",
        retirement_date=starts_on,
        retirement_age_months=720,
        starts_on=starts_on,
        contribution_months=180,
        balance_at_retirement=balance or Decimal("0.00"),
        divisor=139,
        basic_monthly=Decimal(basic),
        personal_monthly=Decimal(personal),
        bank_name="Bank of Example" if bank else "",
        bank_account_holder=cardholder.name if bank else "",
        bank_account_number="6222 0000 1111 2222" if bank else "",
    )


def retiree_medical_data(region=REGION, amount="60.00"):
    """The region's medical fund and a test credit rate to retirees' medical accounts
    from 2022, which the monthly run needs."""
    from accounts import ledger
    from pensions.models import RetireeMedicalRate

    RetireeMedicalRate.objects.create(
        region=region, from_month=date(2022, 1, 1), amount=Decimal(amount), source="Test figure"
    )
    return ledger.fund_account_open("medical", region)
