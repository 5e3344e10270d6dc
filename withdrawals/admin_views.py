"""Custom admin pages for service-center staff.

Thin by design: each view parses input, calls one service and reports the outcome
as a message. Refusals of the rules or the state (DomainError) become an error
message and change nothing; a missing permission is a 403.
"""

import inspect
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.exceptions import DomainError
from accounts.models import Account
from casework import selectors as case_selectors
from casework import staff, workflow
from casework.staff import (  # noqa: F401  (the pipeline's, used by the admin)
    PREVIEWABLE_TYPES,
    display_person,
    document_preview,
    is_overdue,
    overdue_q,
    review_deadline,
)
from core import csv
from core.http import client_ip
from pensions import payout_selectors as pension_payout_selectors
from pensions.models import PensionPayout
from withdrawals import (
    admin_forms,
    claims_about_me,
    eligibility,
    heir_services,
    payout_files,
    safeguards,
    selectors,
    services,
)
from withdrawals.models import (
    PAYOUT_FAILED,
    PAYOUT_REQUEUED,
    RESOLVE_CONTEST,
    WORKFLOW,
    Status,
)

PERM = WORKFLOW.perm
# Staff who may open documents: reviewers, approvers and auditors.
DOCUMENT_PERMS = WORKFLOW.document_perms
# Where the claim waits on staff; only these can be overdue.
STAFF_WAITING_STATES = WORKFLOW.queue_states


def _money(value):
    # SQLite sums drop the scale; show yuan and fen always.
    return (value or Decimal("0")).quantize(Decimal("0.01"))


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
    # The action in the transitions table (or a derived state set of the workflow,
    # for the actions that only add to the record): the button is offered where the
    # table allows it; the service decides for real.
    transition: str
    run: object
    success: str
    danger: bool = False
    reason: str = ""  # only for this claim reason, if set
    # Offered as a link to its own page (a confirmation) rather than a form in place.
    own_page: bool = False

    @property
    def states(self):
        if self.transition == OPEN:
            return WORKFLOW.open_states
        if self.transition == VERIFIABLE:
            return services.VERIFIABLE_STATES
        return WORKFLOW.sources(self.transition)


# Not a change of status: offered while the claim is submitted and not decided.
OPEN = "open"
# Facts staff verify: open, and not held by a contest.
VERIFIABLE = "verifiable"


