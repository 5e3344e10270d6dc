"""Custom admin pages for service-center staff.

Thin by design: each view parses input, calls one service and reports the outcome
as a message. Refusals of the rules or the state (DomainError) become an error
message and change nothing; a missing permission is a 403.
"""

import inspect
import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin

from accounts.exceptions import DomainError
from accounts.models import Account
from core import csv
from core.http import client_ip
from sscard.security import needs_second_factor
from withdrawals import admin_forms, payout_files, selectors, services, storage
from withdrawals.models import (
    DECIDED_STATES,
    ApplicationEvent,
    Status,
    SupportingDocument,
    WithdrawalApplication,
)

PERM = "withdrawals.{}".format
# Staff who may open documents: reviewers, approvers and auditors.
DOCUMENT_PERMS = (
    PERM("review_application"),
    PERM("approve_application"),
    PERM("view_supportingdocument"),
)
# Where the claim waits on staff; only these can be overdue.
STAFF_WAITING_STATES = (Status.SUBMITTED, Status.IN_REVIEW, Status.AWAITING_DECISION)
PREVIEWABLE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


def _money(value):
    # SQLite sums drop the scale; show yuan and fen always.
    return (value or Decimal("0")).quantize(Decimal("0.01"))


def review_deadline(now=None):
    """Submissions before this moment are overdue while staff still hold them."""
    return (now or timezone.now()) - timedelta(hours=settings.SSCARD_REVIEW_SLA_HOURS)


def overdue_q(now=None):
    return Q(status__in=STAFF_WAITING_STATES, submitted_at__lt=review_deadline(now))


def is_overdue(application, now=None):
    return (
        application.status in STAFF_WAITING_STATES
        and application.submitted_at is not None
        and application.submitted_at < review_deadline(now)
    )


def display_person(user):
    """A user for staff eyes: the name, and the login masked (it may be an ID number)."""
    if user is None:
        return _("system")
    name = user.get_full_name().strip()
    shown = user.masked_login
    return f"{name} ({shown})" if name else shown


# --- the action buttons ---------------------------------------------------------------


def _call(service, application, request, **kwargs):
    """Call `service`, giving it the client's address when it records one."""
    if "ip_address" in inspect.signature(service).parameters:
        kwargs["ip_address"] = client_ip(request)
    return service(application, actor=request.user, **kwargs)


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    form: type
    permission: str
    # The states in which the button is offered; the service decides for real.
    states: tuple
    run: object
    success: str
    danger: bool = False
    reason: str = ""  # only for this claim reason, if set


ACTIONS = {
    a.name: a
    for a in (
        Action(
            "verify_death",
            _l("Verify death"),
            admin_forms.VerifyDeathForm,
            "verify_life_event",
            (Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_DOCUMENTS, Status.AWAITING_DECISION),
            lambda app, req, d: _call(
                services.cardholder_verify_death,
                app,
                req,
                date_of_death=d["date_of_death"],
                certificate_number=d["certificate_number"],
            ),
            _l("Death verified and recorded on the cardholder."),
            reason="death",
        ),
        Action(
            "verify_emigration",
            _l("Verify emigration"),
            admin_forms.VerifyEmigrationForm,
            "verify_life_event",
            (Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_DOCUMENTS, Status.AWAITING_DECISION),
            lambda app, req, d: _call(services.cardholder_verify_emigration, app, req, **d),
            _l("Emigration verified and recorded on the cardholder."),
            reason="emigration",
        ),
        Action(
            "request_documents",
            _l("Request documents"),
            admin_forms.RequestDocumentsForm,
            "review_application",
            (Status.IN_REVIEW, Status.AWAITING_DECISION),
            lambda app, req, d: _call(
                services.application_request_documents, app, req, message=d["message"]
            ),
            _l("The applicant was asked for documents."),
        ),
        Action(
            "approve",
            _l("Approve and pay out"),
            admin_forms.ApproveForm,
            "approve_application",
            (Status.AWAITING_DECISION,),
            lambda app, req, d: _call(services.application_approve, app, req),
            _l("Approved: the balance moved to payouts and the accounts are closed."),
        ),
        Action(
            "reject",
            _l("Reject"),
            admin_forms.RejectForm,
            "review_application",
            (Status.IN_REVIEW, Status.AWAITING_DECISION),
            lambda app, req, d: _call(services.application_reject, app, req, reason=d["reason"]),
            _l("The application was rejected."),
            danger=True,
        ),
        Action(
            "mark_payout_failed",
            _l("Mark payout failed"),
            admin_forms.MarkPayoutFailedForm,
            "manage_payouts",
            (Status.APPROVED,),
            lambda app, req, d: _call(services.payout_mark_failed, app, req, note=d["note"]),
            _l("The payout is marked failed; correct the bank details and re-queue it."),
            danger=True,
        ),
        Action(
            "requeue_payout",
            _l("Re-queue payout"),
            admin_forms.RequeuePayoutForm,
            "manage_payouts",
            (Status.PAYOUT_FAILED,),
            lambda app, req, d: _call(services.payout_requeue, app, req, **d),
            _l("Bank details corrected; the payout goes out with the next batch."),
        ),
    )
}


