"""What the pension fund pays survivors on a death from illness or a non-work cause.

Social Insurance Law of the PRC, Art. 17, with the national structure of
人社部发〔2021〕18号: the funeral grant is a number of months (two) of the province's
last-year monthly per-capita urban disposable income; the survivors' pension is a
number of months of the same income, growing with the deceased's contribution years up
to a ceiling. Every figure is regional data (:class:`Parameters`); nothing here guesses
one. The money comes from the basic-pension fund, never from a per-person pooled
account, and is divided between the heirs by their shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
LAW = "Social Insurance Law of the PRC, Art. 17; 人社部发〔2021〕18号"
# A person who dies while drawing unemployment benefit: the unemployment fund pays the
# funeral subsidy and the survivors' pension, as the local rule for an employee's death
# sets them; survivors who qualify under several funds receive one of them only.
LAW_UNEMPLOYED = "Social Insurance Law of the PRC, Art. 49"

PENSION_FUND = "pension"
UNEMPLOYMENT_FUND = "unemployment"

NOT_COVERED_WORK_RELATED = "survivor_work_related_death"
NOT_COVERED_UNINSURED = "survivor_not_pension_insured"


@dataclass(frozen=True)
class Parameters:
    """A province's figures for one year (all data, each with its source)."""

    monthly_disposable_income: Decimal  # last year's urban per-capita, per month
    funeral_grant_months: int
    base_months: int  # survivors' pension months up to ``threshold_years``
    threshold_years: int
    months_per_further_year: Decimal  # the national rule's 0.1
    max_months: int
    source: str


@dataclass(frozen=True)
class Award:
    funeral_grant: Decimal
    survivors_pension: Decimal
    survivors_pension_months: Decimal
    contribution_years: int
    legal_basis: str = LAW
    fund: str = PENSION_FUND  # the scheme whose fund pays


def survivors_pension_months(contribution_years: int, parameters: Parameters) -> Decimal:
    """Months of income: the base up to the threshold, a (possibly fractional) number
    of months more for each further year, never beyond the ceiling."""
    further = max(0, contribution_years - parameters.threshold_years)
    months = parameters.base_months + further * Decimal(parameters.months_per_further_year)
    return min(months, Decimal(parameters.max_months))


def _months_of_income(months, parameters: Parameters) -> Decimal:
    return (parameters.monthly_disposable_income * months).quantize(FEN, ROUND_HALF_UP)


def award(
    *,
    contribution_years: int,
    work_related: bool,
    pension_insured: bool,
    parameters: Parameters,
    drawing_unemployment_benefit: bool = False,
) -> Award | str:
    """The award, or the code of the reason there is none (a work-related death is
    compensated by the work-injury fund instead). A person drawing unemployment benefit
    when they died is paid for by the unemployment fund (Art. 49), whether or not they
    were insured in the basic pension; never by both funds."""
    if work_related:
        return NOT_COVERED_WORK_RELATED
    if not (pension_insured or drawing_unemployment_benefit):
        return NOT_COVERED_UNINSURED
    months = survivors_pension_months(contribution_years, parameters)
    return Award(
        funeral_grant=_months_of_income(parameters.funeral_grant_months, parameters),
        survivors_pension=_months_of_income(months, parameters),
        survivors_pension_months=months,
        contribution_years=contribution_years,
        legal_basis=LAW_UNEMPLOYED if drawing_unemployment_benefit else LAW,
        fund=UNEMPLOYMENT_FUND if drawing_unemployment_benefit else PENSION_FUND,
    )
