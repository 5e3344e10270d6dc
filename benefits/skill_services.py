"""Writes of the skill-upgrade subsidy: one function per use case, one transaction each.

A person claims for one certificate (level, number, issue date) with its scan; the
document check runs as for every kind; one member of staff verifies and another
approves. Approval fixes the amount (the region's figure for the level), pays it once
from the region's unemployment fund and adds the certificate to the person's
qualifications."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Cardholder
from benefits import notes as benefit_notes
from benefits import skill_selectors as selectors
from benefits import skill_subsidy_rules as rules
from benefits import subsidy_payouts, unemployment_rules
from benefits.exceptions import InvalidInput, SkillSubsidyRefused
from benefits.models import SKILL_WORKFLOW, Qualification, SkillSubsidyClaim
from casework import notes, workflow
from casework import services as casework
from casework.exceptions import AlreadyDecided, IllegalTransition, SamePerson
from casework.exceptions import Forbidden as CaseForbidden
from core.rights import HOW_TO_CONTEST

REVIEW = "review_skillsubsidyclaim"
APPROVE = "approve_skillsubsidyclaim"


def _today(today):
    return today or timezone.localdate()


def _lock(claim):
    return SkillSubsidyClaim.objects.select_for_update().get(pk=claim.pk)


def _lock_cardholder(cardholder_id):
    return Cardholder.objects.select_for_update().get(pk=cardholder_id)


def clean_claim_input(*, level, certificate_number, issued_on):
    """The claim's three facts, checked; a bad one names its field (400)."""
    if level not in rules.LEVELS:
        raise InvalidInput(
            _("Choose the certificate level: primary, intermediate or advanced."),
            code="invalid_choice",
            field="level",
        )
    number = selectors.normalise_certificate_number(certificate_number)
    if not number:
        raise InvalidInput(
            _("Give the certificate number."), code="required", field="certificate_number"
        )
    if not selectors.CERTIFICATE_NUMBER.match(number):
        raise InvalidInput(
            _("Give the certificate number as printed: 4 to 40 letters, digits or dashes."),
            code="invalid",
            field="certificate_number",
        )
    if not isinstance(issued_on, datetime.date):
        raise InvalidInput(
            _("Give the issue date as YYYY-MM-DD."), code="invalid", field="issued_on"
        )
    return level, number, issued_on


def skill_claim_precheck(cardholder, *, level, certificate_number, issued_on, today=None):
    """The rules' answer for a certificate before any claim is made (no write)."""
    level, number, issued_on = clean_claim_input(
        level=level, certificate_number=certificate_number, issued_on=issued_on
    )
    return rules.decide(
        selectors.skill_facts(
            cardholder,
            level=level,
            certificate_number=number,
            issued_on=issued_on,
            today=_today(today),
        )
    )


@transaction.atomic
def skill_claim_start(*, applicant, cardholder, level, certificate_number, issued_on, today=None):
    """The person starts a claim for one certificate (a draft, reference SK-YYYY-NNNNNN).
    Refused with every reason unless the rules allow it."""
    if applicant is None or cardholder.user_id != applicant.pk:
        raise CaseForbidden(_("Only the cardholder can claim their own subsidy."))
    level, number, issued_on = clean_claim_input(
        level=level, certificate_number=certificate_number, issued_on=issued_on
    )
    cardholder = _lock_cardholder(cardholder.pk)
    today = _today(today)
    decision = rules.decide(
        selectors.skill_facts(
            cardholder, level=level, certificate_number=number, issued_on=issued_on, today=today
        )
    )
    if not decision.allowed:
        raise SkillSubsidyRefused(decision)
    claim = SkillSubsidyClaim(
        reference=f"TMP-{timezone.now():%H%M%S%f}",
        cardholder=cardholder,
        applicant=applicant,
        level=level,
        certificate_number=number,
        issued_on=issued_on,
        applied_on=today,
    )
    for name, value in casework.decision_fields(claim, rules.APPLICATION, decision).items():
        setattr(claim, name, value)
    claim.save()
    claim.reference = f"SK-{timezone.localdate(claim.created_at).year}-{claim.pk:06d}"
    SkillSubsidyClaim.objects.filter(pk=claim.pk).update(reference=claim.reference)
    casework.case_started(claim, applicant)
    return claim


def skill_claim_submit(claim, *, actor, today=None):
    """Send the claim for the document check; the certificate's scan must be attached
    and the rules must still allow it. A refusal is kept on the record."""
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
            decision = selectors.skill_eligibility(
                cardholder, locked, today=_today(today), stage=rules.SUBMISSION
            )
            if not decision.allowed:
                raise SkillSubsidyRefused(decision)
            now = timezone.now()
            fields = casework.decision_fields(locked, rules.SUBMISSION, decision)
            fields.update(review_queued_at=now, review_attempts=0, request_message="")
            if locked.submitted_at is None:
                fields["submitted_at"] = now
            casework.case_transition(
                locked, workflow.SUBMIT, actor=actor, note=notes.note(notes.SUBMITTED), **fields
            )
            casework.queue_review(locked)
    except SkillSubsidyRefused as exc:
        casework.decision_save_refusal(claim.pk, rules.SUBMISSION, exc.decision)
        raise
    casework.copy_into(locked, claim)
    return claim