def actions_for(request, application):
    """The buttons this user sees on this application, each with an unbound form."""
    offered = []
    for action in ACTIONS.values():
        if not request.user.has_perm(PERM(action.permission)):
            continue
        if application.status not in action.states:
            continue
        if action.reason and application.reason != action.reason:
            continue
        initial = {}
        if action.name == "requeue_payout":
            initial = {
                "bank_name": application.bank_name,
                "bank_account_holder": application.bank_account_holder,
                "bank_account_number": application.bank_account_number,
            }
        offered.append(
            {
                "action": action,
                "form": action.form(initial=initial, prefix=action.name),
                "url": reverse(
                    "admin:withdrawals_application_action", args=[application.pk, action.name]
                ),
            }
        )
    return offered


def action_view(request, model_admin, pk, name):
    """GET: the action's form on its own page. POST: call the service once."""
    action = ACTIONS.get(name)
    if action is None:
        raise Http404
    if not request.user.has_perm(PERM(action.permission)):
        raise PermissionDenied
    application = get_object_or_404(
        WithdrawalApplication.objects.select_related("cardholder", "applicant"), pk=pk
    )
    change_url = reverse("admin:withdrawals_withdrawalapplication_change", args=[application.pk])
    form = action.form(request.POST if request.method == "POST" else None, prefix=name)
    if request.method == "POST" and form.is_valid():
        try:
            action.run(application, request, form.cleaned_data)
        except DomainError as exc:
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                messages.error(request, exc.message)
                return redirect(change_url)
        else:
            messages.success(request, f"{application.reference}: {action.success}")
            return redirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"{action.label}: {application.reference}",
        "application": application,
        "action": action,
        "form": form,
        "change_url": change_url,
    }
    return TemplateResponse(request, "admin/withdrawals/action_form.html", context)


# --- the application page ----------------------------------------------------------------


def _reason_rows(decision):
    language = get_language() or "en"
    return [
        {
            "code": r.code,
            "message": r.message(language),
            "legal_basis": r.legal_basis_text(),
            "account": r.account,
            "document": r.document,
        }
        for r in decision.reasons
    ]


def application_page_context(request, application):
    """Everything the application page shows beside its read-only fields."""
    cardholder = application.cardholder
    decision = services.application_decision(application, "approval")
    documents = list(application.documents.select_related("uploaded_by").order_by("id"))
    for document in documents:
        document.preview_url = reverse("admin:withdrawals_document_preview", args=[document.pk])
        document.previewable = document.content_type in PREVIEWABLE_TYPES
    accounts = list(Account.objects.filter(cardholder=cardholder).order_by("kind", "scheme", "id"))
    return {
        "application": application,
        "cardholder": cardholder,
        "cardholder_id_shown": (
            cardholder.national_id
            if request.user.has_perm("accounts.view_full_national_id")
            else cardholder.masked_national_id
        ),
        "applicant_shown": display_person(application.applicant),
        "accounts": accounts,
        "claimed_total": claimed_total(application, accounts),
        "decision": decision,
        "decision_reasons": _reason_rows(decision),
        "documents": documents,
        "timeline": selectors.timeline(application),
        "overdue": is_overdue(application),
        "sla_hours": settings.SSCARD_REVIEW_SLA_HOURS,
        "staff_actions": actions_for(request, application),
    }


def claimed_total(application, accounts):
    """The claimed personal balances now (the paid amount once approved)."""
    if application.amount is not None:
        return application.amount
    return sum(
        (
            a.balance
            for a in accounts
            if a.kind == Account.Kind.PERSONAL and a.scheme in application.schemes
        ),
        Decimal("0.00"),
    )


# --- document preview ------------------------------------------------------------------


def may_open_documents(user):
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and any(user.has_perm(p) for p in DOCUMENT_PERMS)
    )


