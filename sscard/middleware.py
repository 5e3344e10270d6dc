"""Answer 503 (try again shortly) instead of 500 while the database is unreachable.

A restart or fail-over of PostgreSQL makes queries raise OperationalError or
InterfaceError. That is not a bug in the request but a moment to wait: clients get
503 with Retry-After, and one that retries with the same idempotency key gets the
same single effect. The same holds for Redis where a request may not fall back to
the database (ending a session, sscard.sessions). Place this middleware near the top
of MIDDLEWARE so it also sees failures of the session and authentication middleware
below it.
"""

import functools
import logging
import sys

import redis
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.signals import got_request_exception, setting_changed
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

from core import auth as core_auth

logger = logging.getLogger(__name__)

# The database, or the shared cache where an operation may not fall back (ending a
# session): both are a moment to wait, not a bug.
UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
RETRY_AFTER_SECONDS = 5
_FLAG = "_sscard_database_unavailable"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Please try again</title></head>
<body><h1>Please try again in a moment</h1>
<p>The service is briefly unavailable. Nothing you sent was lost; please try again.</p>
<p lang="zh">服务暂时不可用。您提交的内容没有丢失，请稍后重试。</p></body></html>
"""


def unavailable_response(request):
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "code": "service_unavailable",
                "message": "The service is briefly unavailable; retry with the same "
                "Idempotency-Key.",
                "fields": {},
            },
            status=503,
        )
    else:
        response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # An inner middleware failed: Django already made a 500 of it; say what it was.
        if response.status_code == 500 and getattr(request, _FLAG, False):
            return unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, UNAVAILABLE):
            logger.warning("service unavailable for %s: %s", request.path, exception)
            return unavailable_response(request)
        return None


def _mark_unavailable(sender, request=None, **kwargs):
    """Note on the request that the exception being handled is the database's."""
    if request is not None and isinstance(sys.exc_info()[1], UNAVAILABLE):
        setattr(request, _FLAG, True)


got_request_exception.connect(_mark_unavailable, dispatch_uid="sscard.database_unavailable")


class PrivateNoStoreMiddleware:
    """Every answer to a logged-in person or an authenticated API client is
    `Cache-Control: private, no-store`: balances, statements, claims and personal data
    must not stay in a shared proxy, a browser's disk cache or its back button after
    logging out. One rule here rather than a decorator per view, so a new page cannot
    forget it. Anonymous pages (the login form, the public docs) keep their headers.
    Place it below AuthenticationMiddleware; DRF copies its user onto the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _personal(request):
            from django.utils.cache import patch_cache_control

            patch_cache_control(response, private=True, no_store=True)  # drops "public"
        return response


def _personal(request):
    if request.META.get("HTTP_AUTHORIZATION"):
        return True
    if getattr(request, "auth", None) is not None:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class ProjectNotFoundMiddleware:
    """With DEBUG on in the demo (SSCARD_DEMO), a mistyped address or a missing record
    shows the project's own 404 page, not Django's technical page that lists every URL.
    Without DEBUG Django already uses ``handler404``; this only covers the demo."""

    def __init__(self, get_response):
        if not (settings.DEBUG and settings.SSCARD_DEMO):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        try:
            resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return self._not_found(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return self._not_found(request)
        return None

    def _not_found(self, request):
        return render(request, "404.html", status=404)


# --- which middleware runs on which path ---------------------------------------------

API_PREFIX = "/api/"


def is_token_api_call(request):
    """An API call that carries ``Authorization: Token …``. DRF's token login then
    decides who is asking, alone: it authenticates the caller or refuses with 401, and
    never falls back to the session (the token keyword is matched as DRF matches it,
    case-insensitively). Such a call reads no session, sets no cookie and is not a form
    a browser could be tricked into sending (a browser does not add that header), so
    the middleware that serves browsers has nothing to do for it."""
    if not request.path_info.startswith(API_PREFIX):
        return False
    header = request.META.get("HTTP_AUTHORIZATION", "")
    return header[:6].lower() == "token " or header.lower() == "token"


def browser_only(middleware_class):
    """`middleware_class`, passed over for token API calls (is_token_api_call): the
    session, its user and second factor, the CSRF cookie, flash messages and static
    files. Its process_view still runs, so a view that is not exempt from CSRF keeps
    the check, whatever the header says."""

    class BrowserOnly(middleware_class):
        def __call__(self, request):
            if is_token_api_call(request):
                return self.get_response(request)
            return super().__call__(request)

    BrowserOnly.__name__ = BrowserOnly.__qualname__ = f"BrowserOnly{middleware_class.__name__}"
    BrowserOnly.__module__ = __name__
    BrowserOnly.__doc__ = (
        f"{middleware_class.__module__}.{middleware_class.__name__}, for browsers."
    )
    return BrowserOnly


def _browser_only(path):
    from django.utils.module_loading import import_string

    return browser_only(import_string(path))


WhiteNoiseMiddleware = _browser_only("whitenoise.middleware.WhiteNoiseMiddleware")
SessionMiddleware = _browser_only("django.contrib.sessions.middleware.SessionMiddleware")


@functools.cache
def _user_reader():
    # Named by string, as the settings name apps: configuration imports none.
    from django.utils.module_loading import import_string

    return import_string("accounts.user_reads.user_by_id")


def _session_user(user_id):
    return _user_reader()(user_id)


class SessionUserMiddleware(core_auth.AuthenticationMiddleware):
    """The session's user with their cardholder record (or its absence) and what the
    overview asks next, in one query (accounts.user_reads)."""

    read_user = staticmethod(_session_user)


AuthenticationMiddleware = browser_only(SessionUserMiddleware)
OTPMiddleware = _browser_only("django_otp.middleware.OTPMiddleware")
MessageMiddleware = _browser_only("django.contrib.messages.middleware.MessageMiddleware")


# --- Content-Security-Policy ---------------------------------------------------------


HEADER_CSP = "Content-Security-Policy"
# What a decorator (csp_update, csp_replace, csp_exempt's report-only half) leaves on a
# response to change its policy.
_CSP_PARTS = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_POLICY = {}


def _policy_changed(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _POLICY.clear()


setting_changed.connect(_policy_changed, dispatch_uid="sscard.csp_policy")


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware; a response that no decorator widened and no nonce
    touched gets the settings' policy, which is the same on every such response, built
    once per process instead of per response. Anything else (csp_update, csp_replace,
    a nonce, a report-only policy) is django-csp's own path."""

    def process_response(self, request, response):
        if (
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or getattr(request, "_csp_nonce", None) is not None
            or any(getattr(response, name, None) is not None for name in _CSP_PARTS)
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        policy = _POLICY.get("policy")
        if policy is None:
            policy = _POLICY["policy"] = build_policy()
        prefixes = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get(
            "EXCLUDE_URL_PREFIXES"
        ) or ()
        if (
            policy
            and HEADER_CSP not in response
            and getattr(response, "_csp_exempt", False) is False
            and not request.path_info.startswith(tuple(prefixes))
        ):
            response[HEADER_CSP] = policy
        if getattr(request, "_csp_nonce", None) is None:
            # As django-csp: a nonce asked for after the header was written is an error.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
