"""The record correction pages: thin over `corrections.selectors` and `.services`."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import record
from accounts.selectors import cardholder_for_user
from casework import selectors as case_selectors
from casework import services as casework
from casework import workflow
from core.errors import DomainError
from core.rights import how_to_contest
from corrections import eligibility, selectors, services
from corrections.exceptions import CorrectionRefused
from corrections.forms import CorrectionForm, UploadForm
from corrections.models import RecordCorrection


def cardholder_required(view):
    """The person's own record's pages: anyone without a card is not found here."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        cardholder = cardholder_for_user(request.user)
        if cardholder is None:
            raise Http404
        return view(request, cardholder, *args, **kwargs)

    return wrapper


@cardholder_required
@require_http_methods(["GET", "POST"])
def new(request, cardholder):
    """Ask to correct one field of the record, with the document that shows it."""
    initial = {"field": request.GET.get("field", "")}
    form = CorrectionForm(request.POST or None, request.FILES or None, initial=initial)
    reasons = ()
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.correction_request(
                    applicant=request.user,
                    field=data["field"],
                    new_value=data["new_value"],
                    reason=data["reason"],
                    files=[data.get("file")],
                )
            except CorrectionRefused as exc:
                reasons = exc.reasons
                status = 422
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Your request is sent. Follow it here."))
                return redirect("corrections:detail", case.pk)
    context = {
        "form": form,
        "person": record.identity(cardholder),
        "reasons": reasons,
        "how_to_contest": how_to_contest(),
        "requests": selectors.corrections_for_user(request.user)[:10],
    }
    return render(request, "corrections/new.html", context, status=status)


def _own(request, pk):
    case = selectors.corrections_for_user(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@cardholder_required
def detail(request, cardholder, pk, upload_form=None, status=200):
    """One request: the values, its status and what happens next, the timeline, the
    documents; the decision with its reason, basis and how to contest."""
    case = _own(request, pk)
    timeline = case_selectors.timeline(case)
    refusal = None
    if case.status == RecordCorrection.Status.REJECTED and case.refusal_code:
        refusal = eligibility.refusal(case.refusal_code)
    context = {
        "claim": case,
        "events": [event for event in timeline.events if not event.staff_only],
        "next_step": timeline.next_step,
        "documents": list(case_selectors.documents_of(case)),
        "upload_form": upload_form or UploadForm(),
        "can_submit": case.allows(workflow.SUBMIT),
        "refusal": refusal,
        "legal_basis": eligibility.LEGAL_BASIS_TEXTS[eligibility.LAW_RECORD],
        "how_to_contest": how_to_contest(),
    }
    return render(request, "corrections/detail.html", context, status=status)


@cardholder_required
@require_POST
def upload(request, cardholder, pk):
    case = _own(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            casework.document_add(
                case=case,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                uploader=request.user,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The document is added."))
            return redirect("corrections:detail", case.pk)
    request.method = "GET"
    return detail(request, pk=pk, upload_form=form, status=400)


@cardholder_required
@require_POST
def submit(request, cardholder, pk):
    case = _own(request, pk)
    try:
        services.correction_submit(case, actor=request.user)
    except CorrectionRefused as exc:
        for reason in exc.reasons:
            messages.error(request, reason.message)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your request is submitted again."))
    return redirect("corrections:detail", case.pk)


@cardholder_required
@require_POST
def withdraw(request, cardholder, pk):
    case = _own(request, pk)
    try:
        services.correction_withdraw(case, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("corrections:detail", case.pk)
