"""The cardholder's "Unemployment" section: one page that shows what is needed before
starting, the registration, the claim with its timeline, and once it is paid the
months paid and left and the next payment. Thin over selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import cardholder_for_user
from benefits import selectors, services
from benefits import unemployment_rules as rules
from benefits.exceptions import ClaimRefused
from benefits.forms import ClaimUploadForm, ReemployedForm, RegistrationForm
from benefits.models import STANDING_STATES, Status
from casework import selectors as case_selectors
from casework import services as casework
from casework import workflow
from core.errors import DomainError
from core.rights import how_to_contest


def _cardholder(request):
    cardholder = cardholder_for_user(request.user)
    if cardholder is None:
        raise Http404
    return cardholder


def _own_claim(request):
    claim = selectors.claim_latest(_cardholder(request))
    if claim is None or claim.applicant_id != request.user.pk:
        return None
    return claim


@login_required
def unemployment(request, *, forms=None, refusal=None, status=200):
    cardholder = _cardholder(request)
    today = timezone.localdate()
    forms = forms or {}
    registration = selectors.current_registration(cardholder)
    claim = selectors.claim_latest(cardholder)
    if claim is not None and claim.applicant_id != request.user.pk:
        claim = None
    context = {
        "cardholder": cardholder,
        "registration": registration,
        "claim": claim,
        "how_to_contest": how_to_contest(),
        "registration_form": forms.get("registration") or RegistrationForm(),
        "upload_form": forms.get("upload") or ClaimUploadForm(),
        "reemployed_form": forms.get("reemployed") or ReemployedForm(),
        "refusal": refusal or (),
    }
    standing = claim is not None and claim.status in STANDING_STATES
    if registration is not None and not standing:
        context["decision"] = selectors.eligibility(cardholder, today)
    if claim is not None:
        timeline = case_selectors.timeline(claim)
        body = selectors.unemployment_status(cardholder)
        context.update(
            events=[e for e in timeline.events if not e.staff_only],
            next_step=timeline.next_step,
            documents=case_selectors.documents_of(claim),
            can_submit=claim.allows(workflow.SUBMIT),
            body=body,
            in_payment=claim.status == Status.IN_PAYMENT,
            stop=rules.stop_reason(claim.stop_reason) if claim.stop_reason else None,
        )
        if claim.allows(workflow.SUBMIT) and not refusal:
            context["refusal"] = selectors.eligibility(
                cardholder, today, stage=rules.SUBMISSION, claim=claim
            ).reasons
    return render(request, "benefits/unemployment.html", context, status=status)


def _again(request, **kwargs):
    request.method = "GET"
    return unemployment(request, **kwargs)


@login_required
@require_POST
def register(request):
    cardholder = _cardholder(request)
    form = RegistrationForm(request.POST)
    if form.is_valid():
        try:
            services.registration_create(
                cardholder=cardholder, actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("You are registered as unemployed."))
            return redirect("benefits:unemployment")
    return _again(request, forms={"registration": form}, status=400)


@login_required
@require_POST
def claim_start(request):
    cardholder = _cardholder(request)
    try:
        services.claim_start(applicant=request.user, cardholder=cardholder)
    except ClaimRefused as exc:
        return _again(request, refusal=exc.reasons, status=422)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your claim is started. Add your documents and submit it."))
    return redirect("benefits:unemployment")


@login_required
@require_POST
def claim_upload(request):
    own = _own_claim(request)
    if own is None:
        raise Http404
    form = ClaimUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            casework.document_add(
                case=own,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                uploader=request.user,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The document is added."))
            return redirect("benefits:unemployment")
    return _again(request, forms={"upload": form}, status=400)


@login_required
@require_POST
def claim_submit(request):
    own = _own_claim(request)
    if own is None:
        raise Http404
    try:
        services.claim_submit(own, actor=request.user)
    except ClaimRefused as exc:
        for reason in exc.reasons:
            messages.error(request, reason.message)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your claim is submitted."))
    return redirect("benefits:unemployment")


@login_required
@require_POST
def claim_withdraw(request):
    own = _own_claim(request)
    if own is None:
        raise Http404
    try:
        services.claim_withdraw(own, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your claim is withdrawn."))
    return redirect("benefits:unemployment")


@login_required
@require_POST
def claim_reemployed(request):
    own = _own_claim(request)
    if own is None:
        raise Http404
    form = ReemployedForm(request.POST)
    if form.is_valid():
        try:
            services.benefit_declare_reemployed(
                own, actor=request.user, started_on=form.cleaned_data["started_on"]
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Thank you. Your benefit stops; good luck in your job."))
            return redirect("benefits:unemployment")
    return _again(request, forms={"reemployed": form}, status=400)
