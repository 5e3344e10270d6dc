"""The employer's pages: its work-injury recognitions (WIR Art. 17, filed through
`workinjury.services`) and its payroll and average-wage files (through the same
importers as the operator's commands, restricted to its own credit code)."""

import io

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.importing import PayrollFileError, import_payroll
from casework import selectors as case_selectors
from casework import services as casework
from casework import workflow
from core.errors import DomainError
from core.rights import how_to_contest
from employer.access import employer_required
from employer.forms import CsvForm, DocumentForm, RecognitionForm
from maternity.wage_import import WageFileError, import_average_wages
from workinjury import eligibility, services
from workinjury.exceptions import RecognitionRefused
from workinjury.models import Filer, InjuryRecognition

# The importers' reject codes in the reader's language (their own text is English,
# for the operator's console).
REJECT_TEXTS = {
    "malformed_row": gettext_lazy("the row does not have the four columns of the header"),
    "invalid_national_id": gettext_lazy("the national ID number is not valid"),
    "invalid_credit_code": gettext_lazy("the employer's credit code is not valid"),
    "other_employer": gettext_lazy("the row is for another employer"),
    "invalid_month": gettext_lazy("the month must be written YYYY-MM"),
    "future_month": gettext_lazy("the month is in the future"),
    "invalid_wage": gettext_lazy("the amount is not a number"),
    "too_many_decimals": gettext_lazy("the amount has more than two decimal places"),
    "negative_wage": gettext_lazy("the amount is negative"),
    "zero_wage": gettext_lazy("the average wage must be more than zero"),
    "duplicate_row": gettext_lazy("the row repeats an earlier one"),
    "unknown_cardholder": gettext_lazy("no cardholder has this national ID number"),
    "unknown_employer": gettext_lazy("no employer has this credit code"),
    "no_accounts": gettext_lazy("the cardholder's accounts are not opened"),
    "contribution_after_death": gettext_lazy("the cardholder died before this month"),
    "contribution_while_retired": gettext_lazy(
        "the cardholder is retired and pays no contributions"
    ),
    "no_rate_in_force": gettext_lazy("no contribution rate is in force for this region and month"),
    "account_closed": gettext_lazy("an account this contribution goes to is closed"),
    "account_frozen": gettext_lazy("an account this contribution moves money from is frozen"),
    "insufficient_balance": gettext_lazy("an account would go below zero"),
    "invalid_year": gettext_lazy("the year must be written YYYY"),
    "future_year": gettext_lazy("the year has not ended yet"),
    "missing_source": gettext_lazy("say where the figure comes from"),
    "differs_from_record": gettext_lazy(
        "a different figure is recorded for this year; ask the service centre to correct it"
    ),
}


def _rejects(rejects):
    return [
        {"line": r.line, "code": r.code, "text": str(REJECT_TEXTS.get(r.code, r.message))}
        for r in rejects
    ]


def _recognitions(request):
    return InjuryRecognition.objects.filter(applicant_id=request.user.pk).order_by("-id")


@employer_required
def home(request, employer):
    context = {"employer": employer, "recognitions": _recognitions(request)[:50]}
    return render(request, "employer/home.html", context)


@employer_required
@require_http_methods(["GET", "POST"])
def injury_new(request, employer):
    """File a recognition for one of the employer's workers (within 30 days)."""
    form = RecognitionForm(request.POST or None)
    reasons = ()
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                claim = services.recognition_start(
                    applicant=request.user,
                    filer=Filer.EMPLOYER,
                    today=timezone.localdate(),
                    **form.cleaned_data,
                )
            except RecognitionRefused as exc:
                reasons = exc.reasons
                status = 422
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("The recognition is started. Add the documents."))
                return redirect("employer:injury_detail", claim.pk)
    context = {
        "employer": employer,
        "form": form,
        "reasons": reasons,
        "how_to_contest": how_to_contest(),
    }
    return render(request, "employer/injury_new.html", context, status=status)


def _own(request, pk):
    claim = _recognitions(request).filter(pk=pk).first()
    if claim is None:
        raise Http404
    return claim


@employer_required
def injury_detail(request, employer, pk, upload_form=None, status=200):
    claim = _own(request, pk)
    timeline = case_selectors.timeline(claim)
    refusal = eligibility.refusal(claim.refusal_code) if claim.refusal_code else None
    context = {
        "employer": employer,
        "claim": claim,
        "events": [event for event in timeline.events if not event.staff_only],
        "next_step": timeline.next_step,
        "documents": list(case_selectors.documents_of(claim)),
        "upload_form": upload_form or DocumentForm(),
        "can_submit": claim.allows(workflow.SUBMIT),
        "refusal": refusal,
        "how_to_contest": how_to_contest(),
    }
    return render(request, "employer/injury_detail.html", context, status=status)


@employer_required
@require_POST
def injury_upload(request, employer, pk):
    claim = _own(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            casework.document_add(
                case=claim,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                uploader=request.user,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The document is added."))
            return redirect("employer:injury_detail", claim.pk)
    request.method = "GET"
    return injury_detail(request, pk=pk, upload_form=form, status=400)


@employer_required
@require_POST
def injury_submit(request, employer, pk):
    claim = _own(request, pk)
    try:
        services.recognition_submit(claim, actor=request.user)
    except RecognitionRefused as exc:
        for reason in exc.reasons:
            messages.error(request, reason.message)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The recognition is submitted."))
    return redirect("employer:injury_detail", claim.pk)


def _text(upload):
    return io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")


def _upload_page(request, employer, *, template, run):
    form = CsvForm(request.POST or None, request.FILES or None)
    summary = None
    rejects = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                summary = run(_text(form.cleaned_data["file"]), employer.credit_code)
            except (PayrollFileError, WageFileError, UnicodeDecodeError) as exc:
                form.add_error("file", _("The file cannot be read: %(error)s") % {"error": exc})
            else:
                rejects = _rejects(summary.rejects)
                status = 200
    context = {"employer": employer, "form": form, "summary": summary, "rejects": rejects}
    return render(request, template, context, status=status)


@employer_required
@require_http_methods(["GET", "POST"])
def payroll(request, employer):
    """The monthly payroll file: every good row posts the five schemes' contributions;
    every bad row (another employer's among them) is listed by its line."""
    return _upload_page(
        request,
        employer,
        template="employer/payroll.html",
        run=lambda stream, code: import_payroll(stream, only_employer=code),
    )


@employer_required
@require_http_methods(["GET", "POST"])
def average_wages(request, employer):
    """Last year's average monthly wage (the maternity allowance rests on it)."""
    return _upload_page(
        request,
        employer,
        template="employer/average_wages.html",
        run=lambda stream, code: import_average_wages(stream, only_employer=code),
    )