@never_cache
@xframe_options_sameorigin
def document_preview(request, pk):
    """Stream a stored document to review staff, inline, with no rights to run anything.

    Anyone not staff (an applicant, a cardholder, a stranger) gets 404, so the
    address reveals nothing; staff without a review, approval or audit permission
    get 403. The type sent is the one detected from the bytes at upload.
    """
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise Http404
    if needs_second_factor(user):
        # Not wrapped in admin_view: ask for the admin login (with its TOTP code) here.
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not may_open_documents(user):
        raise PermissionDenied
    document = get_object_or_404(SupportingDocument, pk=pk)
    content_type = (
        document.content_type
        if document.content_type in PREVIEWABLE_TYPES
        else "application/octet-stream"
    )
    try:
        handle = storage.open_document(document.stored_name)
    except (OSError, storage.UnsafePath):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    disposition = "inline" if content_type in PREVIEWABLE_TYPES else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="document-{document.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    # Images open in a sandbox. Chromium refuses to show a PDF in a sandboxed document,
    # so a PDF gets no script or connection rights instead; its type was proven from
    # its bytes and nosniff stops the browser from guessing another.
    response["Content-Security-Policy"] = (
        "default-src 'none'; frame-ancestors 'self'"
        if content_type == "application/pdf"
        else "sandbox"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- payout batches ----------------------------------------------------------------------


def payouts_view(request, model_admin):
    """The payout batch page: download the batch file, upload the bank's results."""
    if not request.user.has_perm(PERM("manage_payouts")):
        raise PermissionDenied
    form = admin_forms.PayoutResultsForm()
    if request.method == "POST":
        if "export" in request.POST:
            out = io.StringIO()
            batch = payout_files.export_batch(
                out, actor=request.user, ip_address=client_ip(request)
            )
            if not batch:
                messages.info(request, _("No approved payout is waiting to be sent."))
                return redirect("admin:withdrawals_payouts")
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="payouts-{stamp}.csv"'
            return response
        form = admin_forms.PayoutResultsForm(request.POST, request.FILES)
        if form.is_valid():
            counts, problems = payout_files.import_results(
                io.StringIO(form.cleaned_data["results"]),
                actor=request.user,
                ip_address=client_ip(request),
            )
            summary = ", ".join(f"{n} {what}" for what, n in counts.items())
            level = messages.ERROR if counts["errors"] else messages.SUCCESS
            messages.add_message(request, level, _("Bank results recorded: %s.") % summary)
            for problem in problems[:50]:
                messages.warning(request, problem)
            return redirect("admin:withdrawals_payouts")
    waiting = payout_files.payouts_waiting()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Payout batches"),
        "waiting": waiting.select_related("cardholder")[:200],
        "waiting_total": _money(waiting.aggregate(total=Sum("amount"))["total"]),
        "waiting_count": waiting.count(),
        "sent": WithdrawalApplication.objects.filter(
            status=Status.APPROVED, payout_sent_at__isnull=False
        ).order_by("-payout_sent_at")[:50],
        "form": form,
    }
    return TemplateResponse(request, "admin/withdrawals/payouts.html", context)


# --- audit export ---------------------------------------------------------------------------

AUDIT_HEADER = ["time", "application", "actor", "from", "to", "note", "ip_address"]


def audit_csv_response(events):
    """The events as CSV, oldest first; formula-looking cells are neutralised."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    rows = (
        (
            timezone.localtime(event.created_at).isoformat(),
            event.application.reference,
            event.actor.get_username() if event.actor else "system",
            event.old_status,
            event.new_status,
            event.note,
            event.ip_address or "",
        )
        for event in events.select_related("application", "actor").order_by("created_at", "id")
    )
    return csv.response(f"audit-{stamp}.csv", AUDIT_HEADER, rows)


# --- the staff dashboard ----------------------------------------------------------------------


def dashboard_data(user):
    """What the staff landing page shows; four small queries."""
    if not user.has_perm(PERM("view_withdrawalapplication")):
        return None
    now = timezone.now()
    counts = dict(
        WithdrawalApplication.objects.exclude(status=Status.DRAFT)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    overdue = list(
        WithdrawalApplication.objects.filter(overdue_q(now))
        .select_related("cardholder")
        .order_by("submitted_at", "id")[:10]
    )
    waiting = payout_files.payouts_waiting().aggregate(n=Count("id"), total=Sum("amount"))
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today = ApplicationEvent.objects.filter(created_at__gte=start_of_day)
    changelist = reverse("admin:withdrawals_withdrawalapplication_changelist")
    return {
        "status_counts": [
            {
                "status": value,
                "label": label,
                "count": counts.get(value, 0),
                "url": f"{changelist}?status__exact={value}",
            }
            for value, label in Status.choices
            if value != Status.DRAFT
        ],
        "overdue_count": WithdrawalApplication.objects.filter(overdue_q(now)).count(),
        "overdue": overdue,
        "overdue_url": f"{changelist}?overdue=yes",
        "sla_hours": settings.SSCARD_REVIEW_SLA_HOURS,
        "payouts_waiting": waiting["n"] or 0,
        "payouts_total": _money(waiting["total"]),
        "payouts_url": (
            reverse("admin:withdrawals_payouts") if user.has_perm(PERM("manage_payouts")) else ""
        ),
        "today_count": today.count(),
        "today_staff_count": today.filter(actor__isnull=False).count(),
        "today_events": list(
            today.select_related("application", "actor").order_by("-created_at", "-id")[:15]
        ),
        "audit_url": reverse("admin:withdrawals_applicationevent_changelist"),
        "decided_states": DECIDED_STATES,
    }
