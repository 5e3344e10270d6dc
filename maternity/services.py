"""Every write of the maternity allowance claim: one function per use case, each one
transaction.

Status changes go through `casework.services.case_transition` (the table in
`maternity.models.TABLE`). Claims on one cardholder are serialised on the cardholder's
row, locked first, then the claim's. Money moves once, at approval, through
`accounts.ledger.post`: the region's medical fund −A · payouts payable +A (the
allowance on its way to the bank); the bank's confirmation moves it on to paid out.
"""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import ledger
from accounts.models import Account, Cardholder, LedgerTransaction
from benefits import maternity_rules
from casework import notes, workflow
from casework import services as casework
from casework.exceptions import AlreadyDecided, Forbidden, IllegalTransition, SamePerson
from core.errors import DomainError, InvalidInput
from maternity import eligibility, selectors
from maternity import notes as maternity_notes
from maternity.exceptions import ClaimRefused, MissingAverageWage
from maternity.models import (
    BENEFIT_KIND,
    MEDICAL_FUND_CODE,
    PAYOUT_CONFIRMED,
    WORKFLOW,
    Event,
    MaternityClaim,
)

MAX_BABIES = 10
MAX_MONTHS = 10
_BANK_NUMBER = re.compile(r"^\d{12,30}$")


class NotVerified(DomainError):
    code = eligibility.NOT_VERIFIED
    status = 409

    def __init__(self):
        super().__init__(
            eligibility.reason(eligibility.NOT_VERIFIED, eligibility.LAW_FRAUD).message
        )


def _today(today):
    return today or timezone.localdate()


def _lock(claim):
    return MaternityClaim.objects.select_for_update().get(pk=claim.pk)


def _lock_cardholder(cardholder_id):
    return Cardholder.objects.select_for_update().get(pk=cardholder_id)


def _require_perm(actor, perm):
    if actor is None or not actor.is_active or not actor.has_perm(WORKFLOW.perm(perm)):
        raise Forbidden()


def clean_event(event, *, babies=None, difficult_birth=False, months=None):
    """(event, babies, difficult birth, months) checked, or InvalidInput naming the field."""
    if event not in Event.values:
        raise InvalidInput(
            _("Say whether it was a birth or a miscarriage."), code="invalid_choice", field="event"
        )
    if event == Event.BIRTH:
        babies = 1 if babies in (None, "") else babies
        if not isinstance(babies, int) or isinstance(babies, bool) or not 1 <= babies <= MAX_BABIES:
            raise InvalidInput(
                _("Give the number of babies born, from 1 to %(n)d.") % {"n": MAX_BABIES},
                code=maternity_rules.BABIES_INVALID,
                field="babies",
            )
        return event, babies, bool(difficult_birth), None
    if not isinstance(months, int) or isinstance(months, bool) or not 0 <= months <= MAX_MONTHS:
        raise InvalidInput(
            _("Give the completed months of pregnancy, from 0 to %(n)d.") % {"n": MAX_MONTHS},
            code=maternity_rules.MONTHS_INVALID,
            field="months",
        )
    return event, 1, False, months


def clean_bank(bank_name, bank_account_number):
    name = str(bank_name or "").strip()
    number = re.sub(r"[\s-]", "", str(bank_account_number or ""))
    if not name and not number:
        return "", ""
    if not name or len(name) > 100:
        raise InvalidInput(_("Give the name of the bank."), code="required", field="bank_name")
    if not _BANK_NUMBER.match(number):
        raise InvalidInput(
            _("A bank account number has 12 to 30 digits."),
            code="invalid",
            field="bank_account_number",
        )
    return name, number


def maternity_claim_precheck(cardholder, *, event, event_date, today=None):
    """The answer to "may I claim now?", with every reason (no write)."""
    return eligibility.evaluate(
        selectors.maternity_facts(
            cardholder,
            stage=eligibility.APPLICATION,
            today=_today(today),
            event=event,
            event_date=event_date,
        )
    )


