"""The public verification page: no login, facts shown masked as they were signed."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Account, Scheme
from core import signing
from verification import services

MAX_CODE_LENGTH = 4000
# Signed amounts that are not an account's balance, by key.
OTHER_AMOUNTS = {
    "contributions": lambda: _("All contributions"),
    "payout": lambda: _("Amount approved"),
    "paid": lambda: _("Amount paid"),
}


def _amount_rows(facts):
    schemes, kinds = dict(Scheme.choices), dict(Account.Kind.choices)
    rows = []
    for key, amount in (facts.get("amounts") or {}).items():
        if key in OTHER_AMOUNTS:
            rows.append({"label": OTHER_AMOUNTS[key](), "amount": amount})
            continue
        scheme, _slash, kind = str(key).partition("/")
        label = schemes.get(scheme, scheme)
        if kind:
            label = f"{label} · {kinds.get(kind, kind)}"
        rows.append({"label": label, "amount": amount})
    return rows


@require_GET
def verify_form(request):
    """Type or paste a code; ``?code=`` goes to the code's own page."""
    code = request.GET.get("code", "").strip()
    if code and len(code) <= MAX_CODE_LENGTH:
        return redirect(reverse("verification:verify", args=[code]))
    return render(request, "verification/verify.html", {"asked": bool(code)})


@require_GET
def verify(request, code):
    if len(code) > MAX_CODE_LENGTH:
        verdict = services.Verdict(services.BAD_SIGNATURE)
    else:
        verdict = services.check_code(code)
    context = {
        "asked": True,
        "verdict": verdict,
        "facts": verdict.facts,
        "amounts": _amount_rows(verdict.facts),
    }
    return render(
        request, "verification/verify.html", context, status=200 if verdict.genuine else 404
    )


@require_GET
def public_keys(request):
    """The published public keys, one per line, for checking files offline."""
    from django.http import HttpResponse

    return HttpResponse(signing.published_keys_text(), content_type="text/plain; charset=utf-8")
