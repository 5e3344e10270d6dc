"""The bank's side of pensions paid to a bank account: the batch lines sent, the bank's
answer for each, the pensioner's corrected bank account and the one re-sending of a
failed line. Each use case one transaction.

    the bank confirms a line of A:  benefits-payable −A · paid out +A
    the bank reports it failed:     nothing moves; A stays payable until re-sent
"""

import re

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import ledger
from accounts.models import Account, LedgerTransaction
from casework import notes
from casework import services as casework
from casework.exceptions import AlreadyDecided, IllegalTransition
from core.errors import Forbidden, InvalidInput, NotFound
from pensions import notes as pension_notes
from pensions.models import (
    WORKFLOW,
    Destination,
    PensionArrears,
    PensionPayment,
    PensionPayout,
    RetirementClaim,
)
from sscard.celery import enqueue_on_commit

Status = PensionPayout.Status
BATCH = 2_000
ACCOUNT_NUMBER = re.compile(r"^[0-9][0-9 ]{6,38}[0-9]$")


def payout_key(reference):
    return f"pension-payout:{reference}"


def resend_reference(failed):
    """PP-…-YYYYMM, then PP-…-YYYYMM-2, -3 … for each re-sending."""
    base = failed.reference if failed.attempt == 1 else failed.reference.rsplit("-", 1)[0]
    return f"{base}-{failed.attempt + 1}"


def _payee(row):
    """The bank details a first line goes to: the claim's now, else the snapshot."""
    if row.now_number:
        return {
            "payee": row.now_payee or row.payee,
            "bank_name": row.now_bank,
            "account_number": row.now_number,
        }
    return {"payee": row.payee, "bank_name": row.bank_name, "account_number": row.account_number}


def _first_lines(now):
    """Payout rows, marked sent at `now`, for every bank payment and bank arrears not
    sent before (their own reference)."""
    first = PensionPayout.objects.filter(replaces__isnull=True)
    # A line goes to the account on the claim now: staff or the pensioner may have
    # corrected it since the month was paid.
    now_on_claim = {
        "now_payee": F("claim__bank_account_holder"),
        "now_bank": F("claim__bank_name"),
        "now_number": F("claim__bank_account_number"),
    }
    payments = (
        PensionPayment.objects.filter(destination=Destination.BANK)
        .exclude(Exists(first.filter(payment_id=OuterRef("pk"))))
        .annotate(**now_on_claim)
        .order_by("pk")
    )
    arrears = (
        PensionArrears.objects.filter(destination=Destination.BANK)
        .exclude(Exists(first.filter(arrears_id=OuterRef("pk"))))
        .annotate(**now_on_claim)
        .order_by("pk")
    )
    rows = []
    for payment in payments.iterator(chunk_size=BATCH):
        rows.append(
            PensionPayout(
                reference=payment.reference,
                claim_id=payment.claim_id,
                payment=payment,
                amount=payment.total,
                **_payee(payment),
                status=Status.SENT,
                sent_at=now,
            )
        )
    for row in arrears.iterator(chunk_size=BATCH):
        rows.append(
            PensionPayout(
                reference=row.reference,
                claim_id=row.claim_id,
                arrears=row,
                amount=row.amount,
                **_payee(row),
                status=Status.SENT,
                sent_at=now,
            )
        )
    PensionPayout.objects.bulk_create(rows, batch_size=BATCH)


@transaction.atomic
def payouts_send(*, actor=None):
    """Mark every pension bank line not yet sent as sent, and return them (oldest
    first) for the batch file: the months and arrears paid to a bank account, and the
    re-sendings the runs queued. A concurrent export lists none of them twice (the
    first lines are unique per payment; the re-sendings are compared-and-set)."""
    now = timezone.now()
    _first_lines(now)
    PensionPayout.objects.filter(status=Status.WAITING).update(status=Status.SENT, sent_at=now)
    return list(PensionPayout.objects.filter(status=Status.SENT, sent_at=now).order_by("pk"))


def payout_by_reference(reference):
    return PensionPayout.objects.filter(reference=reference).first()


