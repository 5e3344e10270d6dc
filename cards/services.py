"""Every write of the replacement card: one function per use case, one transaction.

Status changes go through `casework.services.case_transition`; the card itself
changes only through `accounts.services` (report lost, replace). The cardholder's row
is locked first, then the request's.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as accounts
from accounts.models import Cardholder
from accounts.validators import mask_card_number
from cards import eligibility, selectors
from cards import notes as card_notes
from cards.exceptions import ReplacementRefused
from cards.models import WORKFLOW, CardReplacement, Why
from casework import notes, workflow
from casework import services as casework
from casework.exceptions import AlreadyDecided, Forbidden, IllegalTransition, SamePerson
from core.errors import InvalidInput, NotFound


def _lock(case):
    return CardReplacement.objects.select_for_update().get(pk=case.pk)


def _require_perm(actor, perm):
    if actor is None or not actor.is_active or not actor.has_perm(WORKFLOW.perm(perm)):
        raise Forbidden()


@transaction.atomic
def replacement_request(*, applicant, why):
    """The cardholder asks for a new card because theirs is lost or damaged (the page
    and the API have checked their password again, as for the loss report). A lost
    card is reported lost in the same transaction, so it pays for nothing from now on.
    Refused with every reason for a dead or emigrated person's cancelled card, a frozen
    card or a second open request. Returns the submitted request (CR-YYYY-NNNNNN)."""
    if why not in Why.values:
        raise InvalidInput(
            _("Say whether the card is lost or damaged."),
            code=eligibility.REASON_UNKNOWN,
            field="why",
        )
    found = Cardholder.objects.filter(user_id=getattr(applicant, "pk", None)).first()
    if found is None:
        raise NotFound(field="cardholder")
    cardholder = Cardholder.objects.select_for_update().get(pk=found.pk)
    decision = eligibility.evaluate(
        selectors.replacement_facts(cardholder, stage=eligibility.REQUEST, why=why)
    )
    if not decision.allowed:
        raise ReplacementRefused(decision, field="card_status")
    if why == Why.LOST and cardholder.card_status == Cardholder.CardStatus.ACTIVE:
        accounts.card_report_lost(cardholder=cardholder, actor=applicant)
    case = CardReplacement(
        reference=f"TMP-{timezone.now():%H%M%S%f}",
        cardholder=cardholder,
        applicant=applicant,
        why=why,
        old_card_number=cardholder.card_number,
    )
    for name, value in casework.decision_fields(case, eligibility.REQUEST, decision).items():
        setattr(case, name, value)
    case.save()
    case.reference = f"CR-{timezone.localdate(case.created_at).year}-{case.pk:06d}"
    CardReplacement.objects.filter(pk=case.pk).update(reference=case.reference)
    casework.case_started(case, applicant, notes.note(card_notes.REQUESTED, why=why))
    casework.case_transition(
        case,
        workflow.SUBMIT,
        actor=applicant,
        note=notes.note(notes.SUBMITTED),
        submitted_at=timezone.now(),
    )
    return case


def replacement_withdraw(case, *, actor):
    """The cardholder takes the request back before the decision (a lost card stays
    reported lost; they lift the report themselves if they find it)."""
    return casework.case_withdraw(case, actor=actor)


# --- staff ---------------------------------------------------------------------------


def replacement_verify(case, *, actor, ip_address=None):
    """A reviewer records that the cardholder's identity and the request were checked;
    who issues the card must be someone else."""
    return casework.case_verify(
        case,
        actor=actor,
        perm="review_cardreplacement",
        note=notes.note(card_notes.VERIFIED),
        ip_address=ip_address,
    )


def replacement_reject(case, *, actor, code, reason, ip_address=None):
    """Not issued, naming the rule and the reason the cardholder reads (their notice
    says how to contest it)."""
    if code not in eligibility.REFUSAL_CODES:
        raise InvalidInput(
            _("Choose the rule the decision rests on."), code="invalid_choice", field="code"
        )
    return casework.case_reject(
        case,
        actor=actor,
        perm="review_cardreplacement",
        reason=reason,
        ip_address=ip_address,
        refusal_code=code,
    )


@transaction.atomic
def replacement_issue(case, *, actor, new_card_number, ip_address=None):
    """Issue the new card: verified by another staff member first, issued by someone
    who is neither the verifier, the applicant nor the cardholder. The number must be
    well-formed and never issued before (checked here and again by
    `accounts.services.card_replace`, which cancels the old number and activates the
    new one in this same transaction). Issuing twice changes nothing more."""
    _require_perm(actor, "issue_cardreplacement")
    number = accounts.card_number_check_free(new_card_number, field="new_card_number")
    cardholder = Cardholder.objects.select_for_update().get(pk=case.cardholder_id)
    locked = _lock(case)
    if locked.status in WORKFLOW.decided_states:
        raise AlreadyDecided()
    if not locked.allows(workflow.APPROVE):
        raise IllegalTransition()
    casework.require_not_own(locked, actor)
    if locked.verified_by_id is None:
        raise IllegalTransition(
            _("A reviewer has not yet checked the cardholder's identity and the request."),
            code="replacement_not_verified",
        )
    if actor.pk in (locked.verified_by_id, locked.reviewed_by_id):
        raise SamePerson()
    decision = eligibility.evaluate(
        selectors.replacement_facts(
            cardholder, stage=eligibility.ISSUE, why=locked.why, exclude=locked
        )
    )
    if not decision.allowed:
        raise ReplacementRefused(decision, field="card_status")
    old = cardholder.card_number
    accounts.card_replace(
        cardholder=cardholder, new_card_number=number, actor=actor, reference=locked.reference
    )
    casework.case_transition(
        locked,
        workflow.APPROVE,
        actor=actor,
        note=notes.note(
            card_notes.ISSUED,
            new=cardholder.masked_card_number,
            old=mask_card_number(old),
        ),
        ip_address=ip_address,
        approved_by=actor,
        decided_at=timezone.now(),
        new_card_number=number,
    )
    casework.copy_into(locked, case)
    return case
