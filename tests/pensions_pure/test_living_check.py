"""The living check: due, reminder, lapse, and the months a late confirmation releases."""

from datetime import date

import pytest

from pensions import living_check as lc


def test_a_confirmation_holds_twelve_months_with_a_reminder_one_month_before():
    due = lc.next_due(date(2026, 3, 15))
    assert due == date(2027, 3, 15)
    assert lc.reminder_on(due) == date(2027, 2, 15)


def test_month_ends_clamp():
    assert lc.next_due(date(2024, 2, 29)) == date(2025, 2, 28)
    assert lc.reminder_on(date(2027, 3, 31)) == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2027, 2, 14), lc.CURRENT),
        (date(2027, 2, 15), lc.REMINDER_DUE),
        (date(2027, 3, 15), lc.REMINDER_DUE),
        (date(2027, 3, 16), lc.LAPSED),
    ],
)
def test_state_by_day(today, expected):
    assert lc.state(date(2027, 3, 15), today) == expected


def test_a_month_is_paid_when_the_check_holds_on_its_first_day():
    due = date(2027, 3, 15)
    assert lc.month_payable(due, 2027, 3)
    assert not lc.month_payable(due, 2027, 4)
    assert lc.month_payable(date(2027, 4, 1), 2027, 4)


def test_a_late_confirmation_releases_every_suspended_month():
    assert lc.released_months(date(2027, 3, 15), date(2027, 6, 20)) == [
        (2027, 4),
        (2027, 5),
        (2027, 6),
    ]
    assert lc.released_months(date(2027, 3, 15), date(2027, 3, 31)) == []
    # Due on the first: that month was still paid; the next ones were not.
    assert lc.released_months(date(2027, 4, 1), date(2027, 5, 1)) == [(2027, 5)]
    assert lc.released_months(date(2027, 12, 10), date(2028, 1, 2)) == [(2028, 1)]
