"""Reads of the record correction, scoped to what the asking user may see."""

from django.utils.translation import gettext as _

from accounts import record_fields
from accounts.extensions import RecordLine
from casework.models import Finding
from corrections import eligibility
from corrections.models import WORKFLOW, RecordCorrection


def current_value(cardholder, field):
    """The field's value on the record now, as the case keeps it (text)."""
    spec = record_fields.record_field(field)
    return record_fields.as_text(getattr(cardholder, spec.attribute))


def open_correction(cardholder, field, *, exclude=None):
    """The reference of another correction of the same field still open, or ""."""
    states = (*WORKFLOW.editable_states, *WORKFLOW.open_states)
    query = RecordCorrection.objects.filter(cardholder=cardholder, field=field, status__in=states)
    if exclude is not None:
        query = query.exclude(pk=exclude.pk)
    return query.values_list("reference", flat=True).first() or ""


def correction_facts(cardholder, *, stage, field, new_value, reason, evidence, case=None):
    return eligibility.Facts(
        stage=stage,
        field=field,
        current_value=case.old_value if case is not None else current_value(cardholder, field),
        new_value=new_value,
        reason_given=bool(str(reason or "").strip()),
        evidence_attached=evidence,
        life_status=cardholder.life_status,
        open_correction=open_correction(cardholder, field, exclude=case),
    )


def evidence_count(case, *, passed_only=False):
    documents = case.documents.all()
    if passed_only:
        documents = documents.filter(finding=Finding.PASSED)
    return documents.count()


def correction_decision(case, *, stage):
    """The rules as the case stands: at approval only documents that passed count."""
    return eligibility.evaluate(
        correction_facts(
            case.cardholder,
            stage=stage,
            field=case.field,
            new_value=case.new_value,
            reason=case.reason,
            evidence=evidence_count(case, passed_only=stage == eligibility.APPROVAL),
            case=case,
        )
    )


def corrections_for_user(user):
    return RecordCorrection.objects.filter(applicant_id=user.pk).order_by("-created_at", "-id")


def correction_body(case):
    """The API's view of one correction."""
    body = {
        "id": case.pk,
        "reference": case.reference,
        "field": case.field,
        "old_value": case.old_value,
        "new_value": case.new_value,
        "reason": case.reason,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "next_step": str(WORKFLOW.next_steps.get(case.status, "")),
        "documents": [
            {"id": d.pk, "kind": d.kind, "name": d.original_name}
            for d in case.documents.order_by("id")
        ],
        "created_at": case.created_at,
        "decided_at": case.decided_at,
    }
    if case.status == WORKFLOW.states.REJECTED:
        refusal = eligibility.refusal(case.refusal_code) if case.refusal_code else None
        body["decision"] = {
            "code": case.refusal_code,
            "reason": case.rejection_reason,
            "legal_basis": refusal.legal_basis_text if refusal else "",
            "how_to_contest": str(eligibility.HOW_TO_CONTEST),
        }
    return body


def corrected_record_lines(cardholder):
    """Corrections made to the record, for "My record"."""
    rows = RecordCorrection.objects.filter(
        cardholder=cardholder, status=WORKFLOW.states.CORRECTED
    ).order_by("-decided_at")
    return [
        RecordLine(
            kind="record_correction",
            title=_("Corrected on the record: %(field)s") % {"field": row.field_label},
            on=row.decided_at.date() if row.decided_at else None,
            reference=row.reference,
            detail=f"{row.old_shown} → {row.new_shown}",
        )
        for row in rows
    ]
