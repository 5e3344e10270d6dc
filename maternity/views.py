"""The maternity allowance pages: thin over `maternity.selectors` and `maternity.services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import cardholder_for_user
from casework import selectors as case_selectors
from casework import services as casework
from casework import workflow
from core.errors import DomainError
from core.rights import how_to_contest
from maternity import eligibility, selectors, services
from maternity.exceptions import ClaimRefused
from maternity.forms import BankForm, ClaimForm, ClaimUploadForm
from maternity.models import WORKFLOW


def _cardholder(request):
    cardholder = cardholder_for_user(request.user)
    if cardholder is None:
        raise Http404
    return cardholder


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    """Claim the allowance: the event, the bank account; or every reason why not, with
    its legal basis and how to contest."""
    cardholder = _cardholder(request)
    standing = selectors.claim_standing(cardholder)
    if standing is not None and standing.status in WORKFLOW.open_states + WORKFLOW.editable_states:
        return redirect("maternity:claim")
    form = ClaimForm(request.POST or None)
    decision = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.maternity_claim_start(
                    applicant=request.user,
                    cardholder=cardholder,
                    event=data["event"],
                    event_date=data["date"],
                    babies=data.get("babies"),
                    difficult_birth=data.get("difficult_birth"),
                    months=data.get("months"),
                    bank_name=data.get("bank_name"),
                    bank_account_number=data.get("bank_account_number"),
                )
            except ClaimRefused as exc:
                decision = exc.decision
                status = 422
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Your claim is started. Check it and submit it."))
                return redirect("maternity:claim")
    context = {"form": form, "decision": decision, "how_to_contest": how_to_contest()}
    return render(request, "maternity/apply.html", context, status=status)


def _own_claim(request):
    claim = selectors.claim_latest(_cardholder(request))
    if claim is None or claim.applicant_id != request.user.pk:
        return None
    return claim


@login_required
def claim(request, upload_form=None, bank_form=None, status=200):
    """The claim: status, what happens next, the days and the amount with how they are
    computed, the timeline and the documents."""
    own = _own_claim(request)
    if own is None:
        return redirect("maternity:apply")
    timeline = case_selectors.timeline(own)
    refusal = ()
    if own.allows(workflow.SUBMIT):
        refusal = selectors.claim_decision(
            own, stage=eligibility.SUBMISSION, today=timezone.localdate()
        ).reasons
    context = {
        "claim": own,
        "figures": selectors.estimate(own),
        "events": [event for event in timeline.events if not event.staff_only],
        "next_step": timeline.next_step,
        "documents": list(case_selectors.documents_of(own)),
        "upload_form": upload_form or ClaimUploadForm(),
        "bank_form": bank_form or BankForm(),
        "can_submit": own.allows(workflow.SUBMIT),
        "how_to_contest": how_to_contest(),
        "refusal": refusal,
    }
    return render(request, "maternity/claim.html", context, status=status)


@login_required
@require_POST
def claim_bank(request):
    own = _own_claim(request)
    if own is None:
        raise Http404
    form = BankForm(request.POST)
    if form.is_valid():
        try:
            services.maternity_claim_update_bank(own, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The bank account is saved."))
            return redirect("maternity:claim")
    request.method = "GET"
    return claim(request, bank_form=form, status=400)


@login_required
@require_POST
def claim_submit(request):
    own = _own_claim(request)
    if own is None:
        raise Http404
    try:
        services.maternity_claim_submit(own, actor=request.user)
    except ClaimRefused as exc:
        for reason in exc.reasons:
            messages.error(request, reason.message)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your claim is submitted."))
    return redirect("maternity:claim")


@login_required
@require_POST
def claim_withdraw(request):
    own = _own_claim(request)
    if own is None:
        raise Http404
    try:
        services.maternity_claim_withdraw(own, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your claim is withdrawn."))
    return redirect("maternity:claim")


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
            return redirect("maternity:claim")
    request.method = "GET"
    return claim(request, upload_form=form, status=400)