ACTIONS = {
    a.name: a
    for a in (
        Action(
            "verify_death",
            _l("Verify death"),
            admin_forms.VerifyDeathForm,
            "verify_life_event",
            VERIFIABLE,
            lambda app, req, d: _call(
                services.cardholder_verify_death,
                app,
                req,
                date_of_death=d["date_of_death"],
                certificate_number=d["certificate_number"],
                reuse_override_reason=d.get("reuse_override_reason", ""),
                correction_reason=d.get("correction_reason", ""),
            ),
            _l("Death verified and recorded on the cardholder."),
            reason="death",
        ),
        Action(
            "verify_emigration",
            _l("Verify emigration"),
            admin_forms.VerifyEmigrationForm,
            "verify_life_event",
            VERIFIABLE,
            lambda app, req, d: _call(services.cardholder_verify_emigration, app, req, **d),
            _l("Emigration verified and recorded on the cardholder."),
            reason="emigration",
        ),
        Action(
            "request_documents",
            _l("Request documents"),
            admin_forms.RequestDocumentsForm,
            "review_application",
            workflow.REQUEST_DOCUMENTS,
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
            workflow.APPROVE,
            lambda app, req, d: _call(services.application_approve, app, req),
            _l("Approved: the balance moved to payouts and the accounts are closed."),
            own_page=True,
        ),
        Action(
            "verify_applicant",
            _l("Applicant identity verified"),
            admin_forms.VerifyApplicantForm,
            "review_application",
            OPEN,
            lambda app, req, d: _call(services.application_verify_applicant, app, req),
            _l("The applicant's identity is recorded as checked."),
        ),
        Action(
            "verify_heir",
            _l("Co-heir's identity verified"),
            admin_forms.VerifyHeirForm,
            "review_application",
            OPEN,
            lambda app, req, d: _call(
                heir_services.heir_verify_identity, app, req, national_id=d["national_id"]
            ),
            _l("The heir's identity is recorded as checked."),
            reason="death",
        ),
        Action(
            "resolve_contest",
            _l("Resolve the contest"),
            admin_forms.ResolveContestForm,
            "review_application",
            RESOLVE_CONTEST,
            lambda app, req, d: _call(claims_about_me.claim_contest_resolve, app, req, **d),
            _l("The contest is resolved."),
        ),
        Action(
            "reject",
            _l("Reject"),
            admin_forms.RejectForm,
            "review_application",
            workflow.REJECT,
            lambda app, req, d: _call(services.application_reject, app, req, reason=d["reason"]),
            _l("The application was rejected."),
            danger=True,
        ),
        Action(
            "mark_payout_failed",
            _l("Mark payout failed"),
            admin_forms.MarkPayoutFailedForm,
            "manage_payouts",
            PAYOUT_FAILED,
            lambda app, req, d: _call(services.payout_mark_failed, app, req, note=d["note"]),
            _l("The payout is marked failed; correct the bank details and re-queue it."),
            danger=True,
        ),
        Action(
            "requeue_payout",
            _l("Re-queue payout"),
            admin_forms.RequeuePayoutForm,
            "manage_payouts",
            PAYOUT_REQUEUED,
            lambda app, req, d: _call(services.payout_requeue, app, req, **d),
            _l("Bank details corrected; the payout goes out with the next batch."),
        ),
    )
}
# Said instead of `success` when the action left the claim in this state.
PENDING_MESSAGES = {
    ("requeue_payout", Status.PAYOUT_FAILED): _l(
        "The new bank details are proposed; a second staff member must enter the same "
        "details to confirm them."
    ),
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
        if action.name == "verify_heir" and not heir_services.has_heirs(application):
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
    application = selectors.application_get(pk)
    if application is None:
        raise Http404
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
            said = PENDING_MESSAGES.get((name, application.status), action.success)
            messages.success(request, f"{application.reference}: {said}")
            return redirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"{action.label}: {application.reference}",
        "application": application,
        "action": action,
        "form": form,
        "change_url": change_url,
        "confirmation": approval_confirmation(application) if name == "approve" else None,
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
    decided = application.status in WORKFLOW.decided_states
    decision = None if decided else selectors.application_decision(application, "approval")
    documents = case_selectors.documents_of(application)
    for document in documents:
        document.preview_url = reverse("admin:withdrawals_document_preview", args=[document.pk])
        document.previewable = document.content_type in PREVIEWABLE_TYPES
    accounts = selectors.cardholder_accounts(cardholder)
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
        "decision_reasons": _reason_rows(decision) if decision else [],
        "recorded_decision": selectors.recorded_decision(application) if decided else None,
        "documents": documents,
        "timeline": selectors.timeline(application),
        "overdue": is_overdue(application),
        "sla_hours": settings.SSCARD_REVIEW_SLA_HOURS,
        "staff_actions": actions_for(request, application),
        "heirs": heir_services.heir_rows(application),
        "survivor_status": heir_services.survivor_status(application),
        "pension_arrears": heir_services.pension_arrears_of(application),
        "work_death_lump_sums": heir_services.work_death_lump_sums_of(application),
        "heir_ids_full": request.user.has_perm("accounts.view_full_national_id"),
        **claim_safeguards_context(request, application),
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


def may_open_documents(user):
    return staff.may_open_documents(user, [WORKFLOW])


# --- payout batches ----------------------------------------------------------------------


def payouts_view(request, model_admin):
    """The payout batch page: download the batch file, upload the bank's results."""
    if not request.user.has_perm(PERM("manage_payouts")):
        raise PermissionDenied
    form = admin_forms.PayoutResultsForm()
    if request.method == "POST":
        if "mark_sent" in request.POST:
            return mark_sent_view(request)
        if "export" in request.POST:
            # Downloading does not mark anything sent: the file can be fetched again.
            out = io.StringIO()
            shares = list(payout_files.heir_services.payouts_waiting())
            batch = payout_files.write_batch(out, payout_files.payouts_waiting(), shares)
            if not batch and not shares:
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
    pension_lines = pension_batch_page(request.GET)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Payout batches"),
        "waiting": waiting.select_related("cardholder")[:200],
        "waiting_total": _money(selectors.payouts_total(waiting)),
        "waiting_count": waiting.count(),
        "waiting_ids": list(waiting.values_list("pk", flat=True)),
        "sent": selectors.payouts_sent()[:50],
        "form": form,
        "pension": pension_lines,
        "pension_links": _pension_links(pension_lines),
    }
    return TemplateResponse(request, "admin/withdrawals/payouts.html", context)


