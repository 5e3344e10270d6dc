"""The one-time work-injury payments in the shared bank batch (`casework.payout_files`).

    the conclusion (services):   work-injury fund −A · payouts payable +A  (once)
    the bank confirms the line:  payouts payable −A · paid out +A  (once)
    the bank reports a failure:  nothing moves; the amount stays payable and the line
                                 goes out again with the next batch

The conclusion's ledger key (`injury-subsidy:<appraisal>`) and the one
`InjurySubsidyPayment` row per conclusion pay each subsidy once; the confirmation's key
(`injury-subsidy-payout:<reference>`) and the row lock confirm it once. References
`WIS-<appraisal>` answer the bank's results file.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import ledger
from accounts.models import Account, LedgerTransaction
from benefits import notes as benefit_notes
from benefits.subsidy_payouts import CARD_BANK
from casework import notes, payout_files
from casework import services as casework
from casework.exceptions import AlreadyDecided, IllegalTransition
from core.errors import NotFound
from workinjury import notes as injury_notes
from workinjury.models import InjurySubsidyPayment

PREFIXES = ("WIS-",)
Status = InjurySubsidyPayment.Status


def subsidy_reference(appraisal_id):
    return f"WIS-{appraisal_id:06d}"


def subsidy_payment_new(appraisal, *, recognition, cardholder, amount):
    """The unsaved payment row for a conclusion's one-time disability subsidy, to the
    worker's social security card as the skill-upgrade subsidy is; `ledger.post` saves
    it with the posting (`record=`), so a posting seen before adds no row."""
    return InjurySubsidyPayment(
        kind=InjurySubsidyPayment.Kind.ONE_TIME_SUBSIDY,
        reference=subsidy_reference(appraisal.pk),
        appraisal=appraisal,
        recognition=recognition,
        cardholder=cardholder,
        region=cardholder.region,
        amount=amount,
        payee=cardholder.name,
        bank_name=CARD_BANK,
        account_number=cardholder.card_number,
    )


@transaction.atomic
def payouts_send(*, actor=None, references=None):
    """Mark every line waiting, and every line the bank could not pay, as sent and
    return them for the batch file (oldest first); `references` keeps to those lines.
    Compare-and-set under the exporting transaction: a concurrent export lists none of
    them twice."""
    now = timezone.now()
    lines = InjurySubsidyPayment.objects.filter(status__in=(Status.WAITING, Status.FAILED))
    if references is not None:
        lines = lines.filter(reference__in=list(references))
    pks = list(lines.select_for_update().values_list("pk", flat=True))
    InjurySubsidyPayment.objects.filter(
        pk__in=pks, status__in=(Status.WAITING, Status.FAILED)
    ).update(status=Status.SENT, sent_at=now, sendings=F("sendings") + 1)
    return list(
        InjurySubsidyPayment.objects.filter(pk__in=pks, status=Status.SENT, sent_at=now).order_by(
            "pk"
        )
    )


@transaction.atomic
def payout_record(reference, result, note, actor):
    """The bank's answer for one line: "paid" moves payouts payable → paid out, once;
    "failed" moves nothing, keeps the bank's reason and tells the worker's timeline
    that the line goes out again. A line already answered since it was last sent is
    AlreadyDecided, so a results file can be read again."""
    payment = InjurySubsidyPayment.objects.select_for_update().filter(reference=reference).first()
    if payment is None:
        raise NotFound(_("No such work-injury payment."), field="reference")
    if payment.status in (Status.PAID, Status.FAILED):
        raise AlreadyDecided()
    if payment.status != Status.SENT:
        raise IllegalTransition(_("This work-injury payment has not been sent to the bank yet."))
    note = (note or "")[:200]
    fields = {"result_at": timezone.now(), "result_note": note}
    if result == "paid":
        payable = ledger.system_account(Account.SystemCode.PAYOUTS_PAYABLE)
        paid_out = ledger.system_account(Account.SystemCode.PAID_OUT)
        txn, _created = ledger.post(
            kind=LedgerTransaction.Kind.PAYOUT_CONFIRMED,
            idempotency_key=f"injury-subsidy-payout:{payment.reference}",
            legs=[
                ledger.Leg(payable.pk, -payment.amount),
                ledger.Leg(paid_out.pk, payment.amount),
            ],
            reference=payment.reference,
            description=f"Work-injury subsidy paid by the bank: {payment.reference}",
            actor=actor,
        )
        InjurySubsidyPayment.objects.filter(pk=payment.pk, status=Status.SENT).update(
            status=Status.PAID, confirmation=txn, **fields
        )
        text = notes.note(
            benefit_notes.SUBSIDY_PAID, amount=f"{payment.amount:.2f}", reference=reference
        )
    else:
        InjurySubsidyPayment.objects.filter(pk=payment.pk, status=Status.SENT).update(
            status=Status.FAILED, **fields
        )
        text = notes.note(
            injury_notes.SUBSIDY_FAILED,
            amount=f"{payment.amount:.2f}",
            reference=reference,
            reason=note or "—",
        )
    casework.case_note(payment.appraisal, actor, text)
    payment.refresh_from_db()
    return payment


SOURCE = payout_files.Source(
    name="work-injury subsidies", prefixes=PREFIXES, send=payouts_send, record=payout_record
)
