"""The bank's batch file of payments, for every kind that pays people (a withdrawal's
payout, a month of pension): one line per payment with its reference, payee, bank,
account number and amount, written through `core.csv` (payee and bank may be typed by
applicants)."""

from collections.abc import Callable
from typing import NamedTuple

from core import csv

HEADER = ["reference", "payee", "bank", "account_number", "amount"]


class Line(NamedTuple):
    """One payment as the batch file needs it, for payments kept in other shapes."""

    reference: str
    bank_account_holder: str
    bank_name: str
    bank_account_number: str
    amount: object


def write_lines(fh, payments):
    """Write `payments` (each with reference, bank_account_holder, bank_name,
    bank_account_number and amount) as the batch CSV; returns them as a list."""
    payments = list(payments)
    writer = csv.writer(fh)
    writer.writerow(HEADER)
    for payment in payments:
        writer.writerow(
            [
                payment.reference,
                payment.bank_account_holder,
                payment.bank_name,
                payment.bank_account_number,
                f"{payment.amount:.2f}",
            ]
        )
    return payments


class Source(NamedTuple):
    """A kind whose payments go out in the shared batch: `send(actor=…)` marks its
    lines not yet sent as sent, inside the exporting transaction, and returns them;
    `record(reference, result, note, actor)` records the bank's "paid" or "failed"
    for one of its references (those starting with one of `prefixes`), raising a
    `DomainError` (`already_decided` when already answered) when it cannot."""

    name: str
    prefixes: tuple
    send: Callable
    record: Callable


_sources = []


def provide_source(source):
    """Add a kind's lines to the shared batch and results files from now on."""
    if all(known.name != source.name for known in _sources):
        _sources.append(source)


def sources():
    return list(_sources)


def source_for(reference):
    """The source answering for `reference`, or None."""
    for source in _sources:
        if reference.startswith(source.prefixes):
            return source
    return None