@transaction.atomic
def maternity_claim_start(
    *,
    applicant,
    cardholder,
    event,
    event_date,
    babies=None,
    difficult_birth=False,
    months=None,
    bank_name="",
    bank_account_number="",
    today=None,
):
    """The insured woman starts her claim (a draft, reference MA-YYYY-NNNNNN). Bad input
    is InvalidInput naming the field; the application rules (a woman's record, a date
    known and past, within the regional limit if any, an employer with its average wage
    recorded, no other claim standing) refuse with every reason (ClaimRefused)."""
    if applicant is None or cardholder.user_id != applicant.pk:
        raise Forbidden(_("Only the insured woman can claim her own maternity allowance."))
    event, babies, difficult_birth, months = clean_event(
        event, babies=babies, difficult_birth=difficult_birth, months=months
    )
    bank_name, bank_account_number = clean_bank(bank_name, bank_account_number)
    cardholder = _lock_cardholder(cardholder.pk)
    decision = eligibility.evaluate(
        selectors.maternity_facts(
            cardholder,
            stage=eligibility.APPLICATION,
            today=_today(today),
            event=event,
            event_date=event_date,
        )
    )
    if not decision.allowed:
        raise ClaimRefused(decision)
    claim = MaternityClaim(
        reference=f"TMP-{timezone.now():%H%M%S%f}",
        cardholder=cardholder,
        applicant=applicant,
        event=event,
        event_date=event_date,
        babies=babies,
        difficult_birth=difficult_birth,
        pregnancy_months=months,
        employer=selectors.employer_before(cardholder, event_date),
        bank_name=bank_name,
        bank_account_number=bank_account_number,
    )
    for name, value in casework.decision_fields(claim, eligibility.APPLICATION, decision).items():
        setattr(claim, name, value)
    claim.save()
    claim.reference = f"MA-{timezone.localdate(claim.created_at).year}-{claim.pk:06d}"
    MaternityClaim.objects.filter(pk=claim.pk).update(reference=claim.reference)
    casework.case_started(claim, applicant)
    return claim


@transaction.atomic
def maternity_claim_update_bank(claim, *, actor, bank_name, bank_account_number):
    """The applicant names the bank account in her name, while she may change the claim."""
    casework.require_applicant(claim, actor)
    bank_name, bank_account_number = clean_bank(bank_name, bank_account_number)
    if not bank_name:
        raise InvalidInput(_("Give the name of the bank."), code="required", field="bank_name")
    locked = _lock(claim)
    if not locked.is_editable:
        raise IllegalTransition()
    MaternityClaim.objects.filter(pk=locked.pk).update(
        bank_name=bank_name, bank_account_number=bank_account_number
    )
    locked.bank_name, locked.bank_account_number = bank_name, bank_account_number
    casework.copy_into(locked, claim)
    return claim


def maternity_claim_submit(claim, *, actor, today=None):
    """Send the claim (draft or needs_documents → submitted) for the document check.
    The submission rules must allow it (the proof and the bank account among them); a
    refusal is kept on the record."""
    casework.require_applicant(claim, actor)
    try:
        with transaction.atomic():
            cardholder = _lock_cardholder(claim.cardholder_id)
            locked = _lock(claim)
            if not locked.allows(workflow.SUBMIT):
                raise IllegalTransition(
                    _("The claim is %(status)s; it cannot be submitted.")
                    % {"status": locked.get_status_display()}
                )
            decision = eligibility.evaluate(
                selectors.maternity_facts(
                    cardholder,
                    stage=eligibility.SUBMISSION,
                    today=_today(today),
                    event=locked.event,
                    event_date=locked.event_date,
                    claim=locked,
                )
            )
            if not decision.allowed:
                raise ClaimRefused(decision)
            now = timezone.now()
            fields = casework.decision_fields(locked, eligibility.SUBMISSION, decision)
            fields.update(review_queued_at=now, review_attempts=0, request_message="")
            if locked.submitted_at is None:
                fields["submitted_at"] = now
            casework.case_transition(
                locked, workflow.SUBMIT, actor=actor, note=notes.note(notes.SUBMITTED), **fields
            )
            casework.queue_review(locked)
    except ClaimRefused as exc:
        casework.decision_save_refusal(claim.pk, eligibility.SUBMISSION, exc.decision)
        raise
    casework.copy_into(locked, claim)
    return claim


