"""Every write of the case pipeline: one function per use case.

Status changes go through `case_transition`, which looks the action up in the kind's
transitions table (casework.workflow), compares-and-sets the status (a race loses
cleanly), writes the timeline event and queues the applicant's email after commit.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.exceptions import InvalidInput
from accounts.models import Cardholder
from casework import inspection, notes, storage, workflow
from casework.exceptions import AlreadyDecided, DocumentRefused, Forbidden, IllegalTransition
from casework.models import Case, Document, Event, Finding
from sscard.celery import enqueue_on_commit

logger = logging.getLogger(__name__)

# Automatic document-review rounds (the first plus the sweeper's re-queues) per submission.
REVIEW_MAX_ROUNDS = getattr(settings, "SSCARD_REVIEW_MAX_ROUNDS", 6)

_CASE_FIELDS = frozenset(name for f in Case._meta.concrete_fields for name in (f.name, f.attname))


# --- the state machine -------------------------------------------------------


def case_lock(case):
    """The case's row (as its own kind's model), locked for the rest of the
    transaction, fresh."""
    return type(case).objects.select_for_update().get(pk=case.pk)


def case_transition(case, action, *, actor, note=None, ip_address=None, to=None, **fields):
    """Do `action` on `case`: move it to the state the transitions table gives for its
    current status, setting `fields` with it.

    Compare-and-set on the status the caller saw: if someone else changed it in the
    meantime, nothing is written and IllegalTransition is raised. Writes the event row
    and queues the applicant's email (after commit) where the new state concerns them.
    `to` names the state where the table leads `action` to several from one status.
    """
    flow = case.workflow
    old = case.status
    to = flow.target(action, old, to)
    if to is None:
        targets = flow.targets(action)
        raise IllegalTransition(
            _("The application is %(status)s; it cannot become %(to)s.")
            % {"status": flow.label(old), "to": flow.label(targets[0] if targets else action)}
        )
    now = timezone.now()
    own = {k: v for k, v in fields.items() if k in _CASE_FIELDS}
    kind_fields = {k: v for k, v in fields.items() if k not in _CASE_FIELDS}
    updated = Case.objects.filter(pk=case.pk, status=old).update(status=to, updated_at=now, **own)
    if not updated:
        current = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
        raise IllegalTransition(
            _("The application changed meanwhile (it is now %(status)s).")
            % {"status": flow.label(current)}
        )
    if kind_fields:
        type(case).objects.filter(pk=case.pk).update(**kind_fields)
    case.status = to
    case.updated_at = now
    for name, value in fields.items():
        if isinstance(value, F | Q):
            case.refresh_from_db(fields=[name])
        else:
            setattr(case, name, value)
    event = _event(case, actor, old, to, note, ip_address)
    if to in flow.notify:
        _notify(case, event)
    return event


def case_note(case, actor, note, *, ip_address=None, staff_only=False):
    """A timeline line without a change of status (verification, notice, warnings).
    `staff_only` lines (fraud signals, staff reasoning) never reach the applicant."""
    return _event(case, actor, case.status, case.status, note, ip_address, staff_only)


def case_started(case, actor, note=None):
    """The first line of a new case's timeline."""
    return _event(case, actor, "", case.status, note or notes.note(notes.STARTED), None)


def _event(case, actor, old, new, note, ip_address, staff_only=False):
    note = note or notes.Note("")
    return Event.objects.create(
        case_id=case.pk,
        kind=case.kind,
        actor=actor,
        old_status=old,
        new_status=new,
        note_code=note.code,
        note_params=note.params,
        ip_address=ip_address,
        staff_only=staff_only,
    )


def _notify(case, event):
    from casework.tasks import send_notification

    enqueue_on_commit(send_notification, case.pk, event.pk)


def queue_review(case):
    from casework.tasks import review_case

    enqueue_on_commit(review_case, case.pk)


def require_perm(actor, case, perm):
    if (
        actor is None
        or not actor.is_active
        or not actor.has_perm(workflow.get(case.kind).perm(perm))
    ):
        raise Forbidden()


def require_applicant(case, actor):
    if actor is None or case.applicant_id != actor.pk:
        raise Forbidden(_("Only the applicant can do this."))


