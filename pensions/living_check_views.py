"""The pensioner's living check page: thin over `pensions.selectors` and
`pensions.living_check_services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import reauth
from accounts.forms import PasswordConfirmForm
from accounts.selectors import cardholder_for_user
from core.errors import DomainError
from pensions import living_check_services, selectors
from pensions.living_check_notices import LAW_LIVING_CHECK
from sscard.security import lockout_response


def living_check_context(claim, *, today):
    return {
        **selectors.living_check_overview(claim, today=today),
        "legal_basis": LAW_LIVING_CHECK,
    }


@login_required
@require_http_methods(["GET", "POST"])
def living_check(request):
    """Confirm the yearly living check with the password again (counted like a
    login); the page shows the due date, the state and every confirmation."""
    cardholder = cardholder_for_user(request.user)
    if cardholder is None:
        raise Http404
    claim = selectors.claim_in_payment(cardholder)
    if claim is None:
        if request.method == "POST":
            return render(request, "pensions/living_check.html", {"claim": None}, status=409)
        return redirect("pensions:forecast")
    form = PasswordConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not reauth.password_confirms(request, request.user, form.cleaned_data["password"]):
            if reauth.locked_out(request):
                return lockout_response(request)
            form.add_error("password", reauth.WRONG_PASSWORD)
        else:
            try:
                confirmation = living_check_services.living_check_confirm_online(
                    cardholder=cardholder, actor=request.user
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request,
                    _("Thank you: your living check is confirmed until %(due)s.")
                    % {"due": confirmation.next_due.isoformat()},
                )
                return redirect("pensions:claim")
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "claim": claim,
        "form": form,
        "living_check": living_check_context(claim, today=timezone.localdate()),
    }
    return render(request, "pensions/living_check.html", context, status=status)
