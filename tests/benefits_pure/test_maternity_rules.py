"""Maternity leave days and allowance (RULES §7), hand-computed."""

from decimal import Decimal

import pytest

from benefits import maternity_rules as m


@pytest.mark.parametrize(
    ("babies", "difficult", "days"),
    [(1, False, 98), (1, True, 113), (2, False, 113), (3, True, 143)],
)
def test_birth_days(babies, difficult, days):
    assert m.statutory_days(m.BIRTH, babies=babies, difficult_birth=difficult) == days


@pytest.mark.parametrize(("months", "days"), [(0, 15), (3, 15), (4, 42), (7, 42)])
def test_miscarriage_days_change_at_four_months(months, days):
    assert m.statutory_days(m.MISCARRIAGE, months=months) == days


def test_the_allowance_is_the_average_wage_over_thirty_times_the_days_with_regional_days():
    result = m.allowance(m.BIRTH, average_wage=Decimal("9000.00"), regional_extra_days=60)
    assert (result.statutory_days, result.regional_extra_days, result.days) == (98, 60, 158)
    assert result.amount == Decimal("47400.00")  # 9,000 / 30 × 158


def test_the_amount_is_rounded_to_the_fen_once():
    result = m.allowance(m.MISCARRIAGE, average_wage=Decimal("7777.77"), months=2)
    assert result.amount == Decimal("3888.89")  # 7,777.77 / 30 × 15 = 3,888.885


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"event": "adoption"}, m.EVENT_UNKNOWN),
        ({"event": m.BIRTH, "babies": 0}, m.BABIES_INVALID),
        ({"event": m.MISCARRIAGE}, m.MONTHS_INVALID),
        ({"event": m.MISCARRIAGE, "months": -1}, m.MONTHS_INVALID),
    ],
)
def test_impossible_events_are_refused_with_a_code(kwargs, code):
    with pytest.raises(m.MaternityRuleError) as caught:
        m.allowance(average_wage=Decimal("5000"), **kwargs)
    assert caught.value.code == code


def test_no_wage_no_allowance():
    with pytest.raises(m.MaternityRuleError) as caught:
        m.allowance(m.BIRTH, average_wage=Decimal("0"))
    assert caught.value.code == m.WAGE_INVALID
