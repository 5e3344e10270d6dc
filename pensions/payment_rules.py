"""The monthly amount of a pension in payment and where its parts come from (RULES §2).

Pure: figures in, figures out. The award fixed at approval is the basic part and the
personal-account part. Each yearly increase whose month is after the month the pension
started and not after the month paid raises the monthly pension by its percentage
(rounded half up to the fen) or by its fixed amount, in month order, each on the
pension as the previous ones left it; the increase is paid by the pension fund, so it
is added to the basic part. The personal part is drawn from the personal pension
account until it is empty, then from the fund.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Increase:
    from_month: date
    percent: Decimal | None = None
    amount: Decimal | None = None
    pk: int | None = None
    recorded_at: object = None  # a datetime: when the increase was entered


@dataclass(frozen=True)
class MonthAmounts:
    basic: Decimal
    personal: Decimal

    @property
    def total(self):
        return self.basic + self.personal


def applies(increase: Increase, starts_on: date, month: date) -> bool:
    """An increase counts for pensions that started before its month, from its month."""
    return starts_on < increase.from_month <= month


def month_amounts(basic, personal, starts_on, month, increases=()):
    """The basic and personal parts payable for `month` (its first day)."""
    for increase in sorted(increases, key=lambda row: row.from_month):
        if not applies(increase, starts_on, month):
            continue
        if increase.percent is not None:
            raised = ((basic + personal) * increase.percent / 100).quantize(CENT, ROUND_HALF_UP)
        else:
            raised = increase.amount
        basic += raised
    return MonthAmounts(basic, personal)


def rate_in_force(rates, month):
    """The row of `rates` (each with `from_month`, oldest first) in force in `month`,
    or None."""
    found = None
    for row in rates:
        if row.from_month > month:
            break
        found = row
    return found


def medical_credit(rate, pension_total):
    """The month's credit to a retiree's personal medical account: the rate's fixed
    amount, or its percentage of the month's pension rounded half up to the fen."""
    if rate.amount is not None:
        return rate.amount
    return (pension_total * rate.percent / 100).quantize(CENT, ROUND_HALF_UP)


def split_personal(personal, balance):
    """(from the personal account, from the fund) for a personal part of `personal`
    with `balance` left on the personal pension account."""
    from_account = min(personal, max(balance, ZERO))
    return from_account, personal - from_account


def increase_years_needed(starts_on: date, month: date):
    """The years whose increase must be known to pay `month`: every year after the one
    the pension started in, before the year paid (a year's increase is published during
    that year; until then its months are paid at the amount before it)."""
    return range(starts_on.year + 1, month.year)


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_of(index: int) -> date:
    year, month = divmod(index, 12)
    return date(year, month + 1, 1)


def months_between(first: date, last: date):
    """The first days of the months from `first` through `last`, oldest first."""
    return [month_of(i) for i in range(month_index(first), month_index(last) + 1)]


@dataclass(frozen=True)
class Arrears:
    increase: Increase
    months: tuple  # the first days of the months it covers, oldest first
    amount: Decimal


def increase_arrears(basic, personal, starts_on, paid, increases, settled=frozenset()):
    """The arrears each increase owes on months paid before it was entered.

    `paid` is [(month, paid at)] of the months already paid; `increases` every increase
    in force (each with `pk` and `recorded_at`); `settled` the increase ids whose
    arrears were paid already. A month paid at `t` was paid with the increases entered
    by then. For the others, taken in month order, each one's arrears on that month are
    the monthly pension with it less the monthly pension without it (both with the
    increases known at `t` and the later-entered ones before it), so that together they
    make up exactly what the month is short. Increases with nothing owed are left out.
    """
    ordered = sorted(increases, key=lambda row: (row.from_month, row.pk or 0))
    owed = {}
    for month, paid_at in paid:
        known = [row for row in ordered if row.recorded_at is None or row.recorded_at <= paid_at]
        before = list(known)
        for row in ordered:
            if row in known or not applies(row, starts_on, month):
                continue
            without = month_amounts(basic, personal, starts_on, month, before).total
            before.append(row)
            if row.pk in settled:
                continue
            difference = month_amounts(basic, personal, starts_on, month, before).total - without
            if difference > 0:
                months, amount = owed.get(row, ((), ZERO))
                owed[row] = ((*months, month), amount + difference)
    return [
        Arrears(row, tuple(sorted(months)), amount)
        for row, (months, amount) in sorted(owed.items(), key=lambda item: item[0].from_month)
    ]


@dataclass(frozen=True)
class EstateMonth:
    """A month owed to a deceased pensioner and not paid: its parts as the run would
    have paid them."""

    month: date
    basic: Decimal
    personal_from_account: Decimal
    personal_from_fund: Decimal

    @property
    def personal(self):
        return self.personal_from_account + self.personal_from_fund

    @property
    def total(self):
        return self.basic + self.personal


@dataclass(frozen=True)
class EstateArrears:
    months: tuple  # EstateMonth, oldest first

    @property
    def total(self):
        return sum((row.total for row in self.months), ZERO)

    @property
    def basic(self):
        return sum((row.basic for row in self.months), ZERO)

    @property
    def personal_from_account(self):
        return sum((row.personal_from_account for row in self.months), ZERO)

    @property
    def personal_from_fund(self):
        return sum((row.personal_from_fund for row in self.months), ZERO)


def estate_arrears(basic, personal, starts_on, died_on, paid, increases=(), balance=ZERO):
    """The pension months owed to a pensioner who died on `died_on` and never paid
    (RULES §2, §4): every month from the month the pension started through the month
    of death (paid in full: payment stops only from the month after) that is not in
    `paid`, whatever held it back (a lapsed living check, a run not yet reached).
    Each month is worked out as the run works it out (`month_amounts`, with the
    increases in force); the personal parts are drawn from the `balance` left on the
    personal pension account in month order, the rest from the fund. They belong to
    the estate (SIL Art. 14)."""
    paid = {day.replace(day=1) for day in paid}
    rows = []
    for day in months_between(starts_on.replace(day=1), died_on.replace(day=1)):
        if day in paid:
            continue
        amounts = month_amounts(basic, personal, starts_on, day, increases)
        from_account, from_fund = split_personal(amounts.personal, balance)
        balance -= from_account
        rows.append(EstateMonth(day, amounts.basic, from_account, from_fund))
    return EstateArrears(tuple(rows))