def _lock(payout):
    return PensionPayout.objects.select_for_update().get(pk=payout.pk)


def _require_sent(locked):
    if locked.status in (Status.PAID, Status.FAILED):
        raise AlreadyDecided()
    if locked.status != Status.SENT:
        raise IllegalTransition(_("This pension payment has not been sent to the bank yet."))


@transaction.atomic
def pension_payout_mark_paid(payout, *, actor=None, note=""):
    """The bank paid the line: benefits-payable −A · paid out +A, once."""
    locked = _lock(payout)
    _require_sent(locked)
    payable = ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE)
    paid_out = ledger.system_account(Account.SystemCode.PAID_OUT)
    txn, _created = ledger.post(
        kind=LedgerTransaction.Kind.PAYOUT_CONFIRMED,
        idempotency_key=payout_key(locked.reference),
        legs=[ledger.Leg(payable.pk, -locked.amount), ledger.Leg(paid_out.pk, locked.amount)],
        reference=locked.reference,
        description=f"Pension paid by the bank: {locked.reference}",
        actor=actor,
    )
    PensionPayout.objects.filter(pk=locked.pk, status=Status.SENT).update(
        status=Status.PAID, result_at=timezone.now(), result_note=note[:200], transaction=txn
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def pension_payout_mark_failed(payout, *, actor=None, note=""):
    """The bank could not pay the line: nothing moves (the money stays payable); the
    pensioner sees it with the bank's note on the pension page and timeline, and the
    first run after they correct the bank account sends it again, once."""
    locked = _lock(payout)
    _require_sent(locked)
    PensionPayout.objects.filter(pk=locked.pk, status=Status.SENT).update(
        status=Status.FAILED, result_at=timezone.now(), result_note=note[:200]
    )
    claim = RetirementClaim.objects.get(pk=locked.claim_id)
    casework.case_note(
        claim,
        actor,
        notes.note(
            pension_notes.PAYOUT_FAILED,
            amount=f"{locked.amount:.2f}",
            reference=locked.reference,
            account=locked.account_number,
            note=note[:200] or "-",
        ),
    )
    locked.refresh_from_db()
    return locked


def _clean(value, name, limit):
    value = " ".join(str(value or "").split())
    if not value:
        raise InvalidInput(_("This field is required."), code="required", field=name)
    if len(value) > limit:
        raise InvalidInput(
            _("At most %(limit)d characters.") % {"limit": limit}, code="too_long", field=name
        )
    return value


@transaction.atomic
def pension_bank_account_change(claim, *, actor, bank_name, account_holder, account_number):
    """The pensioner gives the bank account their pension is paid to from now on
    (when the card's financial function is not activated). A line the bank could not
    pay is sent again to it by the next monthly run, once."""
    casework.require_applicant(claim, actor)
    locked = RetirementClaim.objects.select_for_update().get(pk=claim.pk)
    if locked.status != WORKFLOW.states.APPROVED:
        raise IllegalTransition(_("The pension is not in payment."))
    bank_name, account_holder, number = _valid_account(bank_name, account_holder, account_number)
    RetirementClaim.objects.filter(pk=locked.pk).update(
        bank_name=bank_name, bank_account_holder=account_holder, bank_account_number=number
    )
    casework.case_note(
        locked,
        actor,
        notes.note(pension_notes.BANK_ACCOUNT_CHANGED, bank=bank_name, account=number),
    )
    claim.bank_name, claim.bank_account_holder = bank_name, account_holder
    claim.bank_account_number = number
    return claim


def mask_account(number):
    """A bank account number as staff pages and notices show it: its last four digits."""
    digits = "".join(ch for ch in str(number or "") if ch.isdigit())
    return f"****{digits[-4:]}" if len(digits) > 4 else "****"


def _valid_account(bank_name, account_holder, account_number):
    bank_name = _clean(bank_name, "bank_name", 100)
    account_holder = _clean(account_holder, "bank_account_holder", 100)
    number = _clean(account_number, "bank_account_number", 40)
    if not ACCOUNT_NUMBER.match(number):
        raise InvalidInput(
            _("Give the account number as 8 to 40 digits (spaces allowed)."),
            code="invalid_bank_account",
            field="bank_account_number",
        )
    return bank_name, account_holder, number


@transaction.atomic
def pension_bank_account_correct(
    claim, *, actor, bank_name, account_holder, account_number, reason, ip_address=None
):
    """Staff correct the bank account a pension in payment is paid to (when the card's
    financial function is not activated), with the reason. Needs the change
    permission on retirement claims. The account is checked as the pensioner's own
    change checks it; the timeline records the old and the new account, masked, and
    the reason; the pensioner is told (with the reason and how to contest). The next
    monthly run pays to it, the next batch sends the lines not yet sent to it, and a
    line the bank could not pay is re-sent to it once; a batch already sent keeps its
    file."""
    if (
        actor is None
        or not actor.is_active
        or not actor.has_perm("pensions.change_retirementclaim")
    ):
        raise Forbidden()
    locked = RetirementClaim.objects.select_for_update().get(pk=claim.pk)
    if locked.status != WORKFLOW.states.APPROVED:
        raise IllegalTransition(_("The pension is not in payment."))
    bank_name, account_holder, number = _valid_account(bank_name, account_holder, account_number)
    reason = _clean(reason, "reason", 500)
    old = (locked.bank_name, locked.bank_account_holder, locked.bank_account_number)
    if old == (bank_name, account_holder, number):
        raise InvalidInput(
            _("This is the bank account the pension is already paid to."),
            code="bank_account_unchanged",
            field="bank_account_number",
        )
    RetirementClaim.objects.filter(pk=locked.pk).update(
        bank_name=bank_name, bank_account_holder=account_holder, bank_account_number=number
    )
    event = casework.case_note(
        locked,
        actor,
        notes.note(
            pension_notes.BANK_ACCOUNT_CORRECTED,
            old=f"{old[0] or '-'} {mask_account(old[2])}",
            new=f"{bank_name} {mask_account(number)}",
            reason=reason,
        ),
        ip_address=ip_address,
    )
    from pensions.tasks import bank_account_corrected_notice

    enqueue_on_commit(bank_account_corrected_notice, event.pk)
    claim.bank_name, claim.bank_account_holder = bank_name, account_holder
    claim.bank_account_number = number
    return claim


def failed_to_resend(first, stop):
    """The failed lines of the claims with ids in [first, stop) not re-sent yet whose
    claim now has another bank account."""
    return (
        PensionPayout.objects.filter(
            status=Status.FAILED, claim_id__gte=first, claim_id__lt=stop, resent_as__isnull=True
        )
        .exclude(claim__bank_account_number="")
        .exclude(
            Q(account_number=F("claim__bank_account_number"))
            & Q(bank_name=F("claim__bank_name"))
            & Q(payee=F("claim__bank_account_holder"))
        )
        .select_related("claim")
    )


def payouts_resend_range(first, stop):
    """Queue the one re-sending of every failed line in the range whose bank account
    was corrected since, to the account now on the claim; the next batch sends it.
    Safe to run twice: a line is re-sent once (`replaces` is unique). Returns how
    many were queued."""
    rows = [
        PensionPayout(
            reference=resend_reference(failed),
            claim_id=failed.claim_id,
            payment_id=failed.payment_id,
            arrears_id=failed.arrears_id,
            replaces=failed,
            attempt=failed.attempt + 1,
            amount=failed.amount,
            payee=failed.claim.bank_account_holder or failed.payee,
            bank_name=failed.claim.bank_name,
            account_number=failed.claim.bank_account_number,
            status=Status.WAITING,
        )
        for failed in failed_to_resend(first, stop)
    ]
    if not rows:
        return 0
    with transaction.atomic():
        created = PensionPayout.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def payout_record(reference, result, note, actor):
    """The batch file's answer for a pension line (see `casework.payout_files`)."""
    payout = payout_by_reference(reference)
    if payout is None:
        raise NotFound(_("No such pension payment."), field="reference")
    if result == "paid":
        pension_payout_mark_paid(payout, actor=actor, note=note)
    else:
        pension_payout_mark_failed(payout, actor=actor, note=note)
