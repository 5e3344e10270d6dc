"""Withdrawal pages: the eligibility check, the claim wizard, my applications.

Views are thin: they parse input with a form, read through `withdrawals.selectors`
(always scoped to the logged-in user: another person's application is a 404),
change state only through `withdrawals.services`, and turn domain errors into
field errors or messages. The wizard's only state before the draft exists is the
identified cardholder, kept in the session; from step 2 on it is the draft itself.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.exceptions import DomainError, NotFound
from accounts.selectors import cardholder_for_user
from casework import inspection, staff
from core import formatting
from withdrawals import eligibility, heir_services, selectors, services
from withdrawals.exceptions import IdentificationFailed, IneligibleError, TooManyAttempts
from withdrawals.forms import (
    BankForm,
    CheckForm,
    ClaimDetailsForm,
    HeirFormSet,
    HeirProofsForm,
    IdentifyForm,
    NoticeForm,
    UploadForm,
    heir_formset,
)
from withdrawals.letter_pdf import letters_available
from withdrawals.models import DocumentKind, Finding, Heir, Reason, Relationship, Status

# The identified cardholder and the reason, between step 1 and the draft.
SESSION_KEY = "withdrawals.claim"

# Upload refusals in words a person understands (the inspection speaks to reviewers).
PROBLEM_MESSAGES = {
    inspection.EMPTY: gettext_lazy("The file is empty. Choose the file again."),
    inspection.TOO_LARGE: gettext_lazy("The file is larger than 10 MB. Scan it at a lower size."),
    inspection.UNSUPPORTED_TYPE: gettext_lazy(
        "This kind of file is not accepted. Upload a PDF, JPEG or PNG."
    ),
    inspection.UNREADABLE: gettext_lazy("The file could not be read. It may be damaged."),
    inspection.ENCRYPTED: gettext_lazy(
        "The PDF is protected by a password. Upload a copy without a password."
    ),
    inspection.TOO_MANY_PAGES: gettext_lazy("The PDF has too many pages (at most 30)."),
    inspection.NO_PAGES: gettext_lazy("The PDF has no pages."),
    inspection.IMAGE_TOO_LARGE: gettext_lazy("The image is too large. Use a smaller photo."),
    inspection.IMAGE_TOO_SMALL: gettext_lazy(
        "The image is too small to read. Take a clearer, larger photo."
    ),
    inspection.TYPE_MISMATCH: gettext_lazy(
        "The file's contents do not match its type. Save it again as PDF, JPEG or PNG."
    ),
}

# How long each stage usually takes, as told to the applicant.
USUAL_DURATION = {
    Status.DRAFT: gettext_lazy("Up to you: the draft is kept until you submit or withdraw it."),
    Status.SUBMITTED: gettext_lazy("Usually a few minutes."),
    Status.IN_REVIEW: gettext_lazy("Usually a few minutes."),
    Status.NEEDS_DOCUMENTS: gettext_lazy("Waiting for you."),
    Status.AWAITING_DECISION: gettext_lazy("Usually within 15 working days."),
    Status.APPROVED: gettext_lazy("Usually 3 to 5 working days."),
    Status.PAYOUT_FAILED: gettext_lazy("Usually within 10 working days."),
}

STATUS_TONE = {
    Status.DRAFT: "neutral",
    Status.SUBMITTED: "warn",
    Status.IN_REVIEW: "warn",
    Status.NEEDS_DOCUMENTS: "bad",
    Status.AWAITING_DECISION: "warn",
    Status.APPROVED: "ok",
    Status.PAID: "ok",
    Status.PAYOUT_FAILED: "bad",
    Status.REJECTED: "bad",
    Status.WITHDRAWN: "neutral",
}


# --- helpers ---------------------------------------------------------------------


def _own_application(request, pk):
    try:
        return selectors.application_get_for_user(request.user, pk)
    except NotFound:
        raise Http404 from None


def _reasons(decision):
    """Every reason of a decision, in the page's language, with its legal basis."""
    return _reasons_of(decision.reasons)