def skill_claim_withdraw(claim, *, actor):
    return casework.case_withdraw(claim, actor=actor)


def skill_claim_verify(claim, *, actor, ip_address=None):
    """A reviewer records that the certificate and the contribution record were checked;
    the approver must be someone else."""
    return casework.case_verify(
        claim,
        actor=actor,
        perm=REVIEW,
        note=notes.note(benefit_notes.SKILL_VERIFIED),
        ip_address=ip_address,
    )


def skill_claim_request_documents(claim, *, actor, message, ip_address=None):
    return casework.case_request_documents(
        claim, actor=actor, perm=REVIEW, message=message, ip_address=ip_address
    )


def skill_claim_reject(claim, *, actor, reason, ip_address=None):
    return casework.case_reject(
        claim, actor=actor, perm=REVIEW, reason=reason, ip_address=ip_address
    )


def _require_approver(actor):
    if actor is None or not actor.is_active or not actor.has_perm(SKILL_WORKFLOW.perm(APPROVE)):
        raise CaseForbidden()


def skill_claim_approve(claim, *, actor, ip_address=None, today=None):
    """Approve the claim, pay the subsidy once and record the qualification, in one
    transaction.

    Two people: the claim must be verified, and the approver is neither the verifier,
    who last asked for documents, the applicant nor the cardholder. The rules are asked
    again on the record as it stands (the application date is the claim's). The amount
    is the region's figure for the level; the payment goes from the region's
    unemployment fund through the ledger writer to the bank batch. A second approval,
    at the same time or later, pays nothing: the claim is decided, and the database
    holds one payment per claim, per person and level, and per certificate number."""
    _require_approver(actor)
    today = _today(today)
    try:
        with transaction.atomic():
            cardholder = _lock_cardholder(claim.cardholder_id)
            locked = _lock(claim)
            if locked.status in SKILL_WORKFLOW.decided_states:
                raise AlreadyDecided()
            if not locked.allows(workflow.APPROVE):
                raise IllegalTransition(
                    _("The claim is %(status)s; it cannot be approved yet.")
                    % {"status": locked.get_status_display()}
                )
            casework.require_not_own(locked, actor)
            codes = {
                r.code
                for r in unemployment_rules.approval_safeguards(
                    unemployment_rules.ApprovalFacts(
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
                    unemployment_rules.reason("claim_not_verified").message,
                    code="claim_not_verified",
                )
            if "two_person_rule" in codes:
                raise SamePerson()
            facts = selectors.skill_facts(
                cardholder,
                level=locked.level,
                certificate_number=locked.certificate_number,
                issued_on=locked.issued_on,
                today=today,
                stage=rules.APPROVAL,
                claim=locked,
            )
            decision = rules.decide(facts)
            if not decision.allowed:
                raise SkillSubsidyRefused(decision)
            subsidy_payouts.pay_skill_subsidy(
                locked, amount=decision.amount, region=cardholder.region, actor=actor
            )
            fields = casework.decision_fields(locked, rules.APPROVAL, decision)
            fields.update(
                approved_by=actor,
                decided_at=timezone.now(),
                contribution_months=facts.contribution_months,
                amount=decision.amount,
                amount_region=cardholder.region,
            )
            casework.case_transition(
                locked,
                workflow.APPROVE,
                actor=actor,
                note=notes.note(
                    benefit_notes.SKILL_APPROVED,
                    amount=f"{decision.amount:.2f}",
                    level=locked.level,
                ),
                ip_address=ip_address,
                **fields,
            )
            Qualification.objects.create(
                cardholder=cardholder,
                source=Qualification.Source.CERTIFICATE,
                level=locked.level,
                certificate_number=locked.certificate_number,
                issued_on=locked.issued_on,
                skill_claim=locked,
            )
    except SkillSubsidyRefused as exc:
        casework.decision_save_refusal(claim.pk, rules.APPROVAL, exc.decision)
        raise
    except IntegrityError:
        # Another approval paid this level or certificate meanwhile (the database's
        # one-payment rows): nothing of this one was kept.
        decision = rules.Decision(
            False,
            None,
            [rules.reason("certificate_already_used")],
            how_to_contest=str(HOW_TO_CONTEST),
        )
        raise SkillSubsidyRefused(decision) from None
    casework.copy_into(locked, claim)
    return claim
