"""Writes of the benefits app: one function per use case, one transaction each."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import extensions
from accounts.models import Cardholder
from accounts.services import employment_status_set
from benefits import notes as benefit_notes
from benefits import selectors
from benefits import unemployment_rules as rules
from benefits.exceptions import (
    ClaimRefused,
    Forbidden,
    InvalidInput,
    MissingFigure,
    RegistrationRefused,
)
from benefits.models import (
    EXHAUST,
    STOP,
    WORKFLOW,
    Status,
    UnemploymentClaim,
    UnemploymentRegistration,
)
from casework import notes, workflow
from casework import services as casework
from casework.exceptions import AlreadyDecided, IllegalTransition, SamePerson
from casework.exceptions import Forbidden as CaseForbidden

logger = logging.getLogger(__name__)


@transaction.atomic
def registration_create(
    *, cardholder, actor, how_ended, seeking_work, job_ended_on=None, today=None
):
    """The person registers as unemployed (SIL Art. 50): the registration is recorded
    with today's date and their employment status becomes unemployed."""
    if actor is None or not (actor.is_staff or actor.pk == cardholder.user_id):
        raise Forbidden(field="actor")
    today = today or timezone.localdate()
    if job_ended_on is None:
        raise RegistrationRefused(
            _("Say when your job ended."), code="job_end_missing", field="job_ended_on"
        )
    if job_ended_on > today:
        raise RegistrationRefused(
            _("Your job end is in the future; register once it has ended."),
            code="job_end_in_future",
            field="job_ended_on",
        )
    if how_ended not in UnemploymentRegistration.HowEnded.values:
        raise InvalidInput(field="how_ended")
    if not seeking_work:
        raise RegistrationRefused(
            _("Registration is for people who seek work (SIL Art. 45)."),
            code="not_seeking_work",
            field="seeking_work",
        )
    if cardholder.employment_status == Cardholder.EmploymentStatus.RETIRED:
        raise RegistrationRefused(
            _("You draw a basic pension; unemployment registration is not open to you."),
            code="pension_in_payment",
            field="non_field_errors",
        )
    registration = UnemploymentRegistration.objects.create(
        cardholder=cardholder,
        job_ended_on=job_ended_on,
        how_ended=how_ended,
        seeking_work=True,
        registered_on=today,
    )
    employment_status_set(
        cardholder=cardholder, status=Cardholder.EmploymentStatus.UNEMPLOYED, actor=actor
    )
    logger.info("cardholder %s registered as unemployed", cardholder.pk)
    return registration


# --- the unemployment benefit claim -------------------------------------------------------


def _today(today):
    return today or timezone.localdate()


def _lock(claim):
    return UnemploymentClaim.objects.select_for_update().get(pk=claim.pk)


def _lock_cardholder(cardholder_id):
    return Cardholder.objects.select_for_update().get(pk=cardholder_id)


def _require_perm(actor, perm):
    if actor is None or not actor.is_active or not actor.has_perm(WORKFLOW.perm(perm)):
        raise CaseForbidden()


def claim_precheck(cardholder, *, today=None):
    """The answer to "may I claim now?", with every reason (no write)."""
    return selectors.eligibility(cardholder, _today(today))


@transaction.atomic
def claim_start(*, applicant, cardholder, today=None):
    """The registered person starts their claim on their latest registration (a draft,
    reference UB-YYYY-NNNNNN). Refused with every reason unless the rules allow it
    (Art. 45: a year of contributions, not left by own will, registered and seeking
    work; no pension in payment, no other claim open or in payment)."""
    if applicant is None or cardholder.user_id != applicant.pk:
        raise CaseForbidden(_("Only the cardholder can claim their own benefit."))
    cardholder = _lock_cardholder(cardholder.pk)
    today = _today(today)
    decision = selectors.eligibility(cardholder, today)
    if not decision.allowed:
        raise ClaimRefused(decision)
    claim = UnemploymentClaim(
        reference=f"TMP-{timezone.now():%H%M%S%f}",
        cardholder=cardholder,
        applicant=applicant,
        registration=selectors.current_registration(cardholder),
    )
    for name, value in casework.decision_fields(claim, rules.APPLICATION, decision).items():
        setattr(claim, name, value)
    claim.save()
    claim.reference = f"UB-{timezone.localdate(claim.created_at).year}-{claim.pk:06d}"
    UnemploymentClaim.objects.filter(pk=claim.pk).update(reference=claim.reference)
    casework.case_started(claim, applicant)
    return claim


