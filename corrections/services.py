"""Every write of the record correction: one function per use case, one transaction.

Status changes go through `casework.services.case_transition`; the record itself is
changed only by `accounts.services.cardholder_record_correct`, which keeps the old and
new value on the record's audit trail. The cardholder's row is locked first, then the
case's.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import record_fields
from accounts import services as accounts
from accounts.models import Cardholder
from casework import notes, storage, workflow
from casework import services as casework
from casework.exceptions import AlreadyDecided, Forbidden, IllegalTransition, SamePerson
from core.errors import InvalidInput, NotFound
from corrections import eligibility, selectors
from corrections import notes as correction_notes
from corrections.exceptions import CorrectionRefused
from corrections.models import WORKFLOW, DocumentKind, RecordCorrection

MAX_REASON = 2000


def _lock(case):
    return RecordCorrection.objects.select_for_update().get(pk=case.pk)


def _require_perm(actor, perm):
    if actor is None or not actor.is_active or not actor.has_perm(WORKFLOW.perm(perm)):
        raise Forbidden()


def _retirement_fields(cardholder, field, value):
    """The statutory retirement date before and after, for a date of birth or gender."""
    spec = record_fields.record_field(field)
    if not spec.moves_retirement:
        return {}
    change = eligibility.retirement_change(
        born=cardholder.date_of_birth,
        gender=cardholder.gender,
        new_born=value if field == record_fields.DATE_OF_BIRTH else None,
        new_gender=value if field == record_fields.GENDER else None,
    )
    if change is None:
        return {}
    return {
        "retirement_before": change.before,
        "retirement_after": change.after,
        "retirement_before_cadre": change.before_cadre,
        "retirement_after_cadre": change.after_cadre,
    }


def correction_request(*, applicant, field, new_value, reason, files, document_kind=""):
    """Ask staff to correct one identity field of the applicant's own record to
    `new_value`, saying why, with at least one document showing the right value
    (`files`: uploaded files). Every check is made before anything is kept: a bad
    field or value is InvalidInput naming it; no document is InvalidInput
    `correction_no_evidence`; the rules' other refusals (the same value, another
    correction of the field open) are CorrectionRefused with every reason.

    Creates the case (RC-YYYY-NNNNNN), attaches the documents and submits it for the
    document check, in one transaction; returns it."""
    cardholder = Cardholder.objects.filter(user_id=getattr(applicant, "pk", None)).first()
    if cardholder is None:
        raise NotFound(field="cardholder")
    spec = record_fields.record_field(field)
    value = record_fields.as_text(record_fields.parse_value(field, new_value))
    text = str(reason or "").strip()
    if not text or len(text) > MAX_REASON:
        raise InvalidInput(
            _("Say why the record is wrong, in at most %(n)d characters.") % {"n": MAX_REASON},
            code="required",
            field="reason",
        )
    files = [f for f in (files or ()) if f is not None]
    if not files:
        raise InvalidInput(
            str(eligibility.MESSAGES[eligibility.NO_EVIDENCE]),
            code=eligibility.NO_EVIDENCE,
            field="file",
        )
    kind = document_kind or DocumentKind.EVIDENCE
    if kind not in DocumentKind.values:
        raise InvalidInput(
            _("Choose what kind of document this is."), code="invalid_choice", field="kind"
        )
    kept = []
    try:
        with transaction.atomic():
            cardholder = Cardholder.objects.select_for_update().get(pk=cardholder.pk)
            decision = eligibility.evaluate(
                selectors.correction_facts(
                    cardholder,
                    stage=eligibility.APPLICATION,
                    field=spec.name,
                    new_value=value,
                    reason=text,
                    evidence=len(files),
                )
            )
            if not decision.allowed:
                raise CorrectionRefused(decision)
            case = RecordCorrection(
                reference=f"TMP-{timezone.now():%H%M%S%f}",
                cardholder=cardholder,
                applicant=applicant,
                field=spec.name,
                old_value=selectors.current_value(cardholder, spec.name),
                new_value=value,
                reason=text,
                **_retirement_fields(
                    cardholder, spec.name, record_fields.parse_value(spec.name, value)
                ),
            )
            for name, v in casework.decision_fields(
                case, eligibility.APPLICATION, decision
            ).items():
                setattr(case, name, v)
            case.save()
            case.reference = f"RC-{timezone.localdate(case.created_at).year}-{case.pk:06d}"
            RecordCorrection.objects.filter(pk=case.pk).update(reference=case.reference)
            casework.case_started(
                case,
                applicant,
                notes.note(
                    correction_notes.ASKED,
                    field=spec.name,
                    old=case.old_value,
                    new=case.new_value,
                ),
            )
            if case.moves_retirement:
                casework.case_note(
                    case,
                    applicant,
                    notes.note(
                        correction_notes.RETIREMENT_MOVES,
                        before=case.retirement_before.isoformat(),
                        after=case.retirement_after.isoformat(),
                    ),
                )
            for uploaded in files:
                document = casework.document_add(
                    case=case, kind=kind, uploaded_file=uploaded, uploader=applicant
                )
                kept.append(document.stored_name)
            _submit(case, actor=applicant)
    except BaseException:
        for name in kept:
            storage.delete(name)
        raise
    return case


def _submit(case, *, actor):
    locked = _lock(case)
    if not locked.allows(workflow.SUBMIT):
        raise IllegalTransition()
    decision = selectors.correction_decision(locked, stage=eligibility.SUBMISSION)
    if not decision.allowed:
        raise CorrectionRefused(decision)
    now = timezone.now()
    fields = casework.decision_fields(locked, eligibility.SUBMISSION, decision)
    fields.update(review_queued_at=now, review_attempts=0, request_message="")
    if locked.submitted_at is None:
        fields["submitted_at"] = now
    casework.case_transition(
        locked, workflow.SUBMIT, actor=actor, note=notes.note(notes.SUBMITTED), **fields
    )
    casework.queue_review(locked)
    casework.copy_into(locked, case)
    return case


def correction_submit(case, *, actor):
    """Send the correction for the document check again, once the documents the
    reviewer asked for are added."""
    casework.require_applicant(case, actor)
    try:
        with transaction.atomic():
            Cardholder.objects.select_for_update().get(pk=case.cardholder_id)
            return _submit(case, actor=actor)
    except CorrectionRefused as exc:
        casework.decision_save_refusal(case.pk, eligibility.SUBMISSION, exc.decision)
        raise


def correction_withdraw(case, *, actor):
    """The applicant takes the request back, any time before the decision."""
    return casework.case_withdraw(case, actor=actor)


# --- staff ---------------------------------------------------------------------------


def correction_verify(case, *, actor, ip_address=None):
    """A reviewer records that the documents show the value asked for; who corrects
    the record must be someone else."""
    return casework.case_verify(
        case,
        actor=actor,
        perm="review_recordcorrection",
        note=notes.note(correction_notes.VERIFIED),
        ip_address=ip_address,
    )


def correction_request_documents(case, *, actor, message, ip_address=None):
    return casework.case_request_documents(
        case, actor=actor, perm="review_recordcorrection", message=message, ip_address=ip_address
    )


def correction_reject(case, *, actor, code, reason, ip_address=None):
    """Not corrected, naming the rule and the reason the person reads (their notice
    says how to contest it)."""
    if code not in eligibility.REFUSAL_CODES:
        raise InvalidInput(
            _("Choose the rule the decision rests on."), code="invalid_choice", field="code"
        )
    return casework.case_reject(
        case,
        actor=actor,
        perm="review_recordcorrection",
        reason=reason,
        ip_address=ip_address,
        refusal_code=code,
    )


@transaction.atomic
def correction_approve(case, *, actor, ip_address=None):
    """Correct the record: verified by another staff member first, decided by someone
    who is neither the verifier, who asked for documents, nor the person. In the same
    transaction the record's field changes (old and new value on its audit trail) and
    the case is closed; where the date of birth or gender moves the statutory
    retirement date, the timeline says so."""
    _require_perm(actor, "decide_recordcorrection")
    Cardholder.objects.select_for_update().get(pk=case.cardholder_id)
    locked = _lock(case)
    if locked.status in WORKFLOW.decided_states:
        raise AlreadyDecided()
    if not locked.allows(workflow.APPROVE):
        raise IllegalTransition()
    casework.require_not_own(locked, actor)
    if locked.verified_by_id is None:
        raise IllegalTransition(
            _("A reviewer has not yet checked the documents against the value asked for."),
            code="correction_not_verified",
        )
    if actor.pk in (locked.verified_by_id, locked.reviewed_by_id):
        raise SamePerson()
    decision = selectors.correction_decision(locked, stage=eligibility.APPROVAL)
    if not decision.allowed:
        raise CorrectionRefused(decision)
    accounts.cardholder_record_correct(
        cardholder=locked.cardholder,
        field=locked.field,
        old_value=locked.old_value,
        new_value=locked.new_value,
        actor=actor,
        source=locked.reference,
    )
    if locked.moves_retirement:
        casework.case_note(
            locked,
            actor,
            notes.note(
                correction_notes.RETIREMENT_MOVES,
                before=locked.retirement_before.isoformat(),
                after=locked.retirement_after.isoformat(),
            ),
            ip_address=ip_address,
        )
    casework.case_transition(
        locked,
        workflow.APPROVE,
        actor=actor,
        note=notes.note(
            correction_notes.CORRECTED,
            field=locked.field,
            old=locked.old_value,
            new=locked.new_value,
        ),
        ip_address=ip_address,
        approved_by=actor,
        decided_at=timezone.now(),
        **casework.decision_fields(locked, eligibility.APPROVAL, decision),
    )
    casework.copy_into(locked, case)
    return case
