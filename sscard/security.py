"""Login throttling and second-factor plumbing shared by the pages, the API and the admin.

- django-axes counts failures per username *and* address (the address as
  `core.http.client_ip` sees it; the username as `accounts.login_throttle` reads it),
  and `lockout_response` answers a locked-out login with a page or, on the API, JSON.
- django-otp marks a session as verified once a TOTP code was accepted;
  `is_verified` asks that question of any user object, and
  `VerifiedStaffSessionAuthentication` keeps an unverified staff session away from
  the API (staff get their API tokens with a TOTP code, see accounts.api.TokenView).
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django_otp.admin import OTPAdminAuthenticationForm
from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication

from core.api import error_body
from core.ratelimit import Rate

API_PREFIX = "/api/"


def cool_off_minutes():
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(request, original_response=None, credentials=None):
    """429 for a login refused after too many failures: JSON on the API, a page
    elsewhere. Both say how long to wait; neither says whether the account exists."""
    minutes = cool_off_minutes()
    message = _(
        "Too many failed logins for this ID number from your address. Wait %(minutes)d "
        "minutes and try again, or reset your password."
    ) % {"minutes": minutes}
    retry_after = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if getattr(request, "sscard_address_blocked", False):
        rate = Rate.parse(settings.SSCARD_LOGIN_ADDRESS_FAILURE_RATE)
        minutes, retry_after = rate.minutes, rate.seconds
        message = _(
            "Too many failed logins from your address. Wait %(minutes)d minutes and try "
            "again, or reset your password."
        ) % {"minutes": minutes}
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(error_body("locked_out", message), status=429)
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"message": message, "minutes": minutes},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response


def is_locked_out(request):
    """Did axes refuse (or just lock) the login attempted in this request?"""
    return bool(getattr(request, "axes_locked_out", False))


def is_verified(user):
    """True when the session passed a second factor (django-otp's OTPMiddleware sets
    `is_verified` on request.user; any other user object is not verified)."""
    check = getattr(user, "is_verified", None)
    return bool(callable(check) and check())


def needs_second_factor(user):
    """Staff powers (the admin, reviewing, approving, opening others' documents)
    need a verified second factor; cardholders and heirs do not use one."""
    return bool(user.is_authenticated and user.is_staff and not is_verified(user))


class VerifiedStaffSessionAuthentication(SessionAuthentication):
    """Session login for the API, but a staff session counts only once it passed
    the second factor; until then the request is anonymous (401/403)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and needs_second_factor(request._request.user):
            return None
        return result


class VerifiedStaffSessionScheme(SessionScheme):
    """The OpenAPI description of the session login: a cookie, as DRF's."""

    target_class = "sscard.security.VerifiedStaffSessionAuthentication"


class StaffLoginForm(OTPAdminAuthenticationForm):
    """The admin login: username, password and the TOTP code in one step. A staff
    member has one authenticator, so the code is checked against it unless another
    device is chosen (django-otp would otherwise ask to pick one first)."""

    # django-otp's own wording ("OTP token") has no Chinese; staff read these instead.
    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": gettext_lazy("Enter the 6-digit code from your authenticator app."),
        "invalid_token": gettext_lazy(
            "That code is not right. Enter the current code from your authenticator app."
        ),
        "n_failed_attempts": ngettext_lazy(
            "Codes are not checked for a moment after %(failure_count)d wrong code; "
            "try again soon.",
            "Codes are not checked for a moment after %(failure_count)d wrong codes; "
            "try again soon.",
            "failure_count",
        ),
        "verification_not_allowed": gettext_lazy(
            "Codes are not checked for a moment; try again soon."
        ),
        "device_required": gettext_lazy("Choose your authenticator."),
    }

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None and not self.cleaned_data.get("otp_device"):
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        return device


class RejectNulMiddleware:
    """400 for a query string carrying a NUL character. Forms refuse NUL themselves,
    but lookups built from the query (admin filters and search) would hand it to
    PostgreSQL, which cannot store it in a string and fails with a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            from django.core.exceptions import BadRequest

            raise BadRequest("NUL character in the address")
        return self.get_response(request)
