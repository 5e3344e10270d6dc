"""The cardholder's request for a replacement card, from the card page."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import reauth, selectors
from accounts.views import cardholder_required
from cards import selectors as card_selectors
from cards import services
from cards.forms import ReplacementRequestForm
from core.errors import DomainError
from sscard.security import lockout_response


@cardholder_required
@require_http_methods(["GET", "POST"])
def request_replacement(request, cardholder):
    """Ask for a new card (lost or damaged) with the password again; where the rules
    refuse (a cancelled or frozen card, a request already open) the page says why and
    a POST answers 409."""
    card = selectors.card_overview(cardholder)
    context = {"card": card, "cardholder": cardholder}
    if not card_selectors.can_request(cardholder):
        context["open"] = card_selectors.open_request(cardholder)
        status = 409 if request.method == "POST" else 200
        return render(request, "cards/request.html", context, status=status)
    form = ReplacementRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not reauth.password_confirms(request, request.user, form.cleaned_data["password"]):
            if reauth.locked_out(request):
                return lockout_response(request)
            form.add_error("password", reauth.WRONG_PASSWORD)
        else:
            try:
                case = services.replacement_request(
                    applicant=request.user, why=form.cleaned_data["why"]
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request,
                    _(
                        "Your request %(reference)s for a new card is sent. A service centre "
                        "issues the card; you are told by e-mail."
                    )
                    % {"reference": case.reference},
                )
                return redirect("accounts:card")
    context["form"] = form
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "cards/request.html", context, status=status)
