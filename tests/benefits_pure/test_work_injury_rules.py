"""Work-injury time limits, own wage bounds and benefits by grade (RULES §6)."""

from datetime import date
from decimal import Decimal

import pytest

from benefits import work_injury_rules as w

ACCIDENT = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("filer", "last_day"),
    [
        (w.EMPLOYER, date(2026, 4, 9)),
        (w.WORKER, date(2027, 3, 10)),
        (w.RELATIVE, date(2027, 3, 10)),
    ],
)
def test_each_filer_has_its_own_time_limit(filer, last_day):
    assert w.filing_deadline(ACCIDENT, filer) == last_day
    w.check_filing(ACCIDENT, last_day, filer)
    with pytest.raises(w.InjuryRuleError) as caught:
        w.check_filing(ACCIDENT, date.fromordinal(last_day.toordinal() + 1), filer)
    assert caught.value.code == w.FILED_TOO_LATE


def test_a_leap_day_accident_gives_the_worker_until_28_february():
    assert w.filing_deadline(date(2028, 2, 29), w.WORKER) == date(2029, 2, 28)


def test_filing_before_the_accident_or_by_a_stranger_is_refused():
    with pytest.raises(w.InjuryRuleError, match=w.FILED_BEFORE_ACCIDENT):
        w.check_filing(ACCIDENT, date(2026, 3, 9), w.WORKER)
    with pytest.raises(w.InjuryRuleError, match=w.FILER_UNKNOWN):
        w.filing_deadline(ACCIDENT, "neighbour")


REGIONAL = Decimal("10000.00")


@pytest.mark.parametrize(
    ("wages", "bounded", "bound"),
    [
        ([Decimal("5999.99")] * 12, Decimal("6000.00"), "lower"),
        ([Decimal("6000.00")] * 12, Decimal("6000.00"), ""),
        ([Decimal("30000.00")] * 12, Decimal("30000.00"), ""),
        ([Decimal("30000.01")] * 12, Decimal("30000.00"), "upper"),
        ([Decimal("8000"), Decimal("9000")], Decimal("8500.00"), ""),
    ],
)
def test_own_wage_is_bounded_to_60_and_300_percent_of_the_regional_average(wages, bounded, bound):
    wage = w.own_wage(wages, REGIONAL)
    assert (wage.bounded, wage.bound_applied) == (bounded, bound)


def test_only_the_last_twelve_months_count():
    wage = w.own_wage([Decimal("100000")] + [Decimal("9000")] * 12, REGIONAL)
    assert (wage.average, wage.months) == (Decimal("9000.00"), 12)


def test_no_wage_on_record_is_refused():
    with pytest.raises(w.InjuryRuleError, match=w.NO_WAGE_RECORD):
        w.own_wage([], REGIONAL)


@pytest.mark.parametrize(
    ("grade", "subsidy", "allowance"),
    [
        (1, "243000.00", "8100.00"),
        (2, "225000.00", "7650.00"),
        (3, "207000.00", "7200.00"),
        (4, "189000.00", "6750.00"),
        (5, "162000.00", "0.00"),
        (6, "144000.00", "0.00"),
        (7, "117000.00", "0.00"),
        (8, "99000.00", "0.00"),
        (9, "81000.00", "0.00"),
        (10, "63000.00", "0.00"),
    ],
)
def test_every_grade_pays_its_months_of_own_wage(grade, subsidy, allowance):
    wage = Decimal("9000.00")
    assert w.one_time_subsidy(grade, wage) == Decimal(subsidy)
    assert w.monthly_allowance(grade, wage) == Decimal(allowance)


@pytest.mark.parametrize("grade", [0, 11, -1])
def test_a_grade_outside_one_to_ten_is_refused(grade):
    with pytest.raises(w.InjuryRuleError, match=w.GRADE_INVALID):
        w.one_time_subsidy(grade, Decimal("9000"))
