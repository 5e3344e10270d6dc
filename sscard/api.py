"""Plumbing shared by every API endpoint: pagination, throttles, token login.

The error body and the exception handler are `core.api`'s; the institutions' API
keys are `accounts.authentication`'s.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, parsers
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle as BaseScopedRateThrottle

from core.http import client_ip

# --- parsing ---------------------------------------------------------------------


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; a body it cannot read (bad syntax, or nested so deep that
    Python's parser gives up with RecursionError) is a 400 with code invalid_json,
    never a server error."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as exc:
            raise exceptions.ParseError(
                _("The body is not valid JSON."), code="invalid_json"
            ) from exc
        except RecursionError:
            raise exceptions.ParseError(
                _("The body is nested too deeply to be read."), code="invalid_json"
            ) from None


# --- pagination ------------------------------------------------------------------


class PagePagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CursorPage:
    """One page of a keyset read: the rows and the cursor of the next page, if any."""

    def __init__(self, rows, next_cursor):
        self.rows = rows
        self.next_cursor = next_cursor


def cursor_paginated_schema(item_schema):
    return {
        "type": "object",
        "required": ["next", "results"],
        "properties": {
            "next": {"type": "string", "nullable": True, "format": "uri"},
            "next_cursor": {"type": "string", "nullable": True},
            "results": {"type": "array", "items": item_schema},
        },
    }


# --- throttles ---------------------------------------------------------------------


class ScopedRateThrottle(BaseScopedRateThrottle):
    """DRF's scoped throttle, reading the rates when asked rather than at import,
    so a changed setting (a test, a deployment override) takes effect. An anonymous
    caller is counted under the address axes sees (`core.http.client_ip`): DRF's own
    would take X-Forwarded-For as the client typed it, one new counter per made-up
    address."""

    def get_ident(self, request):
        return client_ip(request) or ""

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise exceptions.ImproperlyConfigured(
                f"No throttle rate set for scope {self.scope!r}"
            ) from None


class IdentificationThrottle(ScopedRateThrottle):
    """Limits attempts to name a cardholder (national ID + name + card number), so
    nobody can probe which people exist. Counts only requests carrying that block."""

    def allow_request(self, request, view):
        data = request.data if request.method == "POST" else None
        if not isinstance(data, dict) or not data.get("cardholder"):
            return True
        self.scope = "identification"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(BaseScopedRateThrottle, self).allow_request(request, view)
