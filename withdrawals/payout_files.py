"""The bank's batch file and results file, shared by the commands and the admin."""

from django.db import transaction
from django.utils.translation import gettext as _

from casework import payout_files as payout_lines
from core import csv
from core.errors import DomainError
from withdrawals import heir_services, selectors, services

HEADER = payout_lines.HEADER
RESULTS = ("paid", "failed")


payouts_waiting = selectors.payouts_waiting


def export_batch(fh, *, actor=None, ip_address=None):
    """Write every approved payout not yet sent to `fh` as CSV and mark them sent,
    in one transaction: a concurrent export lists none of them twice. Payee and bank
    are typed by applicants, so the file is written through `core.csv`."""
    with transaction.atomic():
        candidates = list(payouts_waiting().values_list("pk", flat=True))
        batch = services.payout_mark_sent(candidates, actor=actor, ip_address=ip_address)
        # A claim split between heirs: one line per heir's share, each with its status.
        shares = list(heir_services.payouts_waiting().values_list("pk", flat=True))
        sent_shares = heir_services.payouts_mark_sent(shares, actor=actor)
        # The other kinds' lines in the same batch (a pension paid to a bank account).
        others = [line for source in payout_lines.sources() for line in source.send(actor=actor)]
        write_batch(fh, batch, sent_shares, others)
    return [*batch, *sent_shares, *others]


def write_batch(fh, applications, heir_payouts=(), others=()):
    """Write `applications` (and heirs' shares, and other kinds' lines) as the bank's
    batch CSV (nothing is marked), through `core.csv`: a BOM, and the text the
    applicant typed neutralised where a spreadsheet would read it as a formula. An
    heir's share is a line of its own, referenced `<claim reference>/<payout id>`."""
    applications = list(applications)
    payout_lines.write_lines(fh, [*applications, *map(_heir_line, heir_payouts), *others])
    return applications


def _heir_line(payout):
    # The bank details as sent with the share, else the heir's own.
    heir = payout.heir
    return payout_lines.Line(
        reference=payout.reference,
        bank_account_holder=payout.bank_account_holder or heir.bank_account_holder,
        bank_name=payout.bank_name or heir.bank_name,
        bank_account_number=payout.bank_account_number or heir.bank_account_number,
        amount=payout.amount,
    )


def import_results(lines, *, actor=None, ip_address=None):
    """Record the bank's results (reference, paid|failed, note), line by line.

    Returns (counts, problems); a line that fails changes nothing and is reported
    with its number. A payout already confirmed is skipped, so a file can be re-read.
    """
    counts = {"paid": 0, "failed": 0, "skipped": 0, "errors": 0}
    problems = []
    for line, row in enumerate(csv.reader(lines), start=1):
        if not row or not "".join(row).strip():
            continue
        reference = row[0].strip()
        result = row[1].strip().lower() if len(row) > 1 else ""
        note = row[2].strip() if len(row) > 2 else ""
        if line == 1 and reference.lower() == "reference":
            continue
        outcome, problem = _record(reference, result, note, actor, ip_address)
        counts[outcome] += 1
        if problem:
            problems.append(
                _("line %(line)d: %(reference)s: %(problem)s")
                % {"line": line, "reference": reference, "problem": problem}
            )
    return counts, problems


def _record(reference, result, note, actor, ip_address):
    if result not in RESULTS:
        return "errors", _("the result must be paid or failed")
    source = payout_lines.source_for(reference)
    if source is not None:
        return _record_other(source, reference, result, note, actor)
    if "/" in reference:
        return _record_share(reference, result, note, actor)
    application = selectors.application_by_reference(reference)
    if application is None:
        return "errors", _("no such application")
    try:
        if result == "paid":
            services.payout_mark_paid(application, actor=actor, note=note)
        else:
            services.payout_mark_failed(application, actor=actor, note=note, ip_address=ip_address)
    except DomainError as exc:
        if exc.code == "already_decided":
            return "skipped", _("already paid; skipped")
        return "errors", f"{exc.code}: {exc.message}"
    return result, None


def _record_share(reference, result, note, actor):
    payout = heir_services.payout_by_reference(reference)
    if payout is None:
        return "errors", _("no such application")
    try:
        if result == "paid":
            heir_services.heir_payout_mark_paid(payout, actor=actor, note=note)
        else:
            heir_services.heir_payout_mark_failed(payout, actor=actor, note=note)
    except DomainError as exc:
        if exc.code == "already_decided":
            return "skipped", _("already paid; skipped")
        return "errors", f"{exc.code}: {exc.message}"
    return result, None


def _record_other(source, reference, result, note, actor):
    try:
        source.record(reference, result, note, actor)
    except DomainError as exc:
        if exc.code == "already_decided":
            return "skipped", _("already answered; skipped")
        return "errors", f"{exc.code}: {exc.message}"
    return result, None