def _reasons_of(reasons):
    language = get_language()
    return [
        {"code": r.code, "message": r.message(language), "legal_basis": r.legal_basis_text()}
        for r in reasons
    ]


def _problem_message(exc):
    return str(PROBLEM_MESSAGES.get(exc.code, exc.message))


def _document_description(kind):
    label = eligibility.DOCUMENT_LABELS.get(kind)
    return str(label) if label else ""


def _documents_view(document):
    """A document as the applicant sees it: the finding in plain words."""
    problems = []
    if document.finding == Finding.FAILED:
        problems = [str(PROBLEM_MESSAGES.get(code, "")) for code in document.finding_codes]
        problems = [p for p in problems if p] or [
            _("The file did not pass the automated check. Upload a clear, complete copy.")
        ]
    tone = {Finding.PASSED: "ok", Finding.FAILED: "bad"}.get(document.finding, "neutral")
    return {"document": document, "problems": problems, "tone": tone}


def _steps(current, *, reason, application=None, needs_notice=False):
    """The wizard's step list: (label, url, state) with state done/current/todo."""
    first = _("Identify the person who died") if reason == Reason.DEATH else _("Your card")
    items = [
        ("identify", first),
        ("details", _("Claim and payout account")),
    ]
    if reason == Reason.DEATH:
        items.append(("heirs", _("The heirs")))
    items.append(("documents", _("Documents")))
    if needs_notice:
        items.append(("notice", _("Written notice")))
    items.append(("review", _("Review and submit")))
    names = [name for name, _label in items]
    position = names.index(current)
    urls = {}
    if application is not None:
        urls = {
            "heirs": reverse("withdrawals:heirs", args=[application.pk]),
            "documents": reverse("withdrawals:documents", args=[application.pk]),
            "notice": reverse("withdrawals:notice", args=[application.pk]),
            "review": reverse("withdrawals:review", args=[application.pk]),
        }
    steps = []
    for index, (name, label) in enumerate(items):
        state = "done" if index < position else "current" if index == position else "todo"
        url = urls.get(name) if state != "current" else None
        steps.append({"label": label, "url": url, "state": state})
    return steps


