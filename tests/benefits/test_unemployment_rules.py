"""SIL Art. 45–47 rule by rule, on the pure module."""

from datetime import date
from decimal import Decimal

import pytest

from benefits.unemployment_rules import Facts, decide, months_for


def facts(**changes):
    base = {
        "contribution_months": 84,
        "job_ended_on": date(2026, 11, 30),
        "how_ended": "employer_terminated",
        "registered": True,
        "seeking_work": True,
        "pension_in_payment": False,
        "monthly_amount": Decimal("1800.00"),
    }
    base.update(changes)
    return Facts(**base)


@pytest.mark.parametrize(
    ("months", "entitled"),
    [(11, 0), (12, 12), (59, 12), (60, 18), (119, 18), (120, 24), (300, 24)],
)
def test_duration_table_edges_at_one_five_and_ten_years(months, entitled):
    assert months_for(months) == entitled


def test_previous_unused_months_are_added_up_to_24():
    assert months_for(84, unused_months=4) == 22
    assert months_for(84, unused_months=10) == 24


def test_seven_years_allowed_for_18_months():
    decision = decide(facts())
    assert (decision.allowed, decision.months_entitled) == (True, 18)
    assert decision.monthly_amount == Decimal("1800.00")


@pytest.mark.parametrize(
    ("changes", "code", "basis"),
    [
        ({"contribution_months": 11}, "contributions_too_short", "SIL Art. 45(1)"),
        ({"how_ended": "resigned"}, "left_by_own_will", "SIL Art. 45(2)"),
        ({"registered": False}, "not_registered", "SIL Art. 45(3), Art. 50"),
        ({"seeking_work": False}, "not_seeking_work", "SIL Art. 45(3)"),
        ({"pension_in_payment": True}, "pension_in_payment", "SIL Art. 51(2)"),
        ({"monthly_amount": None}, "amount_missing", "SIL Art. 47"),
    ],
)
def test_each_refusal_names_its_code_basis_and_how_to_contest(changes, code, basis):
    decision = decide(facts(**changes))
    assert not decision.allowed
    assert [(r.code, r.legal_basis) for r in decision.reasons] == [(code, basis)]
    assert "60 days" in decision.how_to_contest
