"""The Art. 39 amounts, computed by hand: the funeral and one-time subsidies, the
dependants' shares, the lone elder or orphan, and the cap at the worker's own wage."""

from datetime import date
from decimal import Decimal

import pytest

from workinjury import death_rules as r
from workinjury.death_rules import Dependant

D = Decimal


def test_funeral_subsidy_is_six_months_of_the_regional_average_wage():
    # 6 × 13,910.00
    assert r.funeral_subsidy(D("13910.00")) == D("83460.00")
    # 6 × 10,000.005 rounds half up to the fen: 60,000.03
    assert r.funeral_subsidy(D("10000.005")) == D("60000.03")


def test_one_time_subsidy_is_twenty_times_the_national_income():
    # 20 × 54,188
    assert r.one_time_subsidy(D("54188.00")) == D("1083760.00")


def test_a_spouse_alone_gets_forty_per_cent():
    pensions = r.dependants_pensions([Dependant(r.SPOUSE)], D("10000.00"))
    assert pensions.amounts == (D("4000.00"),)
    assert (pensions.total, pensions.capped) == (D("4000.00"), False)


def test_spouse_and_a_child_seventy_per_cent_below_the_cap():
    pensions = r.dependants_pensions([Dependant(r.SPOUSE), Dependant(r.CHILD)], D("8765.43"))
    # 40 % = 3,506.172 → 3,506.17; 30 % = 2,629.629 → 2,629.63
    assert pensions.amounts == (D("3506.17"), D("2629.63"))
    assert pensions.total == D("6135.80") and not pensions.capped


def test_a_lone_elder_and_an_orphan_get_ten_per_cent_more():
    pensions = r.dependants_pensions(
        [Dependant(r.PARENT, lone=True), Dependant(r.CHILD, lone=True)], D("9000.00")
    )
    # 40 % each: 3,600 + 3,600 = 7,200, below 9,000
    assert pensions.shares == (D("0.40"), D("0.40"))
    assert pensions.amounts == (D("3600.00"), D("3600.00")) and not pensions.capped


def test_exactly_at_the_cap_is_not_cut():
    # spouse 40 % + two others 30 % = 100 %
    people = [Dependant(r.SPOUSE), Dependant(r.CHILD), Dependant(r.PARENT)]
    pensions = r.dependants_pensions(people, D("10000.00"))
    assert pensions.amounts == (D("4000.00"), D("3000.00"), D("3000.00"))
    assert pensions.total == D("10000.00") and not pensions.capped


def test_above_the_cap_each_is_cut_in_proportion_to_the_wage():
    # spouse 40 % + orphan 40 % + lone elder 40 % = 120 % of 10,000: 12,000 cut to
    # 10,000, each 4,000 × 10/12 = 3,333.333… → 3,333.33, one fen left for the spouse.
    people = [Dependant(r.SPOUSE), Dependant(r.CHILD, lone=True), Dependant(r.PARENT, lone=True)]
    pensions = r.dependants_pensions(people, D("10000.00"))
    assert pensions.uncapped == (D("4000.00"), D("4000.00"), D("4000.00"))
    assert pensions.amounts == (D("3333.34"), D("3333.33"), D("3333.33"))
    assert pensions.total == D("10000.00") and pensions.capped


def test_above_the_cap_unequal_shares_keep_their_proportion():
    # spouse 40 % + four children 30 % = 160 % of 7,800: 3,120 + 4 × 2,340 = 12,480.
    # Cut to 7,800: 3,120 × 7,800 / 12,480 = 1,950.00; 2,340 × 0.625 = 1,462.50.
    people = [Dependant(r.SPOUSE)] + [Dependant(r.CHILD)] * 4
    pensions = r.dependants_pensions(people, D("7800.00"))
    assert pensions.amounts == (D("1950.00"),) + (D("1462.50"),) * 4
    assert pensions.total == D("7800.00") and pensions.capped


def test_an_unknown_relation_is_refused():
    with pytest.raises(r.DeathRuleError) as err:
        r.dependants_pensions([Dependant("neighbour")], D("5000.00"))
    assert err.value.code == r.RELATION_UNKNOWN


@pytest.mark.parametrize(
    ("recognised", "died_on", "code"),
    [
        (False, date(2026, 11, 20), r.NOT_RECOGNISED),
        (True, date(2026, 10, 31), r.DEATH_BEFORE_ACCIDENT),
        (True, date(2026, 12, 3), r.DEATH_IN_FUTURE),
    ],
)
def test_a_death_is_recorded_only_after_a_recognised_injury(recognised, died_on, code):
    with pytest.raises(r.DeathRuleError) as err:
        r.check_record(
            recognised=recognised,
            accident_on=date(2026, 11, 1),
            died_on=died_on,
            today=date(2026, 12, 2),
        )
    assert err.value.code == code
    r.check_record(
        recognised=True,
        accident_on=date(2026, 11, 1),
        died_on=date(2026, 11, 1),
        today=date(2026, 12, 2),
    )
