"""The forecast page and the retirement claim's pages: thin over `pensions.selectors`
and `pensions.services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import cardholder_for_user
from accounts.views import balance_chart
from casework import selectors as case_selectors
from casework import services as casework
from casework import workflow
from core.errors import DomainError
from core.rights import how_to_contest
from pensions import eligibility, payout_services, selectors, services
from pensions.exceptions import ClaimRefused
from pensions.forms import (
    DEFAULT_CREDITING_RATE,
    DEFAULT_WAGE_GROWTH,
    AssumptionsForm,
    BankAccountForm,
    ClaimForm,
    ClaimUploadForm,
)
from pensions.models import WORKFLOW


def _cardholder(request):
    cardholder = cardholder_for_user(request.user)
    if cardholder is None:
        raise Http404
    return cardholder


@login_required
def forecast(request):
    """Statutory date, contribution years, the estimated pension and its assumptions.
    The assumptions form is a GET form: it works without script. From three months
    before the statutory date it links to the claim."""
    cardholder = _cardholder(request)
    form = AssumptionsForm(request.GET or None)
    result = error = None
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        status = 200
        if not form.is_bound:
            form = AssumptionsForm(
                {"wage_growth": DEFAULT_WAGE_GROWTH, "crediting_rate": DEFAULT_CREDITING_RATE}
            )
            form.is_valid()
        growth, rate = form.rates()
        try:
            result = selectors.forecast_for_cardholder(
                cardholder, today=timezone.localdate(), wage_growth=growth, crediting_rate=rate
            )
        except DomainError as exc:
            error = exc.message
    chart = None
    if result is not None:
        chart = balance_chart({"pension": result.points})
    _retires, opens, claim_open_now = selectors.claim_window(cardholder, today=timezone.localdate())
    context = {
        "form": form,
        "result": result,
        "error": error,
        "chart": chart,
        "claim": selectors.retirement_claim_standing(cardholder),
        "claim_open_now": claim_open_now,
        "claim_opens_on": opens,
    }
    return render(request, "pensions/forecast.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    """Claim the pension: the statutory date, the record, and either the claim form
    or every reason why not yet, with its legal basis and how to contest."""
    cardholder = _cardholder(request)
    if selectors.retirement_claim_standing(cardholder) is not None:
        return redirect("pensions:claim")
    woman = cardholder.gender == cardholder.Gender.FEMALE
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = ClaimForm(data, woman=woman)
    category = form.chosen_category() if form.is_bound and form.is_valid() else None
    status = 200
    decision = services.retirement_claim_precheck(cardholder, category=category)
    if request.method == "POST" and form.is_valid():
        try:
            services.retirement_claim_start(
                applicant=request.user, cardholder=cardholder, category=category
            )
        except ClaimRefused as exc:
            decision = exc.decision
            status = 422
        except DomainError as exc:
            form.add_domain_error(exc)
            status = 400
        else:
            messages.success(request, _("Your claim is started. Check it and submit it."))
            return redirect("pensions:claim")
    elif request.method == "POST":
        status = 400
    facts = selectors.retirement_facts(
        cardholder,
        stage=eligibility.APPLICATION,
        today=timezone.localdate(),
        category=category or selectors.default_category(cardholder),
    )
    context = {
        "form": form,
        "woman": woman,
        "decision": decision,
        "facts": facts,
        "how_to_contest": how_to_contest(),
    }
    return render(request, "pensions/apply.html", context, status=status)


def _own_claim(request):
    claim = selectors.retirement_claim_latest(_cardholder(request))
    if claim is None or claim.applicant_id != request.user.pk:
        return None
    return claim


@login_required
def claim(request, upload_form=None, status=200, bank_form=None):
    """The claim: its status, what happens next, the timeline, documents and, once
    approved, the award with how each part was computed."""
    own = _own_claim(request)
    if own is None:
        return redirect("pensions:apply")
    timeline = case_selectors.timeline(own)
    context = {
        "claim": own,
        "events": [event for event in timeline.events if not event.staff_only],
        "next_step": timeline.next_step,
        "documents": list(case_selectors.documents_of(own)),
        "upload_form": upload_form or ClaimUploadForm(),
        "can_submit": own.allows(workflow.SUBMIT),
        "approved": own.status == WORKFLOW.states.APPROVED,
        "how_to_contest": how_to_contest(),
        "refusal": _last_refusal(own),
    }
    if context["approved"]:
        context.update(
            payments=selectors.with_bank_status(own, selectors.pension_payments(own), "payment"),
            arrears=selectors.with_bank_status(own, selectors.pension_arrears(own), "arrears"),
            failed_payouts=selectors.failed_payouts(own),
            medical_credits=selectors.retiree_medical_credits(own),
            bank_form=bank_form
            or BankAccountForm(
                initial={
                    "bank_name": own.bank_name,
                    "bank_account_holder": own.bank_account_holder,
                    "bank_account_number": own.bank_account_number,
                }
            ),
            payment_status=selectors.pension_payment_status(own, today=timezone.localdate()),
            living_check_due=selectors.living_check_due(own),
        )

        from pensions.living_check_views import living_check_context

        context["living_check"] = living_check_context(own, today=timezone.localdate())
    return render(request, "pensions/claim.html", context, status=status)


def _last_refusal(own):
    """While the applicant can still act: what would refuse the submission now."""
    if not own.allows(workflow.SUBMIT):
        return ()
    decision = selectors.retirement_claim_decision(
        own, stage=eligibility.SUBMISSION, today=timezone.localdate()
    )
    return decision.reasons


@login_required
@require_POST
def claim_submit(request):
    own = _own_claim(request)
    if own is None:
        raise Http404
    try:
        services.retirement_claim_submit(own, actor=request.user)
    except ClaimRefused as exc:
        for reason in exc.reasons:
            messages.error(request, reason.message)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your claim is submitted."))
    return redirect("pensions:claim")


@login_required
@require_POST
def claim_withdraw(request):
    own = _own_claim(request)
    if own is None:
        raise Http404
    try:
        services.retirement_claim_withdraw(own, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your claim is withdrawn."))
    return redirect("pensions:claim")


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
            return redirect("pensions:claim")
    request.method = "GET"
    return claim(request, upload_form=form, status=400)


@login_required
@require_POST
def claim_bank_account(request):
    """The pensioner corrects the bank account the pension is paid to."""
    own = _own_claim(request)
    if own is None:
        raise Http404
    form = BankAccountForm(request.POST)
    if form.is_valid():
        try:
            payout_services.pension_bank_account_change(
                own,
                actor=request.user,
                bank_name=form.cleaned_data["bank_name"],
                account_holder=form.cleaned_data["bank_account_holder"],
                account_number=form.cleaned_data["bank_account_number"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _(
                    "The bank account is changed. Payments the bank could not make are "
                    "sent to it with the next monthly run."
                ),
            )
            return redirect("pensions:claim")
    request.method = "GET"
    return claim(request, bank_form=form, status=400)