def claim_submit(claim, *, actor, today=None):
    """Send the claim for the document check; the certificate of termination must be
    attached (Art. 50) and the rules must still allow it. A refusal is kept."""
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
            decision = selectors.eligibility(
                cardholder, _today(today), stage=rules.SUBMISSION, claim=locked
            )
            if not decision.allowed:
                raise ClaimRefused(decision)
            now = timezone.now()
            fields = casework.decision_fields(locked, rules.SUBMISSION, decision)
            fields.update(review_queued_at=now, review_attempts=0, request_message="")
            if locked.submitted_at is None:
                fields["submitted_at"] = now
            casework.case_transition(
                locked, workflow.SUBMIT, actor=actor, note=notes.note(notes.SUBMITTED), **fields
            )
            casework.queue_review(locked)
    except ClaimRefused as exc:
        casework.decision_save_refusal(claim.pk, rules.SUBMISSION, exc.decision)
        raise
    casework.copy_into(locked, claim)
    return claim


def claim_withdraw(claim, *, actor):
    """The applicant takes the claim back, any time before the decision."""
    return casework.case_withdraw(claim, actor=actor)


def claim_verify(claim, *, actor, ip_address=None):
    """A reviewer records that registration, contribution record and certificate were
    checked. The approver must be someone else."""
    return casework.case_verify(
        claim,
        actor=actor,
        perm="review_unemploymentclaim",
        note=notes.note(benefit_notes.VERIFIED),
        ip_address=ip_address,
    )


def claim_request_documents(claim, *, actor, message, ip_address=None):
    """A reviewer asks the applicant for documents, with a message they read."""
    return casework.case_request_documents(
        claim, actor=actor, perm="review_unemploymentclaim", message=message, ip_address=ip_address
    )


def claim_reject(claim, *, actor, reason, ip_address=None):
    """A reviewer rejects the claim with the reason the applicant reads (and is told
    how to contest it)."""
    return casework.case_reject(
        claim, actor=actor, perm="review_unemploymentclaim", reason=reason, ip_address=ip_address
    )


def claim_approve(claim, *, actor, ip_address=None, today=None):
    """Approve the claim and fix the benefit, once, in one transaction.

    Two people: the claim must be verified, and the approver is neither the verifier,
    who last asked for documents, the applicant nor the cardholder. The rules are
    evaluated again on the record as it stands. The decision fixes the months entitled
    (Art. 46, with the unused months of a stopped benefit, at most 24), the monthly
    amount (the region's figure for the year, Art. 47: refused, naming it, when not
    recorded) and the first month paid (the month of registration, Art. 50).
    """
    _require_perm(actor, "approve_unemploymentclaim")
    today = _today(today)
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
            codes = {
                r.code
                for r in rules.approval_safeguards(
                    rules.ApprovalFacts(
                        approver=actor.pk,
                        applicant=locked.applicant_id,
                        cardholder_user=cardholder.user_id,
                        verifier=locked.verified_by_id,
                        documents_requested_by=locked.reviewed_by_id,
                    )
                )
            }
            if "claim_not_verified" in codes:
                raise IllegalTransition(
                    rules.reason("claim_not_verified").message, code="claim_not_verified"
                )
            if "two_person_rule" in codes:
                raise SamePerson()
            row = selectors.regional_amount_row(cardholder.region, today.year)
            if row is None:
                raise MissingFigure(
                    figure="unemployment_benefit_amount", region=cardholder.region, year=today.year
                )
            facts = selectors.claim_facts(
                cardholder, today=today, stage=rules.APPROVAL, claim=locked
            )
            decision = rules.decide(facts)
            if not decision.allowed:
                raise ClaimRefused(decision)
            starts_on = selectors.first_of_month(locked.registration.registered_on)
            fields = casework.decision_fields(locked, rules.APPROVAL, decision)
            fields.update(
                approved_by=actor,
                decided_at=timezone.now(),
                contribution_months=facts.contribution_months,
                carried_months=facts.unused_months,
                months_entitled=decision.months_entitled,
                monthly_amount=row.monthly_amount,
                amount_region=row.region,
                amount_year=row.year,
                starts_on=starts_on,
            )
            casework.case_transition(
                locked,
                workflow.APPROVE,
                actor=actor,
                note=notes.note(
                    benefit_notes.BENEFIT_FIXED,
                    months=decision.months_entitled,
                    amount=f"{row.monthly_amount:.2f}",
                    starts_on=starts_on.strftime("%Y-%m"),
                    carried=facts.unused_months,
                ),
                ip_address=ip_address,
                **fields,
            )
    except ClaimRefused as exc:
        casework.decision_save_refusal(claim.pk, rules.APPROVAL, exc.decision)
        raise
    casework.copy_into(locked, claim)
    return claim