def _next_step_url(application):
    """Where a draft (or a claim waiting for documents) continues."""
    if application.needs_notice and not application.notice_confirmed_at:
        return reverse("withdrawals:notice", args=[application.pk])
    return reverse("withdrawals:review", args=[application.pk])


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "") or (
        request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


def _editable_or_redirect(request, application):
    if application.is_editable:
        return None
    messages.info(request, _("This application can no longer be changed."))
    return redirect("withdrawals:detail", pk=application.pk)


# --- my applications --------------------------------------------------------------


@login_required
def index(request):
    """My applications, and the two ways to start a claim."""
    applications = list(selectors.applications_for_user(request.user))
    rows = [
        {
            "application": a,
            "tone": STATUS_TONE.get(a.status, "neutral"),
            "continue_url": _continue_url(a),
        }
        for a in applications
    ]
    return render(
        request,
        "withdrawals/index.html",
        {
            "rows": rows,
            "is_cardholder": cardholder_for_user(request.user) is not None,
            "invitations": heir_services.invitations(request.user)
            .filter(joined_at__isnull=True)
            .count(),
        },
    )


def _continue_url(application):
    if application.is_editable:
        return reverse("withdrawals:documents", args=[application.pk])
    return ""


# --- the eligibility check ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def check(request):
    """Could a withdrawal be made? Every reason with its legal basis, nothing written."""
    own = cardholder_for_user(request.user)
    # Nothing is pre-selected: the person says what happened.
    form = CheckForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = _check_result(request, form, own)
        if form.errors:
            status = 400
    return render(
        request,
        "withdrawals/check.html",
        {"form": form, "result": result, "own_cardholder": own},
        status=status,
    )


def _check_result(request, form, own):
    data = form.cleaned_data
    if data["reason"] == Reason.EMIGRATION:
        if own is None:
            return {"no_card": True}
        cardholder, relationship = own, Relationship.SELF
    else:
        try:
            cardholder = services.cardholder_identify(
                national_id=data["national_id"],
                name=data["name"],
                card_number=data["card_number"],
                requester=request.user,
            )
        except (IdentificationFailed, TooManyAttempts) as exc:
            form.add_error(None, str(exc.message))
            return None
        relationship = data["relationship"]
    decision, advice = selectors.precheck_with_advice(
        applicant=request.user,
        cardholder=cardholder,
        reason=data["reason"],
        relationship=relationship,
    )
    # "Start this claim" continues with the cardholder just identified.
    request.session[SESSION_KEY] = {
        "cardholder": cardholder.pk,
        "reason": data["reason"],
        "relationship": relationship,
    }
    return {
        "allowed": decision.allowed and advice is None,
        "not_now": decision.allowed and advice is not None,
        "reasons": _reasons_of([advice]) if decision.allowed and advice else _reasons(decision),
        "rules_version": decision.rules_version,
        "cardholder": cardholder,
        "summary": selectors.claimable_summary_for(request.user, cardholder, data["reason"]),
        "reason": data["reason"],
    }


# --- the wizard: before the draft ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def new_heir(request):
    """Step 1 for an heir: identify the person who died (generic refusal on mismatch)."""
    form = IdentifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cardholder = services.cardholder_identify(
                national_id=data["national_id"],
                name=data["name"],
                card_number=data["card_number"],
                requester=request.user,
            )
        except (IdentificationFailed, TooManyAttempts) as exc:
            form.add_error(None, str(exc.message))
        else:
            request.session[SESSION_KEY] = {"cardholder": cardholder.pk, "reason": Reason.DEATH}
            return redirect("withdrawals:new_details")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "withdrawals/new_identify.html",
        {"form": form, "steps": _steps("identify", reason=Reason.DEATH)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_emigration(request):
    """Step 1 for an emigrant: their own card, and what the claim needs."""
    cardholder = cardholder_for_user(request.user)
    if request.method == "POST" and cardholder is not None:
        request.session[SESSION_KEY] = {
            "cardholder": cardholder.pk,
            "reason": Reason.EMIGRATION,
        }
        return redirect("withdrawals:new_details")
    return render(
        request,
        "withdrawals/new_emigration.html",
        {
            "cardholder": cardholder,
            "summary": selectors.claimable_summary(cardholder) if cardholder else [],
            "steps": _steps("identify", reason=Reason.EMIGRATION, needs_notice=True),
        },
    )


def _session_claim(request):
    """The cardholder identified in step 1, or None. An emigrant's must be their own."""
    claim = request.session.get(SESSION_KEY) or {}
    reason = claim.get("reason")
    if reason not in Reason.values:
        return None, None, {}
    cardholder = selectors.cardholder_get(claim.get("cardholder"))
    if cardholder is None:
        return None, None, {}
    if reason == Reason.EMIGRATION and cardholder.user_id != request.user.pk:
        return None, None, {}
    return cardholder, reason, claim


@login_required
@require_http_methods(["GET", "POST"])
def new_details(request):
    """Step 2: relationship, accounts, payout account → the draft is saved."""
    cardholder, reason, claim = _session_claim(request)
    if cardholder is None:
        messages.info(request, _("Start by telling us whose accounts you are claiming."))
        return redirect("withdrawals:index")
    heir = reason == Reason.DEATH
    summary = selectors.claimable_summary_for(request.user, cardholder, reason)
    choices = [
        (
            row["scheme"],
            row["scheme_label"]
            if row["balance"] is None
            else f"{row['scheme_label']}: {formatting.money(row['balance'])}",
        )
        for row in summary
        if row["claimable"]
    ]
    initial = {
        "schemes": [value for value, _label in choices],
        "bank_account_holder": cardholder.name
        if not heir
        else (request.user.get_full_name() or ""),
    }
    if heir and claim.get("relationship"):
        initial["relationship"] = claim["relationship"]
    form = ClaimDetailsForm(
        request.POST or None, scheme_choices=choices, heir=heir, initial=initial
    )
    reasons = []
    if not choices:
        decision = selectors.precheck(
            applicant=request.user,
            cardholder=cardholder,
            reason=reason,
            relationship=claim.get("relationship") or (Relationship.CHILD if heir else "self"),
        )
        reasons = _reasons(decision)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_create_draft(
                applicant=request.user,
                cardholder=cardholder,
                reason=reason,
                relationship=data["relationship"] if heir else Relationship.SELF,
                schemes=data["schemes"],
                bank_name=data["bank_name"],
                bank_account_holder=data["bank_account_holder"],
                bank_account_number=data["bank_account_number"],
            )
        except IneligibleError as exc:
            reasons = _reasons(exc.decision)
            form.add_error(None, str(exc.message))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            request.session.pop(SESSION_KEY, None)
            messages.success(
                request,
                _(
                    "Your draft %(reference)s is saved. You can leave and continue it later "
                    "from “My applications”."
                )
                % {"reference": application.reference},
            )
            if heir:
                return redirect("withdrawals:heirs", pk=application.pk)
            return redirect("withdrawals:documents", pk=application.pk)
    refused = bool(form.is_bound and form.errors) or bool(reasons and request.method == "POST")
    status = 400 if refused else 200
    return render(
        request,
        "withdrawals/new_details.html",
        {
            "form": form,
            "cardholder": cardholder,
            "reason": reason,
            "heir": heir,
            "summary": summary,
            "reasons": reasons,
            "steps": _steps("details", reason=reason, needs_notice=not heir),
        },
        status=status,
    )


# --- the wizard: the draft ------------------------------------------------------------------


def _upload_form(kind, data=None, files=None):
    """One upload form per kind of document, each with its own field ids."""
    form = UploadForm(data, files, initial={"kind": kind}, auto_id=f"id_{kind}_%s")
    label = _("Choose a file or drag it here")
    form.fields["file"].label = label
    form["file"].label = label  # the bound field was cached with the old label
    form.fields["kind"].widget = form.fields["kind"].hidden_widget()
    return form


def _documents_context(application, upload_forms=None):
    upload_forms = upload_forms or {}
    documents = list(selectors.documents_of(application))
    required = list(application.required_documents)
    sections = []
    proofs = [k for k in application.heir_proofs or [] if k not in required]
    for kind in [*required, *proofs, DocumentKind.OTHER]:
        sections.append(
            {
                "kind": kind,
                "label": DocumentKind(kind).label,
                "description": _document_description(kind),
                "required": kind in required or kind in proofs,
                "documents": [_documents_view(d) for d in documents if d.kind == kind],
                "form": upload_forms.get(kind) or _upload_form(kind),
            }
        )
    missing = [s for s in sections if s["required"] and not s["documents"]]
    return {
        "application": application,
        "sections": sections,
        "missing": missing,
        "max_documents": settings.SSCARD_CLAIM_MAX_DOCUMENTS,
        "max_total_mb": settings.SSCARD_CLAIM_MAX_DOCUMENT_BYTES // (1024 * 1024),
        "next_url": _next_step_url(application),
        "steps": _steps(
            "documents",
            reason=application.reason,
            application=application,
            needs_notice=application.needs_notice,
        ),
    }


@login_required
def documents(request, pk):
    """Step 3: upload the documents the claim needs (also when more are asked for)."""
    application = _own_application(request, pk)
    if (response := _editable_or_redirect(request, application)) is not None:
        return response
    return render(request, "withdrawals/documents.html", _documents_context(application))


@login_required
@require_POST
def upload(request, pk):
    """One file. JSON for the page's script; a plain form post works without it."""
    application = _own_application(request, pk)
    kind = request.POST.get("kind")
    if kind not in DocumentKind.values:
        kind = DocumentKind.OTHER
    form = _upload_form(kind, request.POST, request.FILES)
    error = None
    if form.is_valid():
        try:
            document = services.document_add(
                application=application,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                uploader=request.user,
            )
        except DomainError as exc:
            error = (exc.code, _problem_message(exc), exc.status)
            form.add_error("file" if exc.field in (None, "file") else exc.field, error[1])
        else:
            if _wants_json(request):
                item = render_to_string(
                    "withdrawals/includes/document_item.html",
                    {"item": _documents_view(document), "editable": True},
                    request=request,
                )
                return JsonResponse(
                    {
                        "ok": True,
                        "document": {
                            "id": document.pk,
                            "kind": document.kind,
                            "name": document.original_name,
                            "size": document.size,
                        },
                        "html": item,
                    }
                )
            messages.success(
                request,
                _("%(name)s was uploaded.") % {"name": document.original_name},
            )
            return redirect("withdrawals:documents", pk=application.pk)
    else:
        first = next(iter(form.errors.values()))[0]
        error = ("invalid", str(first), 400)
    if _wants_json(request):
        return JsonResponse({"ok": False, "code": error[0], "message": error[1]}, status=error[2])
    if not application.is_editable:
        messages.error(request, error[1])
        return redirect("withdrawals:detail", pk=application.pk)
    if "kind" in form.errors:
        messages.error(request, error[1])
    context = _documents_context(application, {kind: form})
    return render(request, "withdrawals/documents.html", context, status=400)


@login_required
@require_POST
def document_remove(request, pk, document_pk):
    application = _own_application(request, pk)
    document = selectors.document_of(application, document_pk)
    if document is None:
        raise Http404
    try:
        services.document_remove(document=document, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": document.original_name})
    return redirect("withdrawals:documents", pk=application.pk)


@login_required
def letter(request, pk, doc):
    """The claim's signed decision letter or payout receipt, once it exists."""
    from withdrawals.letter_pdf import render_letter_pdf  # reportlab only when asked

    application = _own_application(request, pk)
    if doc not in letters_available(application):
        raise Http404
    verify_base = request.build_absolute_uri("/verify/")
    response = HttpResponse(
        render_letter_pdf(application, doc, verify_base), content_type="application/pdf"
    )
    name = doc.replace("_", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}-{application.reference}.pdf"'
    return response


@login_required
def document_download(request, document_pk):
    """The applicant's own document (or any, for review staff), as a download."""
    response = staff.document_download(request, document_pk)
    if response is None:
        raise Http404
    return response


@login_required
@require_http_methods(["GET", "POST"])
def bank(request, pk):
    """Correct the payout bank account while the claim can still be changed (or
    after the bank could not pay)."""
    application = _own_application(request, pk)
    if application.status == Status.PAYOUT_FAILED:
        if heir_services.has_heirs(application):
            return redirect("withdrawals:heir_bank", pk=application.pk)
        return bank_after_failed_payout(request, application)
    if (response := _editable_or_redirect(request, application)) is not None:
        return response
    form = BankForm(
        request.POST or None,
        initial={
            "bank_name": application.bank_name,
            "bank_account_holder": application.bank_account_holder,
            "bank_account_number": application.bank_account_number,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update_bank(application, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The payout account is saved."))
            return redirect("withdrawals:review", pk=application.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "withdrawals/bank.html",
        {"form": form, "application": application},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice(request, pk):
    """The written notice on closing the pension account, and the typed confirmation."""
    application = _own_application(request, pk)
    if (response := _editable_or_redirect(request, application)) is not None:
        return response
    if not application.needs_notice:
        return redirect("withdrawals:review", pk=application.pk)
    form = NoticeForm(request.POST or None)
    if request.method == "GET":
        services.application_notice_shown(application, actor=request.user)
    elif form.is_valid():
        try:
            services.application_confirm_notice(
                application, actor=request.user, full_name=form.cleaned_data["full_name"]
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Thank you: your written confirmation is recorded."))
            return redirect("withdrawals:review", pk=application.pk)
    text = selectors.pension_notice(get_language())
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "withdrawals/notice.html",
        {
            "form": form,
            "application": application,
            "notice_lines": [line for line in text.splitlines() if line.strip()],
            "steps": _steps(
                "notice", reason=application.reason, application=application, needs_notice=True
            ),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    """Step 5: everything at a glance, what is still missing, and the submit button."""
    application = _own_application(request, pk)
    if (response := _editable_or_redirect(request, application)) is not None:
        return response
    refused = []
    status = 200
    if request.method == "POST":
        try:
            services.application_submit(application, actor=request.user)
        except IneligibleError as exc:
            refused = _reasons(exc.decision)
            messages.error(request, str(exc.message))
            status = 400
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("withdrawals:detail", pk=application.pk)
        else:
            messages.success(
                request,
                _(
                    "Application %(reference)s is sent. Your documents are checked "
                    "automatically; then a member of staff decides."
                )
                % {"reference": application.reference},
            )
            return redirect("withdrawals:detail", pk=application.pk)
    decision = selectors.application_decision(application, eligibility.SUBMISSION)
    summary = {
        row["scheme"]: row
        for row in selectors.claimable_summary_for(
            request.user, application.cardholder, application.reason
        )
    }
    return render(
        request,
        "withdrawals/review.html",
        {
            "application": application,
            "outstanding": refused or _reasons(decision),
            "claimed": [summary[s] for s in application.schemes if s in summary],
            "documents": [_documents_view(d) for d in selectors.documents_of(application)],
            "steps": _steps(
                "review",
                reason=application.reason,
                application=application,
                needs_notice=application.needs_notice,
            ),
        },
        status=status,
    )


# --- after submission ------------------------------------------------------------------------


@login_required
def detail(request, pk):
    """One application: status, timeline, what happens next, documents."""
    application = _own_application(request, pk)
    timeline = selectors.timeline_for_applicant(application)
    return render(
        request,
        "withdrawals/detail.html",
        {
            "application": application,
            "tone": STATUS_TONE.get(application.status, "neutral"),
            "events": timeline.events,
            "next_step": timeline.next_step,
            "usual_duration": USUAL_DURATION.get(application.status, ""),
            "documents": [_documents_view(d) for d in selectors.documents_of(application)],
            "continue_url": _continue_url(application),
            "letters": letters_available(application),
            "heirs": heir_services.heir_rows(application),
            "survivor_status": heir_services.survivor_status(application),
            "survivor_fund": heir_services.survivor_fund(application),
            "pension_arrears": heir_services.pension_arrears_of(application),
            "work_death_lump_sums": heir_services.work_death_lump_sums_of(application),
            "my_failed_payouts": heir_services.failed_payouts_of(
                request.user, application
            ).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    """Withdraw before a decision: a confirmation page, then the POST."""
    application = _own_application(request, pk)
    if not application.is_withdrawable:
        messages.info(request, _("This application can no longer be withdrawn."))
        return redirect("withdrawals:detail", pk=application.pk)
    if request.method == "POST":
        try:
            services.application_withdraw(application, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("Application %(reference)s is withdrawn.") % {"reference": application.reference},
            )
        return redirect("withdrawals:detail", pk=application.pk)
    return render(request, "withdrawals/withdraw.html", {"application": application})


# --- after a failed payment ---------------------------------------------------------------


def bank_after_failed_payout(request, application):
    """The bank could not pay: the applicant gives a new account in their own name."""
    form = BankForm(request.POST or None, initial={"bank_account_holder": ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.payout_update_bank_by_applicant(
                application, actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Thank you: the payment goes out again to this account."))
            return redirect("withdrawals:detail", pk=application.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "withdrawals/bank.html",
        {"form": form, "application": application, "after_failure": True},
        status=status,
    )


# --- claims about me ------------------------------------------------------------------------


@login_required
def claims_about_me(request):
    """Death claims that name me, and the button to say "I am alive"."""
    from withdrawals import claims_about_me as about_me

    rows = [about_me.claim_row(a) for a in about_me.claims_about_me(request.user)]
    return render(request, "withdrawals/claims_about_me.html", {"rows": rows})


@login_required
@require_POST
def claim_contest(request, pk):
    """ "I am alive — this is not my death": the claim is held for staff."""
    from withdrawals import claims_about_me as about_me

    try:
        application = about_me.claim_about_me_get(request.user, pk)
    except NotFound:
        raise Http404 from None
    try:
        about_me.claim_contest(
            application,
            actor=request.user,
            note=request.POST.get("note", ""),
            ip_address=request.META.get("REMOTE_ADDR") or None,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _(
                "Thank you. Claim %(reference)s is on hold and staff will check it. Your "
                "accounts stay open."
            )
            % {"reference": application.reference},
        )
    return redirect("withdrawals:claims_about_me")


# --- co-heirs ----------------------------------------------------------------------------------


@login_required
def invitations(request):
    """The death claims that name me as a co-heir: the claim, every heir and share, and
    a form to confirm the shares and give a bank account in my own name."""
    rows = [
        {
            "heir": heir,
            "heirs": heir_services.heir_rows(heir.application),
            "failed": heir.payouts.filter(status="failed").exists(),
        }
        for heir in heir_services.invitations(request.user)
    ]
    return render(request, "withdrawals/invitations.html", {"rows": rows})


@login_required
@require_POST
def join(request, pk):
    """Confirm the heirs and shares of a claim that names me, with my payee account."""
    try:
        heir_services.heir_join(
            pk,
            actor=request.user,
            bank_name=request.POST.get("bank_name", ""),
            bank_account_holder=request.POST.get("bank_account_holder", ""),
            bank_account_number=request.POST.get("bank_account_number", ""),
            confirm_shares=request.POST.get("confirm_shares") == "on",
            ip_address=request.META.get("REMOTE_ADDR") or None,
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Thank you. You have joined the claim; staff will check your identity."),
        )
    return redirect("withdrawals:invitations")


# --- the heirs step -------------------------------------------------------------------------

HEIR_FIELDS = ("national_id", "name", "relationship", "share")
HEIRS_PREFIX = "heirs"


def _initial_heirs(request, application):
    rows = heir_services.heir_rows(application)
    if rows:
        return [
            {
                "national_id": r.national_id,
                "name": r.name,
                "relationship": r.relationship,
                "share": r.share,
            }
            for r in rows
        ]
    identity = selectors.applicant_identity(request.user)
    relationship = application.relationship
    known = {value for value, _label in Heir.Relationship.choices}
    return [
        {
            "national_id": identity.national_id or "",
            "name": identity.name or request.user.get_full_name(),
            "relationship": relationship if relationship in known else "",
            "share": "1",
        }
    ]


def _posted_rows(formset):
    """The rows as typed (removed ones and blank ones left out), for redrawing."""
    rows = []
    for form in formset.forms:
        values = {name: form.data.get(form.add_prefix(name), "").strip() for name in HEIR_FIELDS}
        if form.data.get(form.add_prefix("DELETE")) or not any(values.values()):
            continue
        rows.append(values)
    return rows


def _heirs_formset(initial, extra):
    return heir_formset(extra=extra)(initial=initial, prefix=HEIRS_PREFIX)


def _kept_forms(formset):
    initial = formset.initial_form_count()
    return [
        form
        for index, form in enumerate(formset.forms)
        if (index < initial or form.has_changed()) and not form.cleaned_data.get("DELETE")
    ]


def _error_summary(formset, proofs_form):
    """Every error of the step, each linking to its field (GOV.UK error summary)."""
    items = [{"text": str(e), "href": "#heirs-title"} for e in formset.non_form_errors()]
    for number, form in enumerate(formset.forms, start=1):
        for name in HEIR_FIELDS:
            for error in form[name].errors:
                items.append(
                    {
                        "text": _("Heir %(n)d, %(field)s: %(error)s")
                        % {"n": number, "field": form[name].label, "error": error},
                        "href": f"#{form[name].id_for_label}",
                    }
                )
    for field in proofs_form:
        for error in field.errors:
            items.append({"text": f"{field.label}: {error}", "href": "#heirs-proofs"})
    return items


def _place_refusal(formset, forms, exc, cardholder):
    """Show each refusal of the rules beside the rows it is about, or for the whole."""
    kept = [form.cleaned_data for form in forms]
    declared = heir_services.parse_heirs(kept)
    messages_by_place = []
    for reason in exc.reasons:
        places = heir_services.reason_places(reason, declared, cardholder=cardholder)
        text = reason.message()
        if not places:
            formset._non_form_errors.append(text)
        for index, field in places:
            forms[index].add_error(field, text)
        messages_by_place.append(reason.code)
    return messages_by_place


@login_required
@require_http_methods(["GET", "POST"])
def heirs(request, pk):
    """Step 3 of a death claim: the lead heir names every heir (themselves among them)
    with their shares, and the documents that will prove them. Rows are added with the
    "Add another heir" button and removed with their box: no script needed."""
    application = _own_application(request, pk)
    if (response := _editable_or_redirect(request, application)) is not None:
        return response
    if application.reason != Reason.DEATH:
        return redirect("withdrawals:documents", pk=application.pk)
    proofs_initial = {
        "proofs": list(application.heir_proofs or []),
        "claims_survivor_benefits": application.claims_survivor_benefits,
    }
    proofs_form = HeirProofsForm(request.POST or None, initial=proofs_initial, prefix="proofs")
    codes = []
    status = 200
    if request.method == "POST" and "add" in request.POST:
        posted = HeirFormSet(request.POST, prefix=HEIRS_PREFIX)
        formset = _heirs_formset(_posted_rows(posted), extra=1)
    elif request.method == "POST":
        formset = HeirFormSet(request.POST, prefix=HEIRS_PREFIX)
        if formset.is_valid() and proofs_form.is_valid():
            forms = _kept_forms(formset)
            rows = [{name: form.cleaned_data[name] for name in HEIR_FIELDS} for form in forms]
            data = proofs_form.cleaned_data
            try:
                heir_services.heirs_declare(
                    application,
                    rows,
                    actor=request.user,
                    proofs=data["proofs"],
                    claims_survivor_benefits=data["claims_survivor_benefits"],
                )
            except heir_services.HeirsRefused as exc:
                codes = _place_refusal(formset, forms, exc, application.cardholder)
            except DomainError as exc:
                codes = [exc.code]
                index, _dot, field = (exc.field or "").partition("].")
                if index.startswith("heirs[") and field in HEIR_FIELDS:
                    position = int(index.removeprefix("heirs["))
                    forms[position].add_error(field, str(exc.message))
                else:
                    formset._non_form_errors.append(str(exc.message))
            else:
                messages.success(request, _("The heirs and their shares are saved."))
                return redirect("withdrawals:documents", pk=application.pk)
        status = 400
    else:
        formset = _heirs_formset(_initial_heirs(request, application), extra=1)
    errors = _error_summary(formset, proofs_form) if request.method == "POST" else []
    return render(
        request,
        "withdrawals/heirs.html",
        {
            "application": application,
            "formset": formset,
            "proofs_form": proofs_form,
            "errors": errors,
            "codes": codes,
            "steps": _steps(
                "heirs",
                reason=application.reason,
                application=application,
                needs_notice=application.needs_notice,
            ),
        },
        status=status if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def heir_bank(request, pk):
    """The bank could not pay my share: a corrected account in my own name, and my
    failed payments go out again. For every heir of the claim, lead or co-heir."""
    application = selectors.application_get(pk)
    if application is None:
        raise Http404
    failed = list(heir_services.failed_payouts_of(request.user, application))
    if not failed:
        raise Http404
    form = BankForm(request.POST or None, initial={"bank_account_holder": ""})
    if request.method == "POST" and form.is_valid():
        try:
            heir_services.heir_payouts_resend(
                application.pk, actor=request.user, **form.cleaned_data
            )
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Thank you: the payment goes out again to this account."))
            if application.applicant_id == request.user.pk:
                return redirect("withdrawals:detail", pk=application.pk)
            return redirect("withdrawals:invitations")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "withdrawals/bank.html",
        {
            "form": form,
            "application": application,
            "after_failure": True,
            "failed": failed,
            "back_url": reverse("withdrawals:detail", args=[application.pk])
            if application.applicant_id == request.user.pk
            else reverse("withdrawals:invitations"),
        },
        status=status,
    )