def maternity_claim_withdraw(claim, *, actor):
    """The applicant takes the claim back, any time before the decision."""
    return casework.case_withdraw(claim, actor=actor)


# --- staff ---------------------------------------------------------------------------


def maternity_claim_verify(claim, *, actor, ip_address=None):
    """A reviewer records that identity, the event and its proof, and the employer's
    average wage were checked. The approver must be someone else."""
    return casework.case_verify(
        claim,
        actor=actor,
        perm="review_maternityclaim",
        note=notes.note(maternity_notes.VERIFIED),
        ip_address=ip_address,
    )


def maternity_claim_request_documents(claim, *, actor, message, ip_address=None):
    """A reviewer asks the applicant for documents, with a message they read."""
    return casework.case_request_documents(
        claim, actor=actor, perm="review_maternityclaim", message=message, ip_address=ip_address
    )


def maternity_claim_reject(claim, *, actor, reason, ip_address=None):
    """A reviewer rejects the claim with the reason the applicant reads (and is told
    how to contest it)."""
    return casework.case_reject(
        claim, actor=actor, perm="review_maternityclaim", reason=reason, ip_address=ip_address
    )


def medical_fund(region):
    """The region's medical insurance fund (a system account), created on first use."""
    return ledger.system_account(MEDICAL_FUND_CODE.format(region=region))


def allowance_compute(cardholder, claim):
    """The allowance from the data as it stands: the employer's average monthly wage of
    the year before the event (refused, naming employer and year, when missing), the
    statutory days and the region's extra days for a birth."""
    year = selectors.wage_year(claim.event_date)
    employer = claim.employer or selectors.employer_before(cardholder, claim.event_date)
    row = selectors.average_wage_row(employer, year)
    if row is None:
        raise MissingAverageWage(employer=employer.name if employer else "?", year=year)
    rule = selectors.regional_rule(cardholder.region, claim.event_date)
    allowance = maternity_rules.allowance(
        claim.event,
        average_wage=row.amount,
        regional_extra_days=rule.extra_days if rule else 0,
        babies=claim.babies,
        difficult_birth=claim.difficult_birth,
        months=claim.pregnancy_months,
    )
    return employer, row, allowance