# --- stops (SIL Art. 51) -----------------------------------------------------------------


def _stop(locked, *, reason, on, actor, text="", ip_address=None):
    """in_payment → stopped with the reason's code; the unused months stay on the
    record for a later claim (Art. 46)."""
    basis = rules.stop_reason(reason).legal_basis
    params = {"on": on.isoformat(), "reason": reason, "basis": basis}
    note = notes.note(benefit_notes.STOPPED, **params)
    if text:
        note = notes.note(benefit_notes.STOPPED_WITH_TEXT, text=text, **params)
    casework.case_transition(
        locked,
        STOP,
        actor=actor,
        note=note,
        ip_address=ip_address,
        stop_reason=reason,
        stopped_on=on,
    )
    logger.info("unemployment benefit %s stopped: %s", locked.pk, reason)
    return locked


def _claim_in_payment(cardholder_id, *, lock=True):
    claims = UnemploymentClaim.objects.filter(cardholder_id=cardholder_id, status=Status.IN_PAYMENT)
    if lock:
        claims = claims.select_for_update()
    return claims.order_by("-pk").first()


@transaction.atomic
def benefit_stop(*, cardholder_id, reason, on=None, actor=None, text="", ip_address=None):
    """Stop the person's benefit in payment, if any, for `reason` (one of the Art. 51
    codes). Returns the claim, or None when nothing was in payment (so every event may
    call it: a second call changes nothing)."""
    if reason not in rules.STOP_CODES:
        raise InvalidInput(field="reason")
    locked = _claim_in_payment(cardholder_id)
    if locked is None:
        return None
    return _stop(
        locked,
        reason=reason,
        on=on or timezone.localdate(),
        actor=actor,
        text=text,
        ip_address=ip_address,
    )


@transaction.atomic
def benefit_declare_reemployed(claim, *, actor, started_on=None, today=None):
    """The person says they found work: the benefit stops from that day and their
    status becomes employed."""
    casework.require_applicant(claim, actor)
    today = _today(today)
    started_on = started_on or today
    if started_on > today:
        raise InvalidInput(
            _("Tell us once you have started work."), code="date_in_future", field="started_on"
        )
    locked = _lock(claim)
    if locked.status != Status.IN_PAYMENT:
        raise IllegalTransition(_("Your benefit is not in payment."))
    _stop(locked, reason=rules.STOP_REEMPLOYED, on=started_on, actor=actor)
    employment_status_set(
        cardholder=locked.cardholder, status=Cardholder.EmploymentStatus.EMPLOYED, actor=actor
    )
    casework.copy_into(locked, claim)
    return claim