def require_not_own(case, actor):
    """Staff never act on a case they made or that is about them."""
    cardholder_user = (
        Cardholder.objects.filter(pk=case.cardholder_id).values_list("user_id", flat=True).first()
    )
    if actor.pk in {case.applicant_id, cardholder_user} - {None}:
        raise Forbidden(
            _("You cannot act as staff on a claim you made or that is about you."),
            code="own_claim",
        )


# --- the steps every kind shares -------------------------------------------------------
# A kind's service names its permission and its own note; the rest is the same for all.


@transaction.atomic
def case_withdraw(case, *, actor):
    """The applicant takes the case back, any time before the decision."""
    require_applicant(case, actor)
    locked = case_lock(case)
    if not locked.is_withdrawable:
        if locked.status in locked.workflow.decided_states:
            raise AlreadyDecided()
        raise IllegalTransition()
    case_transition(locked, workflow.WITHDRAW, actor=actor, note=notes.note(notes.WITHDRAWN))
    copy_into(locked, case)
    return case


@transaction.atomic
def case_verify(case, *, actor, perm, note, ip_address=None):
    """A reviewer records that the case's facts were checked (`note` says which); the
    approver must then be someone else. No change of status."""
    require_perm(actor, case, perm)
    locked = case_lock(case)
    require_not_own(locked, actor)
    if locked.status not in locked.workflow.open_states:
        raise IllegalTransition(_("Only a submitted claim that is not decided can be verified."))
    Case.objects.filter(pk=locked.pk).update(verified_by=actor, updated_at=timezone.now())
    locked.verified_by = actor
    case_note(locked, actor, note, ip_address=ip_address)
    copy_into(locked, case)
    return case


@transaction.atomic
def case_request_documents(case, *, actor, perm, message, ip_address=None):
    """A reviewer asks the applicant for documents, with a message they read."""
    require_perm(actor, case, perm)
    text = str(message or "").strip()
    if not text:
        raise InvalidInput(
            _("Tell the applicant what is needed."), code="required", field="message"
        )
    locked = case_lock(case)
    require_not_own(locked, actor)
    case_transition(
        locked,
        workflow.REQUEST_DOCUMENTS,
        actor=actor,
        note=notes.note(notes.DOCUMENTS_REQUESTED, text=text),
        ip_address=ip_address,
        request_message=text,
        reviewed_by=actor,
    )
    copy_into(locked, case)
    return case


@transaction.atomic
def case_reject(case, *, actor, perm, reason, ip_address=None, note=None, **fields):
    """A reviewer rejects the case with the reason the applicant reads (their notice
    says how to contest it). `note` replaces the plain rejection line, and `fields`
    are recorded with it, where a kind keeps more (the rule the refusal rests on)."""
    require_perm(actor, case, perm)
    text = str(reason or "").strip()
    if not text:
        raise InvalidInput(
            _("Give the reason the applicant will see."), code="required", field="reason"
        )
    locked = case_lock(case)
    if locked.status in locked.workflow.decided_states:
        raise AlreadyDecided()
    require_not_own(locked, actor)
    case_transition(
        locked,
        workflow.REJECT,
        actor=actor,
        note=note or notes.note(notes.REJECTED, text=text),
        ip_address=ip_address,
        rejection_reason=text,
        reviewed_by=actor,
        decided_at=timezone.now(),
        **fields,
    )
    copy_into(locked, case)
    return case


def copy_into(source, target):
    """Let the caller's instance see what the locked copy now holds."""
    if source is not target:
        target.__dict__.update(
            {k: v for k, v in source.__dict__.items() if not k.startswith("_state")}
        )


# --- the decision record ----------------------------------------------------------------


def decision_fields(case, stage, decision):
    """The fields that record `decision` (taken at `stage`) on the case."""
    entry = {
        "stage": stage,
        "allowed": decision.allowed,
        "codes": list(decision.codes),
        "rules_version": decision.rules_version,
        "at": timezone.now().isoformat(),
    }
    return {
        "rules_version": decision.rules_version,
        "decision_stage": stage,
        "decision_codes": list(decision.codes),
        "decisions": [*list(case.decisions or []), entry],
    }


