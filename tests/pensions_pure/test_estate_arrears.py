"""The pension months owed at death (RULES §2, §4), by hand: which months, their parts,
the increases as the run applies them, the personal parts drawn from what is left."""

from datetime import date
from decimal import Decimal as D

from pensions.payment_rules import EstateMonth, Increase, estate_arrears


def test_a_suspended_stretch_then_death_owes_each_month_through_the_month_of_death():
    # Paid January to March 2026; April and May held by a lapsed living check; died
    # 15 June before the June run: April, May and June (in full) are owed.
    owed = estate_arrears(
        D("1500.00"),
        D("1000.00"),
        date(2026, 1, 1),
        date(2026, 6, 15),
        paid=[date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)],
        balance=D("1500.00"),
    )
    assert owed.months == (
        EstateMonth(date(2026, 4, 1), D("1500.00"), D("1000.00"), D("0.00")),
        EstateMonth(date(2026, 5, 1), D("1500.00"), D("500.00"), D("500.00")),
        EstateMonth(date(2026, 6, 1), D("1500.00"), D("0.00"), D("1000.00")),
    )
    assert (owed.total, owed.basic) == (D("7500.00"), D("4500.00"))
    assert (owed.personal_from_account, owed.personal_from_fund) == (D("1500.00"), D("1500.00"))


def test_the_month_of_death_unpaid_is_owed_with_the_increase_in_force():
    # Started July 2026; 2 % from January 2027 ((1500 + 1000) x 2 % = 50.00 on the
    # basic part); died 10 February 2027 with January paid: February alone is owed.
    increases = [Increase(date(2027, 1, 1), percent=D("2"))]
    paid = [date(2026, m, 1) for m in range(7, 13)] + [date(2027, 1, 1)]
    owed = estate_arrears(
        D("1500.00"),
        D("1000.00"),
        date(2026, 7, 1),
        date(2027, 2, 10),
        paid,
        increases,
        balance=D("20000.00"),
    )
    assert owed.months == (EstateMonth(date(2027, 2, 1), D("1550.00"), D("1000.00"), D("0.00")),)
    assert owed.total == D("2550.00")


def test_nothing_is_owed_when_every_month_was_paid_and_none_after_the_death():
    paid = [date(2026, 1, 1), date(2026, 2, 1)]
    owed = estate_arrears(D("1000.00"), D("100.00"), date(2026, 1, 1), date(2026, 2, 28), paid)
    assert owed.months == ()
    assert owed.total == D("0.00")


def test_an_empty_personal_account_leaves_the_personal_part_to_the_fund():
    owed = estate_arrears(D("1000.00"), D("100.00"), date(2026, 3, 1), date(2026, 3, 31), [])
    assert owed.months == (EstateMonth(date(2026, 3, 1), D("1000.00"), D("0.00"), D("100.00")),)