def _staff_stop(claim, *, actor, code, text, missing, ip_address, today):
    """A stop staff record (Art. 51(4) and (5)): `text` is what the person reads."""
    _require_perm(actor, "review_unemploymentclaim")
    text = str(text or "").strip()
    if not text:
        raise InvalidInput(missing, code="required", field="reason")
    locked = _lock(claim)
    casework.require_not_own(locked, actor)
    if locked.status != Status.IN_PAYMENT:
        raise IllegalTransition(_("Only a benefit in payment can be stopped."))
    _stop(locked, reason=code, on=_today(today), actor=actor, text=text, ip_address=ip_address)
    casework.copy_into(locked, claim)
    return claim


@transaction.atomic
def benefit_record_refusal(claim, *, actor, reason, ip_address=None, today=None):
    """Staff record that the person refused suitable work or training without good
    reason (Art. 51(5)); `reason` is what they refused, read by the person."""
    return _staff_stop(
        claim,
        actor=actor,
        code=rules.STOP_REFUSED_WORK,
        text=reason,
        missing=_("Say what was offered and refused; the person will read it."),
        ip_address=ip_address,
        today=today,
    )


@transaction.atomic
def benefit_record_sentence(claim, *, actor, reason, ip_address=None, today=None):
    """Staff record that the person is serving a sentence of imprisonment (Art. 51(4));
    `reason` names the judgment, read by the person."""
    return _staff_stop(
        claim,
        actor=actor,
        code=rules.STOP_SENTENCED,
        text=reason,
        missing=_("Name the judgment (court, number, date); the person will read it."),
        ip_address=ip_address,
        today=today,
    )


LIFE_EVENT_STOPS = {
    extensions.PENSION_STARTED: rules.STOP_PENSION,
    extensions.DECEASED: rules.STOP_DECEASED,
    extensions.SETTLED_ABROAD: rules.STOP_ABROAD,
}


def on_life_event(*, cardholder_id, event, on, actor=None):
    """A pension started, a death or a settlement abroad was verified: stop the benefit
    (inside the transaction that recorded the event)."""
    reason = LIFE_EVENT_STOPS.get(event)
    if reason is not None:
        benefit_stop(cardholder_id=cardholder_id, reason=reason, on=on, actor=actor)


def reemployment_detect(cardholder_ids):
    """After a payroll import: stop the benefit of every person in payment for whom an
    employer paid a contribution for a month after their job ended (Art. 51(1)); their
    status becomes employed. Set-based: one query finds them among the ids."""
    from accounts.models import Contribution, Scheme

    ids = list(cardholder_ids)
    found = []
    for start in range(0, len(ids), 900):
        batch = ids[start : start + 900]
        claims = UnemploymentClaim.objects.filter(
            cardholder_id__in=batch, status=Status.IN_PAYMENT
        ).select_related("registration")
        for claim in claims:
            after = selectors.add_months(
                selectors.first_of_month(claim.registration.job_ended_on), 1
            )
            first = (
                Contribution.objects.filter(
                    cardholder_id=claim.cardholder_id,
                    scheme=Scheme.UNEMPLOYMENT,
                    employer__isnull=False,
                    month__gte=after,
                )
                .order_by("month")
                .values_list("month", flat=True)
                .first()
            )
            if first is not None:
                found.append((claim.cardholder_id, first))
    for cardholder_id, month in found:
        with transaction.atomic():
            stopped = benefit_stop(
                cardholder_id=cardholder_id, reason=rules.STOP_REEMPLOYED, on=month
            )
            if stopped is not None:
                employment_status_set(
                    cardholder=stopped.cardholder, status=Cardholder.EmploymentStatus.EMPLOYED
                )
    return len(found)


@transaction.atomic
def benefit_exhaust(claim_id):
    """in_payment → exhausted once every month entitled is paid. Safe to repeat;
    returns True when this call ended the claim."""
    locked = UnemploymentClaim.objects.select_for_update().filter(pk=claim_id).first()
    if locked is None or locked.status != Status.IN_PAYMENT:
        return False
    paid = locked.payments.count()
    if rules.months_left(locked.months_entitled, paid) > 0:
        return False
    casework.case_transition(
        locked, EXHAUST, actor=None, note=notes.note(benefit_notes.EXHAUSTED, months=paid)
    )
    return True
