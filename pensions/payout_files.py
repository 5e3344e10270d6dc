"""The bank's batch file of a month's pension payments (the same file as a withdrawal
payout batch, `casework.payout_files`): one line per pensioner-month paid, to the
card's financial account or to the bank account on the claim."""

from casework import payout_files
from pensions.models import PensionPayment


def month_payments(month):
    """Every payment for `month` (its first day), by claim."""
    return PensionPayment.objects.filter(month=month).order_by("claim_id")


def write_month(fh, month):
    """Write the month's payments as the batch CSV; returns them."""
    return payout_files.write_lines(fh, month_payments(month))
