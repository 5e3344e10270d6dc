"""Every write of the retirement claim: one function per use case, each one transaction.

Status changes go through `casework.services.case_transition` (the table in
`pensions.models.TABLE`). Claims on one cardholder are serialised on the cardholder's
row, locked first, then the claim's.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import ledger
from accounts import services as accounts_services
from accounts.models import Account, Cardholder, LedgerTransaction, Scheme
from casework import notes, workflow
from casework import services as casework
from casework.exceptions import AlreadyDecided, Forbidden, IllegalTransition, SamePerson
from core.errors import DomainError, InvalidInput
from pensions import eligibility, formula, retirement, selectors
from pensions import notes as pension_notes
from pensions.exceptions import ClaimRefused, MissingFigure
from pensions.models import WORKFLOW, RetirementClaim


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
    return RetirementClaim.objects.select_for_update().get(pk=claim.pk)


def _lock_cardholder(cardholder_id):
    return Cardholder.objects.select_for_update().get(pk=cardholder_id)


def _require_perm(actor, perm):
    if actor is None or not actor.is_active or not actor.has_perm(WORKFLOW.perm(perm)):
        raise Forbidden()


def _clean_category(cardholder, category):
    """A man has one schedule; a woman chooses the worker (default) or cadre one."""
    if cardholder.gender == Cardholder.Gender.MALE:
        return retirement.MALE
    category = category or retirement.FEMALE_WORKER
    if category not in (retirement.FEMALE_WORKER, retirement.FEMALE_CADRE):
        raise InvalidInput(
            _("Choose the retirement schedule of your post."),
            code="invalid_choice",
            field="category",
        )
    return category


def retirement_claim_precheck(cardholder, *, category=None, today=None):
    """The answer to "may I claim now?", with every reason (no write)."""
    category = _clean_category(cardholder, category)
    facts = selectors.retirement_facts(
        cardholder, stage=eligibility.APPLICATION, today=_today(today), category=category
    )
    return eligibility.evaluate(facts)


@transaction.atomic
def retirement_claim_start(*, applicant, cardholder, category=None, today=None):
    """The cardholder starts their own claim (a draft with its reference
    RC-YYYY-NNNNNN). Refused with every reason (ClaimRefused) unless the application
    rules allow it: not earlier than three months before the statutory date, enough
    contribution months, not retired, no other claim standing, alive."""
    if applicant is None or cardholder.user_id != applicant.pk:
        raise Forbidden(_("Only the cardholder can claim their own pension."))
    category = _clean_category(cardholder, category)
    cardholder = _lock_cardholder(cardholder.pk)
    today = _today(today)
    decision = eligibility.evaluate(
        selectors.retirement_facts(
            cardholder, stage=eligibility.APPLICATION, today=today, category=category
        )
    )
    if not decision.allowed:
        raise ClaimRefused(decision)
    claim = RetirementClaim(
        reference=f"TMP-{timezone.now():%H%M%S%f}",
        cardholder=cardholder,
        applicant=applicant,
        category=category,
        retirement_date=retirement.retirement_date(cardholder.date_of_birth, category),
        retirement_age_months=retirement.retirement_age_months(cardholder.date_of_birth, category),
    )
    for name, value in casework.decision_fields(claim, eligibility.APPLICATION, decision).items():
        setattr(claim, name, value)
    claim.save()
    claim.reference = f"RC-{timezone.localdate(claim.created_at).year}-{claim.pk:06d}"
    RetirementClaim.objects.filter(pk=claim.pk).update(reference=claim.reference)
    casework.case_started(claim, applicant)
    return claim


def retirement_claim_submit(claim, *, actor, today=None):
    """Send the claim (draft or needs_documents → submitted) for the document check.
    The submission rules must allow it; a refusal is kept on the record."""
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
                selectors.retirement_facts(
                    cardholder,
                    stage=eligibility.SUBMISSION,
                    today=_today(today),
                    category=locked.category,
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


def retirement_claim_withdraw(claim, *, actor):
    """The applicant takes the claim back, any time before the decision."""
    return casework.case_withdraw(claim, actor=actor)


# --- staff ---------------------------------------------------------------------------


def retirement_claim_verify(claim, *, actor, ip_address=None):
    """A reviewer records that identity, contribution record and schedule (for a cadre,
    its proof) were checked. The approver must be someone else."""
    return casework.case_verify(
        claim,
        actor=actor,
        perm="review_retirementclaim",
        note=notes.note(pension_notes.VERIFIED),
        ip_address=ip_address,
    )


def retirement_claim_request_documents(claim, *, actor, message, ip_address=None):
    """A reviewer asks the applicant for documents, with a message they read."""
    return casework.case_request_documents(
        claim, actor=actor, perm="review_retirementclaim", message=message, ip_address=ip_address
    )


def retirement_claim_reject(claim, *, actor, reason, ip_address=None):
    """A reviewer rejects the claim with the reason the applicant reads (and is told
    how to contest it)."""
    return casework.case_reject(
        claim, actor=actor, perm="review_retirementclaim", reason=reason, ip_address=ip_address
    )


@dataclass(frozen=True)
class Award:
    starts_on: object
    contribution_months: int
    average_wage: Decimal
    average_wage_year: int
    average_wage_source: str
    pension: formula.Pension


def award_compute(cardholder, claim):
    """The award from the record as it stands: the average wage of the year before the
    retirement date (refused, naming it, when not recorded), the mean index over every
    year contributed, the months on record, the personal pension balance and the
    divisor of the statutory age in whole years."""
    year = claim.retirement_date.year - 1
    row = selectors.average_wage_row(cardholder.region, year)
    if row is None:
        raise MissingFigure(region=cardholder.region, year=year)
    averages = selectors.average_wages(cardholder.region)
    index = formula.mean_index(selectors.yearly_wage_bases(cardholder), averages, cardholder.region)
    months = selectors.pension_contribution_month_count(cardholder)
    pension = formula.pension(
        avg_wage=row.amount,
        index=index,
        months=months,
        balance=selectors.personal_pension_balance(cardholder),
        age_years=claim.retirement_age_years,
    )
    # Paid from the month after the statutory date is reached.
    first = claim.retirement_date.replace(day=1)
    return Award(
        starts_on=retirement.add_months(first, 1),
        contribution_months=months,
        average_wage=row.amount,
        average_wage_year=year,
        average_wage_source=row.source,
        pension=pension,
    )


def retirement_claim_approve(claim, *, actor, ip_address=None, today=None):
    """Approve the claim and fix the award, once, in one transaction.

    Two people: the claim must be verified, and the approver is neither the verifier,
    who last asked for documents, the applicant nor the cardholder. The approval rules
    are evaluated again (the statutory date reached, enough months on record, not
    retired, alive). The award is computed with pensions.formula from the record and
    stored with every figure used; the cardholder is recorded as retired. A missing
    regional average wage refuses the approval, naming region and year.
    """
    _require_perm(actor, "approve_retirementclaim")
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
                selectors.retirement_facts(
                    cardholder,
                    stage=eligibility.APPROVAL,
                    today=_today(today),
                    category=locked.category,
                    claim=locked,
                )
            )
            if not decision.allowed:
                raise ClaimRefused(decision)
            # The personal account's balance is read under its lock.
            Account.objects.select_for_update().filter(
                cardholder_id=cardholder.pk, scheme=Scheme.PENSION, kind=Account.Kind.PERSONAL
            ).first()
            award = award_compute(cardholder, locked)
            pension = award.pension
            fields = casework.decision_fields(locked, eligibility.APPROVAL, decision)
            fields.update(
                approved_by=actor,
                decided_at=timezone.now(),
                starts_on=award.starts_on,
                contribution_months=award.contribution_months,
                average_wage=award.average_wage,
                average_wage_year=award.average_wage_year,
                average_wage_source=award.average_wage_source,
                contribution_index=pension.index.quantize(Decimal("0.0001")),
                indexed_wage=pension.indexed_wage,
                balance_at_retirement=pension.balance,
                divisor=pension.divisor,
                basic_monthly=pension.basic,
                personal_monthly=pension.personal,
            )
            casework.case_transition(
                locked,
                workflow.APPROVE,
                actor=actor,
                note=notes.note(
                    pension_notes.AWARD_FIXED,
                    basic=f"{pension.basic:.2f}",
                    personal=f"{pension.personal:.2f}",
                    starts_on=award.starts_on.isoformat(),
                ),
                ip_address=ip_address,
                **fields,
            )
            accounts_services.employment_status_set(
                cardholder=cardholder,
                status=Cardholder.EmploymentStatus.RETIRED,
                actor=actor,
            )
    except ClaimRefused as exc:
        casework.decision_save_refusal(claim.pk, eligibility.APPROVAL, exc.decision)
        raise
    casework.copy_into(locked, claim)
    return claim


# --- death of a pensioner -------------------------------------------------------------


def _recovery_key(claim_id, month):
    return f"pension-recovery:{claim_id}:{month:%Y-%m}"


@transaction.atomic
def pension_stop_on_death(*, cardholder, actor=None):
    """Called when a pensioner's death is verified (the caller holds the cardholder's
    row locked and has recorded the date of death). Runs pay no month after the month
    of death; every month already paid after it is overpaid (SIL Art. 88): it is
    recovered from the remaining personal pension balance, oldest month first, by a
    `pension_recovery` posting to the region's pension fund, and what the balance
    cannot cover is recorded as owed (`PensionOverpayment.owed`) for staff to recover.
    Each month is recorded once; the heirs' claim then pays only what remains."""
    from pensions.models import PensionOverpayment, PensionPayment

    holder = Cardholder.objects.get(pk=cardholder.pk)
    if holder.date_of_death is None:
        return []
    death_month = holder.date_of_death.replace(day=1)
    overpaid = list(
        PensionPayment.objects.filter(claim__cardholder_id=holder.pk, month__gt=death_month)
        .exclude(
            month__in=PensionOverpayment.objects.filter(claim__cardholder_id=holder.pk).values(
                "month"
            )
        )
        .order_by("month", "claim_id")
    )
    if not overpaid:
        return []
    personal = (
        Account.objects.select_for_update()
        .filter(cardholder_id=holder.pk, scheme=Scheme.PENSION, kind=Account.Kind.PERSONAL)
        .first()
    )
    fund = ledger.fund_account_open(Scheme.PENSION, holder.region)
    recorded = []
    for payment in overpaid:
        available = Decimal(0)
        if personal is not None and personal.status == Account.Status.OPEN:
            personal.refresh_from_db(fields=["balance", "status"])
            available = personal.balance
        recovered = min(available, payment.total)
        txn = None
        if recovered > 0:
            txn, _created = ledger.post(
                kind=LedgerTransaction.Kind.PENSION_RECOVERY,
                idempotency_key=_recovery_key(payment.claim_id, payment.month),
                legs=[ledger.Leg(personal.pk, -recovered), ledger.Leg(fund.pk, recovered)],
                reference=payment.reference,
                description=(
                    f"Recovery of the pension paid for {payment.month:%Y-%m}, "
                    f"after the month of death"
                ),
                actor=actor,
            )
        recorded.append(
            PensionOverpayment.objects.create(
                claim_id=payment.claim_id,
                month=payment.month,
                overpaid=payment.total,
                recovered=recovered,
                owed=payment.total - recovered,
                transaction=txn,
            )
        )
    return recorded