def decision_save_refusal(case_pk, stage, decision, *, staff_only=False):
    """Keep a refused decision on the record even though the change is refused."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_pk)
        Case.objects.filter(pk=case_pk).update(**decision_fields(case, stage, decision))
        case_note(
            case,
            None,
            notes.note(notes.ELIGIBILITY_REFUSED, stage=stage, codes=list(decision.codes)),
            staff_only=staff_only,
        )


# --- documents -------------------------------------------------------------------------


def _not_editable():
    return IllegalTransition(_("Documents can only be added to a draft or when requested."))


def document_add(*, case, kind, uploaded_file, uploader):
    """Attach an uploaded file to a case the applicant may still change.

    Only the applicant. The file is streamed under a generated name inside
    DOCUMENT_ROOT while its size and SHA-256 are computed; an empty, oversized or
    non PDF/JPEG/PNG file is refused (DocumentRefused with the problem's code) and
    nothing is kept. The original name is stored sanitised, for display only.
    """
    require_applicant(case, uploader)
    kinds = case.workflow.document_kinds
    if kinds is None or kind not in kinds.values:
        raise InvalidInput(
            _("Choose what kind of document this is."), code="invalid_choice", field="kind"
        )
    if not case.is_editable:
        raise _not_editable()
    _require_room_for_documents(case)
    max_bytes = settings.DOCUMENT_MAX_BYTES
    chunks = (
        uploaded_file.chunks()
        if hasattr(uploaded_file, "chunks")
        else iter(lambda: uploaded_file.read(storage.CHUNK), b"")
    )
    stored = storage.save_stream(chunks, max_bytes=max_bytes)
    try:
        problems = inspection.inspect_upload(stored.head, stored.size, max_bytes=max_bytes)
        if problems:
            raise DocumentRefused(problems[0].message, code=problems[0].code, field="file")
        with transaction.atomic():
            locked = case_lock(case)
            if not locked.is_editable:
                raise _not_editable()
            _require_room_for_documents(locked, adding=stored.size)
            document = Document.objects.create(
                case=locked,
                kind=kind,
                stored_name=stored.stored_name,
                original_name=inspection.sanitize_filename(getattr(uploaded_file, "name", "")),
                size=stored.size,
                sha256=stored.sha256,
                content_type=inspection.sniff_type(stored.head) or "",
                uploaded_by=uploader,
            )
            case_note(locked, uploader, notes.note(notes.DOCUMENT_ADDED, kind=kind))
    except BaseException:
        storage.delete(stored.stored_name)
        raise
    return document


TOO_MANY_DOCUMENTS = "too_many_documents"
DOCUMENTS_TOO_LARGE = "documents_too_large"


def _require_room_for_documents(case, adding=0):
    """At most SSCARD_CLAIM_MAX_DOCUMENTS files and SSCARD_CLAIM_MAX_DOCUMENT_BYTES
    bytes per case (checked before the upload is read, and again with its size)."""
    kept = Document.objects.filter(case_id=case.pk).aggregate(n=Count("id"), size=Sum("size"))
    count, size = kept["n"] or 0, kept["size"] or 0
    if count + 1 > settings.SSCARD_CLAIM_MAX_DOCUMENTS:
        raise DocumentRefused(
            _("A claim can have at most %(n)d documents. Remove one before adding another.")
            % {"n": settings.SSCARD_CLAIM_MAX_DOCUMENTS},
            code=TOO_MANY_DOCUMENTS,
            field="file",
        )
    if size + adding > settings.SSCARD_CLAIM_MAX_DOCUMENT_BYTES:
        raise DocumentRefused(
            _("The documents of a claim can be at most %(mb)d MB together.")
            % {"mb": settings.SSCARD_CLAIM_MAX_DOCUMENT_BYTES // (1024 * 1024)},
            code=DOCUMENTS_TOO_LARGE,
            field="file",
        )


@transaction.atomic
def document_remove(*, document, actor):
    """The applicant removes a document while the case may still be changed."""
    case = case_lock(workflow.model_for(document.case.kind)(pk=document.case_id))
    require_applicant(case, actor)
    if not case.is_editable:
        raise IllegalTransition(_("Documents can only be removed from a draft or when requested."))
    stored_name = document.stored_name
    Document.objects.filter(pk=document.pk).delete()
    case_note(case, actor, notes.note(notes.DOCUMENT_REMOVED, kind=document.kind))
    transaction.on_commit(lambda: storage.delete(stored_name))


def _not_started():
    """Cases still in their first state (drafts): their files prove nothing yet."""
    q = Q()
    for flow in workflow.all_workflows():
        q |= Q(case__kind=flow.kind, case__status=flow.initial)
    return q


def _duplicate_elsewhere(document):
    return (
        Document.objects.filter(sha256=document.sha256)
        .exclude(case__cardholder_id=document.case.cardholder_id)
        .exclude(_not_started())
    )


@transaction.atomic
def document_record_finding(document_id, inspection):
    """Record the automated finding on a document, once (only while pending).

    Also flags the document when the same bytes are attached to another
    cardholder's case: a signal for the reviewer, not a failure.
    Returns True when this call recorded the finding.
    """
    document = Document.objects.select_related("case").filter(pk=document_id).first()
    if document is None or document.finding != Finding.PENDING:
        return False
    others = list(_duplicate_elsewhere(document).values_list("pk", flat=True))
    detail = [p.message for p in inspection.problems]
    codes = list(inspection.codes)
    if others:
        detail.append(
            "The same file is attached to another cardholder's application: check for fraud."
        )
    updated = Document.objects.filter(pk=document_id, finding=Finding.PENDING).update(
        finding=Finding.PASSED if inspection.passed else Finding.FAILED,
        finding_codes=codes,
        finding_detail="\n".join(detail),
        content_type=inspection.content_type or document.content_type,
        reviewed_at=timezone.now(),
        duplicate_of_other_cardholder=bool(others),
    )
    if updated and others:
        Document.objects.filter(pk__in=others).update(duplicate_of_other_cardholder=True)
    return bool(updated)


# --- the review worker -----------------------------------------------------------


@transaction.atomic
def case_start_review(case_id):
    """submitted → in_review. Safe to run twice; returns the case, or None when there
    is nothing to review any more (withdrawn, decided…)."""
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None or case.status not in case.workflow.review_states:
        return None
    if case.allows(workflow.START_REVIEW):
        case_transition(
            case,
            workflow.START_REVIEW,
            actor=None,
            note=notes.note(notes.REVIEW_STARTED),
            review_attempts=F("review_attempts") + 1,
        )
    return case


@transaction.atomic
def case_finish_review(case_id):
    """in_review → awaiting_decision once every document has a finding. Safe to repeat."""
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None or not case.allows(workflow.FINISH_REVIEW):
        return case
    if case.documents.filter(finding=Finding.PENDING).exists():
        return case
    documents = list(case.documents.values_list("finding", "duplicate_of_other_cardholder"))
    duplicates = sum(1 for _finding, dup in documents if dup)
    note = notes.note(
        notes.REVIEW_FINISHED,
        n=len(documents),
        failed=sum(1 for finding, _dup in documents if finding == Finding.FAILED),
    )
    case_transition(case, workflow.FINISH_REVIEW, actor=None, note=note)
    if duplicates:
        # A fraud signal: staff see it, the applicant does not.
        case_note(case, None, notes.note(notes.DUPLICATE_FILES, n=duplicates), staff_only=True)
    return case


@transaction.atomic
def case_record_note(case_id, *, note, actor=None):
    """Put a line on the timeline without changing the status (e.g. for a human)."""
    case = Case.objects.get(pk=case_id)
    return case_note(case, actor, note)


@transaction.atomic
def case_requeue_review(case_id):
    """Queue the document review again for a case stuck waiting for it.

    Compare-and-set on review_queued_at, so two sweepers queue it once. Bounded: after
    REVIEW_MAX_ROUNDS automatic rounds since the last submission (first review plus
    re-queues) it is left for a human, with a note saying so, instead of looping.
    """
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return False
    review_states = case.workflow.review_states
    if case.status not in review_states or case.review_attempts >= REVIEW_MAX_ROUNDS:
        return False  # nothing to review, or a human was told and the sweeper does not loop
    updated = Case.objects.filter(
        pk=case.pk, status__in=review_states, review_queued_at=case.review_queued_at
    ).update(review_queued_at=timezone.now(), review_attempts=F("review_attempts") + 1)
    if not updated:
        return False
    if case.review_attempts + 1 >= REVIEW_MAX_ROUNDS:
        case_note(case, None, notes.note(notes.REVIEW_GIVEN_UP, n=REVIEW_MAX_ROUNDS))
        return False
    case_note(case, None, notes.note(notes.REVIEW_REQUEUED))
    queue_review(case)
    return True
