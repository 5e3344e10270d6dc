"""The pensioner's yearly living check (待遇资格认证), as dates and months.

A confirmation holds for twelve months. A reminder goes out one month before it runs
out. A month's pension is paid only if the check holds on the first day of that month;
otherwise that month is suspended, and a later confirmation releases every suspended
month as back pay in the next run. Pure: dates in, dates out.
"""

from __future__ import annotations

import calendar
from datetime import date

VALID_MONTHS = 12
REMINDER_MONTHS = 1

CURRENT = "current"
REMINDER_DUE = "reminder_due"
LAPSED = "lapsed"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def next_due(confirmed_on: date) -> date:
    return add_months(confirmed_on, VALID_MONTHS)


def reminder_on(due: date) -> date:
    return add_months(due, -REMINDER_MONTHS)


def state(due: date, today: date) -> str:
    if today > due:
        return LAPSED
    if today >= reminder_on(due):
        return REMINDER_DUE
    return CURRENT


def month_payable(due: date, year: int, month: int) -> bool:
    """Whether the check holds on the first day of the month paid."""
    return date(year, month, 1) <= due


def released_months(due: date, confirmed_on: date) -> list[tuple[int, int]]:
    """The months suspended between the lapse and a confirmation, oldest first.

    They are the months whose first day fell after ``due`` and on or before
    ``confirmed_on``; the next run pays them.
    """
    months = []
    first = date(due.year, due.month, 1)
    if first <= due:
        first = add_months(first, 1)
    while first <= confirmed_on:
        months.append((first.year, first.month))
        first = add_months(first, 1)
    return months
