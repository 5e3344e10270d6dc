from datetime import date
from decimal import Decimal

import pytest

from accounts import services
from accounts.exceptions import InvalidAmount, NoRateInForce, UnknownScheme
from accounts.models import Account, Contribution, ContributionRate, LedgerTransaction
from tests.factories import CardholderFactory, EmployerFactory

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


def balances(cardholder, scheme):
    return {account.kind: account.balance for account in cardholder.accounts.filter(scheme=scheme)}


def post(cardholder, scheme="pension", wage="10000.00", month=MARCH, **kwargs):
    return services.contribution_post(
        cardholder=cardholder, scheme=scheme, month=month, wage=wage, **kwargs
    )


def test_employee_pension_employer_to_pool_employee_to_personal():
    person = CardholderFactory()
    rows = post(person, employer=EmployerFactory())

    assert balances(person, "pension") == {
        "pooled": Decimal("1600.00"),
        "personal": Decimal("800.00"),
    }
    assert {(r.payer, r.to_pooled, r.to_personal) for r in rows} == {
        ("employer", Decimal("1600.00"), Decimal("0.00")),
        ("employee", Decimal("0.00"), Decimal("800.00")),
    }


def test_employee_medical_split():
    person = CardholderFactory()
    post(person, scheme="medical")
    # Since the 2021 reform the whole employer part (8 % with the merged maternity 0.8 %)
    # goes to the pool; the employee's 2 % to the personal account.
    assert balances(person, "medical") == {
        "pooled": Decimal("880.00"),
        "personal": Decimal("200.00"),
    }


@pytest.mark.parametrize(
    ("month", "pension", "medical", "maternity"),
    [
        # Before May 2019: employer pension 20 %; 30 % of the employer medical part
        # (2.4 % of wages) to the personal account; maternity 0.8 % on its own.
        (date(2019, 4, 1), ("2000.00", "800.00"), ("560.00", "440.00"), "80.00"),
        (date(2019, 5, 1), ("1600.00", "800.00"), ("560.00", "440.00"), "80.00"),
        # 2020–2021: maternity merged into medical, the split not yet reformed.
        (date(2020, 1, 1), ("1600.00", "800.00"), ("640.00", "440.00"), "0.00"),
        (date(2021, 12, 1), ("1600.00", "800.00"), ("640.00", "440.00"), "0.00"),
        # From 2022 the employer part goes to the pool.
        (date(2022, 1, 1), ("1600.00", "800.00"), ("880.00", "200.00"), "0.00"),
    ],
)
def test_the_national_rates_follow_the_law_over_time(month, pension, medical, maternity):
    person = CardholderFactory()
    employer = EmployerFactory()
    for scheme in ("pension", "medical", "maternity"):
        post(person, scheme=scheme, month=month, employer=employer)

    assert balances(person, "pension") == {
        "pooled": Decimal(pension[0]),
        "personal": Decimal(pension[1]),
    }
    assert balances(person, "medical") == {
        "pooled": Decimal(medical[0]),
        "personal": Decimal(medical[1]),
    }
    assert balances(person, "maternity") == {"pooled": Decimal(maternity)}


def test_every_national_rate_row_names_its_source():
    rows = ContributionRate.objects.filter(region="000000")
    assert rows.count() == 16
    assert not rows.filter(source="").exists()
    assert (
        "国办发〔2019〕13号"
        in rows.get(scheme="pension", payer="employer", effective_from=date(2019, 5, 1)).source
    )


def test_flexibly_employed_pays_both_parts_in_one_transaction():
    person = CardholderFactory(employment_status="flexible")
    [row] = post(person)

    assert row.payer == "flexible"
    assert (row.to_pooled, row.to_personal) == (Decimal("1200.00"), Decimal("800.00"))
    assert balances(person, "pension") == {
        "pooled": Decimal("1200.00"),
        "personal": Decimal("800.00"),
    }
    amounts = sorted(row.transaction.entries.values_list("amount", flat=True))
    assert amounts == [Decimal("-2000.00"), Decimal("800.00"), Decimal("1200.00")]


def test_unemployment_employee_part_goes_to_the_pool():
    person = CardholderFactory()
    post(person, scheme="unemployment")
    assert balances(person, "unemployment") == {"pooled": Decimal("100.00")}
    employee = Contribution.objects.get(cardholder=person, payer="employee")
    assert (employee.to_pooled, employee.to_personal) == (Decimal("50.00"), Decimal("0.00"))


@pytest.mark.parametrize(
    ("wage", "base", "personal"),
    [
        ("1000.00", Decimal("4000.00"), Decimal("320.00")),  # below the floor
        ("0", Decimal("4000.00"), Decimal("320.00")),
        ("90000.00", Decimal("35000.00"), Decimal("2800.00")),  # above the ceiling
        ("12345.67", Decimal("12345.67"), Decimal("987.65")),  # rounded half up to the fen
    ],
)
def test_wage_base_is_clamped_to_both_bounds(wage, base, personal):
    person = CardholderFactory()
    rows = post(person, wage=wage)
    employee = next(r for r in rows if r.payer == "employee")
    assert employee.wage_base == base
    assert employee.wage_base_declared == Decimal(wage).quantize(Decimal("0.01"))
    assert employee.to_personal == personal


def test_regional_rate_overrides_national():
    region = "440300"
    for payer, destination, rate in [
        ("employer", "pooled", "0.1400"),
        ("employee", "personal", "0.0800"),
    ]:
        ContributionRate.objects.create(
            region=region,
            scheme="pension",
            payer=payer,
            destination=destination,
            rate=Decimal(rate),
            wage_base_floor=Decimal("2360.00"),
            wage_base_ceiling=Decimal("27501.00"),
            effective_from=date(2025, 1, 1),
        )
    here = CardholderFactory(region=region)
    elsewhere = CardholderFactory()

    post(here, wage="30000.00")
    post(elsewhere, wage="30000.00")

    assert balances(here, "pension")["pooled"] == Decimal("3850.14")  # 14 % of 27501.00
    assert balances(elsewhere, "pension")["pooled"] == Decimal("4800.00")  # 16 % of 30000
    # Before the regional rate started, the national one applies.
    post(here, wage="10000.00", month=date(2024, 6, 1))
    assert Contribution.objects.get(
        cardholder=here, month=date(2024, 6, 1), payer="employer"
    ).to_pooled == Decimal("1600.00")


def test_posting_again_changes_nothing():
    person = CardholderFactory()
    first = post(person)
    transactions = LedgerTransaction.objects.count()

    again = post(person)
    again_other_wage = post(person, wage="20000.00")

    assert [r.pk for r in again] == [r.pk for r in first] == [r.pk for r in again_other_wage]
    assert LedgerTransaction.objects.count() == transactions
    assert balances(person, "pension")["personal"] == Decimal("800.00")


@pytest.mark.parametrize("wage", ["-1.00", "abc", "10.001", 10.5, None, "1e13"])
def test_bad_wage_is_refused_naming_the_field(wage):
    person = CardholderFactory()
    with pytest.raises(InvalidAmount) as refused:
        post(person, wage=wage)
    assert refused.value.field == "wage"
    assert not Contribution.objects.exists()
    assert not LedgerTransaction.objects.exists()


def test_unknown_scheme_is_refused():
    with pytest.raises(UnknownScheme) as refused:
        post(CardholderFactory(), scheme="lottery")
    assert refused.value.field == "scheme"


def test_no_rate_in_force_is_refused():
    with pytest.raises(NoRateInForce):
        post(CardholderFactory(), month=date(2010, 1, 1))
    assert not Account.objects.filter(kind="pooled", balance__gt=0).exists()
