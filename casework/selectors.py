"""Reads of the case pipeline, scoped to what the asking user may see."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.exceptions import NotFound
from casework import workflow
from casework.models import Case, Document, Event, Finding, Notification


def is_staff_with(user, perms):
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and any(user.has_perm(perm) for perm in perms)
    )


def cases_for_user(model, user):
    """The cases of one kind (its model) the user made, newest first."""
    return (
        model.objects.filter(applicant_id=user.pk)
        .select_related("cardholder")
        .order_by("-created_at", "-id")
    )


def case_get_for_user(model, user, pk):
    """One of the user's own cases; NotFound otherwise (whoever else owns it)."""
    try:
        return cases_for_user(model, user).get(pk=pk)
    # OverflowError: a number beyond the database's integer range (SQLite raises it
    # before the query runs); no case has such a key.
    except (model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def case_get_for_reader(model, user, pk, *, staff_action=False):
    """The case `user` may read: their own, or any for the kind's staff.

    For a staff action any staff member gets it and the service decides whether
    they may act. Everything else is NotFound, whether it exists or not.
    """
    flow = workflow.get(model.KIND)
    staff = user.is_authenticated and user.is_staff
    if staff and (staff_action or is_staff_with(user, flow.read_perms)):
        case = model.objects.select_related("cardholder", "applicant").filter(pk=pk).first()
        if case is None:
            raise NotFound()
        return case
    return case_get_for_user(model, user, pk)


def case_get(model, pk):
    """Any case of a kind, for staff pages that checked their permission already."""
    return model.objects.select_related("cardholder", "applicant").filter(pk=pk).first()


def document_get_for_user(user, pk):
    """A document the user may open: the applicant's own, or any for the kind's staff."""
    document = (
        Document.objects.select_related("case").filter(pk=pk).first() if str(pk).isdigit() else None
    )
    if document is None or not user.is_authenticated:
        raise NotFound()
    if document.case.applicant_id == user.pk:
        return document
    if is_staff_with(user, workflow.get(document.case.kind).document_perms):
        return document
    raise NotFound()


def document_get(pk):
    return Document.objects.filter(pk=pk).first()


def documents_of(case):
    """The case's documents in upload order, with who uploaded them."""
    documents = Document.objects.filter(case_id=case.pk).select_related("uploaded_by")
    return list(documents.order_by("id"))


def pending_documents(case_id):
    return list(Document.objects.filter(case_id=case_id, finding=Finding.PENDING).order_by("id"))


# --- the timeline ---------------------------------------------------------------------


@dataclass(frozen=True)
class Timeline:
    events: list
    next_step: str


def timeline(case):
    """The case's events in order, and what happens next (one query)."""
    events = list(
        Event.objects.filter(case_id=case.pk).select_related("actor").order_by("created_at", "id")
    )
    step = workflow.get(case.kind).next_steps.get(case.status, "")
    return Timeline(events=events, next_step=str(step))


# --- the staff queue -------------------------------------------------------------------


def review_queue(model):
    """Cases of a kind waiting for staff, oldest submission first."""
    flow = workflow.get(model.KIND)
    return (
        model.objects.filter(status__in=flow.queue_states)
        .select_related("cardholder", "applicant")
        .order_by("submitted_at", "id")
    )


def review_deadline(now=None):
    """Submissions before this moment are overdue while staff still hold them."""
    return (now or timezone.now()) - timedelta(hours=settings.SSCARD_REVIEW_SLA_HOURS)


def overdue_q(now=None):
    """The cases waiting for the service centre past the SLA, every kind."""
    waiting = Q()
    for flow in workflow.all_workflows():
        waiting |= Q(kind=flow.kind, status__in=flow.queue_states)
    return waiting & Q(submitted_at__lt=review_deadline(now))


def is_overdue(case, now=None):
    return (
        case.status in case.workflow.queue_states
        and case.submitted_at is not None
        and case.submitted_at < review_deadline(now)
    )


def status_counts(model):
    """{status: number of cases} of one kind."""
    from django.db.models import Count

    return dict(
        model.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )


# --- what the sweeper looks for ----------------------------------------------------------


def stalled_reviews(cutoff, max_rounds, limit=500):
    """Ids of cases waiting for the automated review since before `cutoff`."""
    waiting = Q()
    for flow in workflow.all_workflows():
        waiting |= Q(kind=flow.kind, status__in=flow.review_states)
    return list(
        Case.objects.filter(waiting, review_attempts__lt=max_rounds)
        .filter(Q(review_queued_at__lt=cutoff) | Q(review_queued_at__isnull=True))
        .order_by("review_queued_at")
        .values_list("pk", flat=True)[:limit]
    )


def unsent_notifications(cutoff, since, limit=500):
    """(case id, event id) of every status change older than `cutoff` and younger than
    `since` whose email was never sent."""
    concerned = Q()
    for flow in workflow.all_workflows():
        if flow.notify:
            concerned |= Q(kind=flow.kind, new_status__in=flow.notify)
    if not concerned:
        return []
    return list(
        Event.objects.filter(concerned, created_at__lt=cutoff, created_at__gte=since)
        .exclude(old_status=F("new_status"))
        .exclude(Exists(Notification.objects.filter(event=OuterRef("pk"))))
        .order_by("id")
        .values_list("case_id", "pk")[:limit]
    )
