"""The bank's batch file of payments, for every kind that pays people (a withdrawal's
payout, a month of pension): one line per payment with its reference, payee, bank,
account number and amount, written through `core.csv` (payee and bank may be typed by
applicants)."""

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