def _id_param(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def pension_batch_page(params):
    """The pension lines part of the payout page, from its query parameters
    (`pension_batch` the batch's time as ISO 8601, `pension_status`, `pension_after`
    or `pension_before` a line id); a malformed value is ignored."""
    try:
        batch = datetime.fromisoformat(params.get("pension_batch", ""))
    except ValueError:
        batch = None
    return pension_payout_selectors.batch_page(
        batch=batch,
        status=params.get("pension_status", ""),
        after=_id_param(params.get("pension_after")),
        before=_id_param(params.get("pension_before")),
    )


def _pension_links(page):
    """The page's links: other batches, a status filter, the pages before and after."""

    def link(**changes):
        params = {"pension_batch": page.batch.isoformat() if page.batch else ""}
        if page.status:
            params["pension_status"] = page.status
        params.update(changes)
        return "?" + urlencode({k: v for k, v in params.items() if v}) + "#pension-lines"

    if page.batch is None:
        return {}
    return {
        "previous_batch": (
            link(pension_batch=page.previous_batch.isoformat(), pension_status="")
            if page.previous_batch
            else ""
        ),
        "next_batch": (
            link(pension_batch=page.next_batch.isoformat(), pension_status="")
            if page.next_batch
            else ""
        ),
        "statuses": [
            (value, label, link(pension_status=value))
            for value, label in [("", _("every status")), *PensionPayout.Status.choices]
        ],
        "newer": link(pension_before=page.first_id) if page.has_previous else "",
        "more": link(pension_after=page.after) if page.after else "",
    }


# --- audit export ---------------------------------------------------------------------------

AUDIT_HEADER = ["time", "application", "actor", "from", "to", "note", "ip_address"]


def audit_csv_response(events):
    """The events as CSV, oldest first; formula-looking cells are neutralised."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    rows = (
        (
            timezone.localtime(event.created_at).isoformat(),
            event.case.reference,
            person_for_staff(event.actor) if event.actor else "system",
            event.old_status,
            event.new_status,
            event.note,
            event.ip_address or "",
        )
        for event in events.select_related("case", "actor").order_by("created_at", "id")
    )
    return csv.response(f"audit-{stamp}.csv", AUDIT_HEADER, rows)


# --- the staff dashboard ----------------------------------------------------------------------


def dashboard_data(user):
    """What the staff landing page shows; four small queries."""
    if not user.has_perm(PERM("view_withdrawalapplication")):
        return None
    now = timezone.now()
    data = selectors.dashboard(now)
    changelist = reverse("admin:withdrawals_withdrawalapplication_changelist")
    return {
        "status_counts": [
            {
                "status": value,
                "label": label,
                "count": data.counts.get(value, 0),
                "url": f"{changelist}?status__exact={value}",
            }
            for value, label in Status.choices
            if value != WORKFLOW.initial
        ],
        "overdue_count": data.overdue_count,
        "overdue": data.overdue,
        "overdue_url": f"{changelist}?overdue=yes",
        "sla_hours": settings.SSCARD_REVIEW_SLA_HOURS,
        "payouts_waiting": data.payouts_waiting,
        "payouts_total": _money(data.payouts_total),
        "payouts_url": (
            reverse("admin:withdrawals_payouts") if user.has_perm(PERM("manage_payouts")) else ""
        ),
        "today_count": data.today_count,
        "today_staff_count": data.today_staff_count,
        "today_events": with_people(data.today_events),
        "audit_url": reverse("admin:withdrawals_applicationevent_changelist"),
        "decided_states": WORKFLOW.decided_states,
    }


# --- people, not digests; the claim's safeguards ------------------------------------------


def person_for_staff(user):
    """Staff by username; a citizen (who logs in with an ID number, stored as a digest)
    by masked ID number and name."""
    if user is None:
        return _("system")
    if not user.national_id:
        return user.get_username()
    name = user.get_full_name().strip()
    return f"{user.masked_login} {name}".strip()


def with_people(events):
    """The events, each with `actor_shown` for staff eyes."""
    events = list(events)
    for event in events:
        event.actor_shown = person_for_staff(event.actor) if event.actor_id else _("system")
    return events


def claim_safeguards_context(request, application):
    """What the application page shows about who may decide, the applicant's
    registered identity, the contest and re-used certificates."""
    facts = services.decision_facts(application, request.user)
    safeguards_now = _reason_rows(
        eligibility.Decision(allowed=False, reasons=safeguards.approval_reasons(facts))
    )
    identity = selectors.applicant_identity(application.applicant)
    timeline = selectors.timeline(application)
    return {
        "timeline": selectors.Timeline(with_people(timeline.events), timeline.next_step),
        "safeguard_reasons": safeguards_now,
        "applicant_identity": {
            "name": identity.name,
            "national_id": (
                identity.national_id
                if request.user.has_perm("accounts.view_full_national_id")
                else application.applicant.masked_login
            ),
        },
        "applicant_verified_by": (
            person_for_staff(application.applicant_verified_by)
            if application.applicant_verified_by_id
            else ""
        ),
        "certificate_reuses": selectors.certificate_reuses(application),
        "approve_url": reverse(
            "admin:withdrawals_application_action", args=[application.pk, "approve"]
        ),
    }


def approval_confirmation(application):
    """What the approver confirms before anything moves: the amount, the payee and
    the accounts that close."""
    accounts = [
        a
        for a in selectors.cardholder_accounts(application.cardholder)
        if a.kind == Account.Kind.PERSONAL and a.scheme in application.schemes
    ]
    return {
        "amount": claimed_total(application, accounts),
        "accounts": accounts,
        "payee": application.bank_account_holder,
        "bank": application.bank_name,
        "account_number": application.bank_account_number,
    }


def mark_sent_view(request):
    """Mark the payouts listed on the page (those in the downloaded file) sent."""
    ids = [int(v) for v in request.POST.getlist("application") if str(v).isdigit()]
    try:
        marked = services.payout_mark_sent(ids, actor=request.user, ip_address=client_ip(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if marked:
            messages.success(
                request, _("%(n)d payout(s) marked as sent to the bank.") % {"n": len(marked)}
            )
        else:
            messages.info(request, _("No approved payout is waiting to be sent."))
    return redirect("admin:withdrawals_payouts")


# --- estates without heirs (CC Art. 1160) ------------------------------------------------------


def _no_heir_context(request, model_admin, title, **extra):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        **extra,
    }


def no_heir_record_view(request, model_admin):
    """Record that no heir came forward for a deceased person (the first of two staff)."""
    if not request.user.has_perm(PERM("review_application")):
        raise PermissionDenied
    form = admin_forms.NoHeirRecordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        from accounts.models import Cardholder
        from withdrawals import estates

        cardholder = Cardholder.objects.filter(
            card_number__iexact=form.cleaned_data["card_number"].strip()
        ).first()
        if cardholder is None:
            form.add_error("card_number", _("No cardholder has this card number."))
        else:
            try:
                record = estates.no_heir_record(
                    cardholder, actor=request.user, note=form.cleaned_data["note"]
                )
            except DomainError as exc:
                form.add_error("card_number", f"{exc.message} ({exc.code})")
            else:
                messages.success(
                    request,
                    _("Recorded. A second member of staff must confirm it before anything moves."),
                )
                return redirect("admin:withdrawals_noheirrecord_change", record.pk)
    context = _no_heir_context(request, model_admin, _("No heir came forward"), form=form)
    status = 400 if form.is_bound and form.errors else 200
    return TemplateResponse(
        request, "admin/withdrawals/noheirrecord/record_form.html", context, status=status
    )


def no_heir_confirm_view(request, model_admin, pk):
    """A second member of staff confirms: the balances go to the fund."""
    from withdrawals import estates
    from withdrawals.models import NoHeirRecord

    if not request.user.has_perm(PERM("approve_application")):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("admin:withdrawals_noheirrecord_change", pk)
    record = NoHeirRecord.objects.filter(pk=pk).first()
    if record is None:
        raise Http404
    form = admin_forms.NoHeirConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm."))
    else:
        try:
            record = estates.no_heir_confirm(record, actor=request.user)
        except DomainError as exc:
            messages.error(request, f"{exc.message} ({exc.code})")
        else:
            messages.success(
                request,
                _("Confirmed: %(amount)s moved to the fund by ledger transaction %(txn)s.")
                % {"amount": f"{record.amount:.2f}", "txn": record.transaction_id or "—"},
            )
    return redirect("admin:withdrawals_noheirrecord_change", pk)


def no_heir_page_context(request, record):
    from withdrawals import estates

    return {
        "record": record,
        "basis": estates.basis_text(record),
        "accounts": selectors.cardholder_accounts(record.cardholder),
        "confirm_form": admin_forms.NoHeirConfirmForm(),
        "may_confirm": (
            not record.confirmed
            and request.user.has_perm(PERM("approve_application"))
            and record.recorded_by_id != request.user.pk
        ),
    }
