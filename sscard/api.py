"""Plumbing shared by every API endpoint: pagination, throttles, token login.

The error body and the exception handler are `core.api`'s; the institutions' API
keys are `accounts.authentication`'s.
"""

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, pagination
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle as BaseScopedRateThrottle

from core.http import client_ip

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


# --- authentication ----------------------------------------------------------------

_TOKEN_USER_SQL = """
SELECT {columns}, t.created AS token_created
FROM {users} u JOIN {tokens} t ON t.user_id = u.id
WHERE t.key = %s
"""  # noqa: S105 - a query, not a secret


def _token_user_sql(users, tokens):
    # Encrypted columns stay deferred (read if asked for): decrypting one costs more
    # than the rest of the look-up, and authenticating reads none.
    from encrypted_fields.fields import EncryptedFieldMixin

    quote = connection.ops.quote_name
    columns = ", ".join(
        f"u.{quote(field.column)}"
        for field in users._meta.concrete_fields
        if not isinstance(field, EncryptedFieldMixin)
    )
    return _TOKEN_USER_SQL.format(
        columns=columns, users=users._meta.db_table, tokens=tokens._meta.db_table
    )


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, with the token and its user read in one
    query written out: it runs on every API call, and building it through the ORM
    costs more than running it. Same answers as DRF's for unknown keys and inactive
    users."""

    def authenticate_credentials(self, key):
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token

        users = get_user_model()
        user = next(iter(users.objects.raw(_token_user_sql(users, Token), [key])), None)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, Token(key=key, user=user, created=user.token_created)
