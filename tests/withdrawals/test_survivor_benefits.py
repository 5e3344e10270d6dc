"""The funeral grant and survivors' pension (SIL Art. 17), from regional figures."""

from decimal import Decimal

import pytest

from withdrawals import survivor_benefits as sb

# Illustrative figures shaped like the 2021 national rule: 9 months up to 15 years,
# one more month per further year, at most 20.
PARAMETERS = sb.Parameters(
    monthly_disposable_income=Decimal("5123.45"),
    funeral_grant_months=2,
    base_months=9,
    threshold_years=15,
    months_per_further_year=1,
    max_months=20,
    source="demo figures",
)


@pytest.mark.parametrize(
    ("years", "months"), [(0, 9), (14, 9), (15, 9), (16, 10), (25, 19), (26, 20), (40, 20)]
)
def test_the_survivors_pension_grows_with_contribution_years_to_its_ceiling(years, months):
    assert sb.survivors_pension_months(years, PARAMETERS) == months


NATIONAL_STRUCTURE = sb.Parameters(
    monthly_disposable_income=Decimal("6000.00"),
    funeral_grant_months=2,
    base_months=9,
    threshold_years=15,
    months_per_further_year=Decimal("0.1"),
    max_months=20,
    source="demo figures",
)


@pytest.mark.parametrize(
    ("years", "months", "amount"),
    [
        (15, Decimal("9"), Decimal("54000.00")),
        (16, Decimal("9.1"), Decimal("54600.00")),
        (35, Decimal("11"), Decimal("66000.00")),
        (125, Decimal("20"), Decimal("120000.00")),
        (200, Decimal("20"), Decimal("120000.00")),
    ],
)
def test_the_national_rule_adds_a_tenth_of_a_month_per_further_year(years, months, amount):
    result = sb.award(
        contribution_years=years,
        work_related=False,
        pension_insured=True,
        parameters=NATIONAL_STRUCTURE,
    )
    assert result.survivors_pension_months == months
    assert result.survivors_pension == amount  # months × ¥6,000


def test_a_death_from_illness_pays_both_from_the_income_figure():
    result = sb.award(
        contribution_years=20, work_related=False, pension_insured=True, parameters=PARAMETERS
    )
    assert result.funeral_grant == Decimal("10246.90")  # 2 × 5,123.45
    assert result.survivors_pension_months == 14
    assert result.survivors_pension == Decimal("71728.30")  # 14 × 5,123.45
    assert "Art. 17" in result.legal_basis


def test_a_work_related_death_or_an_uninsured_person_has_no_award_here():
    assert (
        sb.award(
            contribution_years=20, work_related=True, pension_insured=True, parameters=PARAMETERS
        )
        == sb.NOT_COVERED_WORK_RELATED
    )
    assert (
        sb.award(
            contribution_years=0, work_related=False, pension_insured=False, parameters=PARAMETERS
        )
        == sb.NOT_COVERED_UNINSURED
    )


def test_drawing_unemployment_benefit_puts_the_award_on_the_unemployment_fund():
    drawing = sb.award(
        contribution_years=20,
        work_related=False,
        pension_insured=False,
        parameters=PARAMETERS,
        drawing_unemployment_benefit=True,
    )
    assert (drawing.fund, drawing.legal_basis) == (sb.UNEMPLOYMENT_FUND, sb.LAW_UNEMPLOYED)
    assert drawing.funeral_grant == Decimal("10246.90")  # the same local figures
    plain = sb.award(
        contribution_years=20, work_related=False, pension_insured=True, parameters=PARAMETERS
    )
    assert (plain.fund, plain.legal_basis) == (sb.PENSION_FUND, sb.LAW)
    # A death at work is the work-injury fund's, whoever else would pay.
    assert (
        sb.award(
            contribution_years=20,
            work_related=True,
            pension_insured=True,
            parameters=PARAMETERS,
            drawing_unemployment_benefit=True,
        )
        == sb.NOT_COVERED_WORK_RELATED
    )
