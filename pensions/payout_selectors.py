"""The pension lines of the bank's batches as the staff payout page lists them.

A batch is the lines marked sent together (`payout_services.payouts_send` stamps them
with one `sent_at`). A batch may hold a million lines, so every read here is bounded:
the batch and its neighbours are index look-ups on `sent_at`, its totals one grouped
aggregate in the database, and a page of lines a keyset slice on (sent_at, id), never
a full load or an OFFSET.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from accounts.validators import mask_national_id
from pensions.models import PensionPayout
from pensions.payout_services import mask_account

PAGE_SIZE = 50
ZERO = Decimal("0.00")


@dataclass
class BatchPage:
    batch: object = None  # the batch's sent_at, None when no pension line was ever sent
    previous_batch: object = None  # the batch sent before it
    next_batch: object = None  # the batch sent after it
    status: str = ""  # the status filter, "" for every line
    totals: list = field(default_factory=list)  # [{status, label, lines, amount}]
    lines_total: int = 0
    amount_total: object = ZERO
    lines: list = field(default_factory=list)  # [dict], one a line, in id order
    first_id: int | None = None  # for "newer lines": the page before ends before it
    after: int | None = None  # for "more lines": the next page starts after it
    has_previous: bool = False


def _batch_at(batch):
    sent = PensionPayout.objects.filter(sent_at__isnull=False)
    if batch is not None:
        found = sent.filter(sent_at=batch).values_list("sent_at", flat=True).first()
        if found is not None:
            return found
    return sent.order_by("-sent_at").values_list("sent_at", flat=True).first()


def _line(payout):
    holder = payout.claim.cardholder
    if payout.payment_id:
        month = f"{payout.payment.month:%Y-%m}"
    else:
        month = f"{payout.arrears.first_month:%Y-%m} – {payout.arrears.last_month:%Y-%m}"
    return {
        "reference": payout.reference,
        "claim_id": payout.claim_id,
        "masked_national_id": mask_national_id(holder.national_id),
        "name": holder.name,
        "month": month,
        "amount": payout.amount,
        "account": mask_account(payout.account_number),
        "bank_name": payout.bank_name,
        "status": payout.status,
        "status_label": payout.get_status_display(),
        "note": payout.result_note,
    }


def batch_page(*, batch=None, status="", after=None, before=None, page_size=PAGE_SIZE):
    """A page of one batch's pension lines (the latest batch unless `batch` names the
    `sent_at` of another), of one status when `status` is given: the lines after id
    `after`, or those before id `before`, `page_size` at most, with the batch's totals
    by status and its neighbouring batches."""
    if status not in PensionPayout.Status.values:
        status = ""
    page = BatchPage(status=status)
    page.batch = _batch_at(batch)
    if page.batch is None:
        return page
    sent = PensionPayout.objects.filter(sent_at__isnull=False)
    page.previous_batch = (
        sent.filter(sent_at__lt=page.batch)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    page.next_batch = (
        sent.filter(sent_at__gt=page.batch).order_by("sent_at").values_list("sent_at", flat=True)
    ).first()
    in_batch = PensionPayout.objects.filter(sent_at=page.batch)
    labels = dict(PensionPayout.Status.choices)
    for row in (
        in_batch.order_by("status")
        .values("status")
        .annotate(lines=Count("id"), amount=Sum("amount"))
    ):
        page.totals.append({**row, "label": labels.get(row["status"], row["status"])})
    shown = [row for row in page.totals if not status or row["status"] == status]
    page.lines_total = sum(row["lines"] for row in shown)
    page.amount_total = sum((row["amount"] for row in shown), ZERO)
    lines = in_batch.filter(status=status) if status else in_batch
    lines = lines.select_related("claim__cardholder", "payment", "arrears")
    if before is not None:
        rows = list(lines.filter(pk__lt=before).order_by("-pk")[: page_size + 1])
        more_before = len(rows) > page_size
        rows = rows[:page_size][::-1]
    else:
        if after is not None:
            lines = lines.filter(pk__gt=after)
        rows = list(lines.order_by("pk")[: page_size + 1])
        more_before = after is not None
    if before is None and len(rows) > page_size:
        rows = rows[:page_size]
        page.after = rows[-1].pk
    elif before is not None:
        page.after = rows[-1].pk if rows else None
    page.lines = [_line(row) for row in rows]
    if rows:
        page.first_id = rows[0].pk
    page.has_previous = bool(rows) and more_before
    return page
