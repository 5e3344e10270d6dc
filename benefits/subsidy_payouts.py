"""One-off subsidies paid from a region's unemployment fund, and their bank lines in the
shared batch (`casework.payout_files`).

    approval / completion:       unemployment fund −A · benefits payable +A  (once)
    the bank confirms the line:  benefits payable −A · paid out +A
    the bank reports a failure:  nothing moves; the amount stays payable

The ledger key (`skill-subsidy:<claim>`, `training-subsidy:<application>`), the one
`SubsidyPayment` row per claim or training place, and the row's unique person-level and
certificate number pay each subsidy once, whatever runs at the same time. References
`SSP-<claim>` and `VTP-<application>` answer the bank's results file.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import ledger
from accounts.models import Account, LedgerTransaction, Scheme
from casework import notes, payout_files
from casework import services as casework
from casework.exceptions import AlreadyDecided, IllegalTransition
from core.errors import NotFound

PREFIXES = ("SSP-", "VTP-")
CARD_BANK = "social security card"


def skill_subsidy_key(claim_id):
    return f"skill-subsidy:{claim_id}"


def training_subsidy_key(application_id):
    return f"training-subsidy:{application_id}"


def _post(record, *, key, description, actor):
    """Post fund −A · payable +A with `record` (an unsaved SubsidyPayment) saved naming
    the transaction. Raises AlreadyDecided when the key was posted before."""
    fund = ledger.fund_account_open(Scheme.UNEMPLOYMENT, record.region)
    payable = ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE)
    _txn, created = ledger.post(
        kind=LedgerTransaction.Kind.BENEFIT,
        idempotency_key=key,
        legs=[ledger.Leg(fund.pk, -record.amount), ledger.Leg(payable.pk, record.amount)],
        reference=record.reference,
        description=description,
        actor=actor,
        record=record,
    )
    if not created:
        raise AlreadyDecided()
    return record


def pay_skill_subsidy(claim, *, amount, region, actor):
    """The approved skill-upgrade subsidy, to the person's social security card."""
    from benefits.models import SubsidyPayment

    holder = claim.cardholder
    record = SubsidyPayment(
        kind=SubsidyPayment.Kind.SKILL_SUBSIDY,
        reference=f"SSP-{claim.pk:06d}",
        skill_claim=claim,
        cardholder=holder,
        level=claim.level,
        certificate_number=claim.certificate_number,
        region=region,
        amount=amount,
        payee=holder.name,
        bank_name=CARD_BANK,
        account_number=holder.card_number,
    )
    return _post(
        record,
        key=skill_subsidy_key(claim.pk),
        description=f"Skill-upgrade subsidy {claim.reference}",
        actor=actor,
    )


def pay_training_subsidy(application, *, actor):
    """The course subsidy for one person's completed training, to the provider."""
    from benefits.models import SubsidyPayment

    course = application.course
    record = SubsidyPayment(
        kind=SubsidyPayment.Kind.TRAINING_SUBSIDY,
        reference=f"VTP-{application.pk:06d}",
        training_application=application,
        region=course.region,
        amount=course.subsidy_amount,
        payee=course.provider_name,
        bank_name=course.provider_bank_name,
        account_number=course.provider_account_number,
    )
    return _post(
        record,
        key=training_subsidy_key(application.pk),
        description=f"Training subsidy {application.reference}",
        actor=actor,
    )


# --- the bank's side -------------------------------------------------------------------


@transaction.atomic
def payouts_send(*, actor=None):
    """Mark every subsidy line waiting as sent and return them for the batch file
    (oldest first). Compare-and-set: a concurrent export lists none of them twice."""
    from benefits.models import SubsidyPayment

    Status = SubsidyPayment.Status
    now = timezone.now()
    SubsidyPayment.objects.filter(status=Status.WAITING).update(status=Status.SENT, sent_at=now)
    return list(SubsidyPayment.objects.filter(status=Status.SENT, sent_at=now).order_by("pk"))


@transaction.atomic
def payout_record(reference, result, note, actor):
    """The bank's answer for one subsidy line: "paid" moves payable → paid out, once;
    "failed" moves nothing and tells the case's timeline."""
    from benefits import notes as benefit_notes
    from benefits.models import SubsidyPayment

    Status = SubsidyPayment.Status
    payment = SubsidyPayment.objects.select_for_update().filter(reference=reference).first()
    if payment is None:
        raise NotFound(_("No such subsidy payment."), field="reference")
    if payment.status in (Status.PAID, Status.FAILED):
        raise AlreadyDecided()
    if payment.status != Status.SENT:
        raise IllegalTransition(_("This subsidy payment has not been sent to the bank yet."))
    note = (note or "")[:200]
    fields = {"result_at": timezone.now(), "result_note": note}
    if result == "paid":
        payable = ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE)
        paid_out = ledger.system_account(Account.SystemCode.PAID_OUT)
        txn, _created = ledger.post(
            kind=LedgerTransaction.Kind.PAYOUT_CONFIRMED,
            idempotency_key=f"subsidy-payout:{payment.reference}",
            legs=[
                ledger.Leg(payable.pk, -payment.amount),
                ledger.Leg(paid_out.pk, payment.amount),
            ],
            reference=payment.reference,
            description=f"Subsidy paid by the bank: {payment.reference}",
            actor=actor,
        )
        SubsidyPayment.objects.filter(pk=payment.pk, status=Status.SENT).update(
            status=Status.PAID, confirmation=txn, **fields
        )
        code = benefit_notes.SUBSIDY_PAID
    else:
        SubsidyPayment.objects.filter(pk=payment.pk, status=Status.SENT).update(
            status=Status.FAILED, **fields
        )
        code = benefit_notes.SUBSIDY_FAILED
    casework.case_note(
        payment.case,
        actor,
        notes.note(code, amount=f"{payment.amount:.2f}", reference=payment.reference),
    )
    payment.refresh_from_db()
    return payment


SOURCE = payout_files.Source(
    name="subsidies", prefixes=PREFIXES, send=payouts_send, record=payout_record
)
