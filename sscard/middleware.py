"""Answer 503 (try again shortly) instead of 500 while the database is unreachable.

A restart or fail-over of PostgreSQL makes queries raise OperationalError or
InterfaceError. That is not a bug in the request but a moment to wait: clients get
503 with Retry-After, and one that retries with the same idempotency key gets the
same single effect. The same holds for Redis where a request may not fall back to
the database (ending a session, sscard.sessions). Place this middleware near the top
of MIDDLEWARE so it also sees failures of the session and authentication middleware
below it.
"""

import logging
import sys

import redis
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

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