def maternity_claim_approve(claim, *, actor, ip_address=None, today=None):
    """Approve the claim, fix the allowance and pay it, exactly once, in one transaction.

    Two people: the claim must be verified, and the approver is neither the verifier,
    who last asked for documents, the applicant nor the cardholder. The approval rules
    are evaluated again. The amount (average wage ÷ 30 × days, rounded to the fen once)
    is stored with every figure used and posted from the region's medical fund to
    payouts payable, keyed by the claim: a second approval or a retry moves nothing.
    """
    _require_perm(actor, "approve_maternityclaim")
    try:
        with transaction.atomic():
            cardholder = _lock_cardholder(claim.cardholder_id)
            locked = _lock(claim)
            if locked.status in WORKFLOW.decided_states:
                raise AlreadyDecided()
            if not locked.allows(workflow.APPROVE):
                raise IllegalTransition(
                    _("The claim is %(status)s; it cannot be approved yet.")
                    % {"status": locked.get_status_display()}
                )
            casework.require_not_own(locked, actor)
            safeguards = eligibility.approval_safeguards(
                eligibility.ApprovalFacts(
                    approver=actor.pk,
                    applicant=locked.applicant_id,
                    cardholder_user=cardholder.user_id,
                    verifier=locked.verified_by_id,
                    documents_requested_by=locked.reviewed_by_id,
                )
            )
            codes = {r.code for r in safeguards}
            if eligibility.NOT_VERIFIED in codes:
                raise NotVerified()
            if eligibility.TWO_PERSON_RULE in codes:
                raise SamePerson()
            decision = eligibility.evaluate(
                selectors.maternity_facts(
                    cardholder,
                    stage=eligibility.APPROVAL,
                    today=_today(today),
                    event=locked.event,
                    event_date=locked.event_date,
                    claim=locked,
                )
            )
            if not decision.allowed:
                raise ClaimRefused(decision)
            employer, row, allowance = allowance_compute(cardholder, locked)
            fund = medical_fund(cardholder.region)
            payable = ledger.system_account(Account.SystemCode.PAYOUTS_PAYABLE)
            txn, _created = ledger.post(
                kind=BENEFIT_KIND,
                idempotency_key=f"maternity:{locked.pk}",
                legs=[
                    ledger.Leg(fund.id, -allowance.amount),
                    ledger.Leg(payable.id, allowance.amount),
                ],
                reference=locked.reference,
                description=(
                    f"Maternity allowance {locked.reference}: {allowance.days} days × "
                    f"{row.amount} ÷ 30"
                ),
                actor=actor,
            )
            fields = casework.decision_fields(locked, eligibility.APPROVAL, decision)
            fields.update(
                approved_by=actor,
                decided_at=timezone.now(),
                employer=employer,
                average_wage=row.amount,
                average_wage_year=row.year,
                average_wage_source=row.source,
                statutory_days=allowance.statutory_days,
                regional_extra_days=allowance.regional_extra_days,
                days=allowance.days,
                amount=allowance.amount,
                payout_transaction=txn,
            )
            casework.case_transition(
                locked,
                workflow.APPROVE,
                actor=actor,
                note=notes.note(
                    maternity_notes.ALLOWANCE_FIXED,
                    days=allowance.days,
                    wage=f"{row.amount:.2f}",
                    amount=f"{allowance.amount:.2f}",
                    tail=locked.bank_account_tail,
                ),
                ip_address=ip_address,
                **fields,
            )
    except ClaimRefused as exc:
        casework.decision_save_refusal(claim.pk, eligibility.APPROVAL, exc.decision)
        raise
    casework.copy_into(locked, claim)
    return claim


@transaction.atomic
def maternity_claim_mark_paid(claim, *, actor=None, ip_address=None):
    """The bank confirms the payment: approved → paid; the amount leaves payouts
    payable for paid out. Exactly once (the ledger key and the status both guard)."""
    if actor is not None:
        _require_perm(actor, "approve_maternityclaim")
    locked = _lock(claim)
    if locked.status in WORKFLOW.targets(PAYOUT_CONFIRMED):
        raise AlreadyDecided(_("The payment was already confirmed."))
    if not locked.allows(PAYOUT_CONFIRMED):
        raise IllegalTransition(
            _("The claim is %(status)s; it cannot be marked paid.")
            % {"status": locked.get_status_display()}
        )
    payable = ledger.system_account(Account.SystemCode.PAYOUTS_PAYABLE)
    paid_out = ledger.system_account(Account.SystemCode.PAID_OUT)
    ledger.post(
        kind=LedgerTransaction.Kind.PAYOUT_CONFIRMED,
        idempotency_key=f"maternity-paid:{locked.pk}",
        legs=[ledger.Leg(payable.id, -locked.amount), ledger.Leg(paid_out.id, locked.amount)],
        reference=locked.reference,
        description=f"Bank confirmed maternity allowance {locked.reference}",
        actor=actor,
    )
    casework.case_transition(
        locked,
        PAYOUT_CONFIRMED,
        actor=actor,
        note=notes.note(maternity_notes.PAID),
        ip_address=ip_address,
    )
    casework.copy_into(locked, claim)
    return claim
