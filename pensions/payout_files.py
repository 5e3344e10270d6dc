"""Pensions paid to a bank account in the shared bank files (`casework.payout_files`):
the batch lists each month and each arrears paid to a bank account once, and each
re-sending after a failure; the bank's results file answers them by reference
(`PP-<claim>-<YYYYMM>`, `PA-<claim>-<increase>`, a re-sending with `-2`, `-3` …)."""

from casework import payout_files
from pensions import payout_services

PREFIXES = ("PP-", "PA-")


def export_batch(fh, *, actor=None):
    """Write every pension bank line not yet sent as the batch CSV and mark them sent
    (one transaction); returns them."""
    return payout_files.write_lines(fh, payout_services.payouts_send(actor=actor))


SOURCE = payout_files.Source(
    name="pensions",
    prefixes=PREFIXES,
    send=payout_services.payouts_send,
    record=payout_services.payout_record,
)
