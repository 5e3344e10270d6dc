"""Plumbing shared by every API endpoint: errors, pagination, throttles, keys.

Every error leaves the API as JSON of one shape, ``{"code", "message", "fields"}``:
a stable code for programs, a sentence for people and, for bad input, the messages
per field. Domain refusals keep the status their exception class carries.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import connection
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, pagination, parsers, serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle as BaseScopedRateThrottle
from rest_framework_api_key.permissions import KeyParser

from accounts.exceptions import DomainError

NON_FIELD = "non_field_errors"

# --- errors -------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def error_body(code, message, fields=None):
    return {"code": str(code), "message": str(message), "fields": fields or {}}


def _flatten(detail):
    """DRF error detail (nested dicts and lists) -> {field: [message, ...]}."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            nested = _flatten(value)
            if isinstance(value, dict):
                for sub, messages in nested.items():
                    name = key if sub == NON_FIELD else f"{key}.{sub}"
                    out.setdefault(name, []).extend(messages)
            else:
                out.setdefault(key, []).extend(nested.get(NON_FIELD, []))
                for sub, messages in nested.items():
                    if sub != NON_FIELD:
                        out.setdefault(f"{key}.{sub}", []).extend(messages)
        return out
    if isinstance(detail, list):
        out = {}
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                for sub, messages in _flatten(item).items():
                    name = str(index) if sub == NON_FIELD else f"{index}.{sub}"
                    out.setdefault(name, []).extend(messages)
            else:
                out.setdefault(NON_FIELD, []).append(str(item))
        return out
    return {NON_FIELD: [str(detail)]}


def _first_code(detail):
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list):
        for item in detail:
            return _first_code(item)
    return getattr(detail, "code", None)


def domain_error_response(exc):
    fields = {exc.field: [str(exc.message)]} if exc.field else {}
    body = error_body(exc.code, exc.message, fields)
    decision = getattr(exc, "decision", None)
    if decision is not None:
        # An eligibility refusal carries every reason, as the pre-check shows them.
        language = get_language() or "en"
        body["reasons"] = [
            {
                "code": reason.code,
                "message": reason.message(language),
                "legal_basis": reason.legal_basis,
                "account": reason.account,
                "document": reason.document,
            }
            for reason in decision.reasons
        ]
    return Response(body, status=exc.status)


def exception_handler(exc, context):
    """DomainError -> its status and code; DRF errors -> the same JSON shape."""
    # Imported here: this module is named in REST_FRAMEWORK, which rest_framework.views reads.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real fault: let Django log it and answer 500
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        code = _first_code(exc.detail) if set(fields) == {NON_FIELD} else "invalid"
        message = (
            fields[NON_FIELD][0]
            if set(fields) == {NON_FIELD}
            else _("The request is not valid; see the field errors.")
        )
        response.data = error_body(code or "invalid", message, fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(code, detail)
    return response


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
    so a changed setting (a test, a deployment override) takes effect."""

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise exceptions.ImproperlyConfigured(
                f"No throttle rate set for scope {self.scope!r}"
            ) from None

    def get_ident(self, request):
        # The address django-axes counts too, not DRF's reading of X-Forwarded-For,
        # which a client can fill with a new address on every request.
        from accounts.ratelimit import client_ip

        return client_ip(request)


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
        if user.is_staff or user.is_superuser:
            # Staff powers need the second factor: a token issued without one (before
            # the user became staff, say) or for other roles than today's is refused.
            from accounts.staff_otp import staff_token_proven

            if not staff_token_proven(user, key):
                raise exceptions.AuthenticationFailed(
                    _(
                        "This token was issued without the second factor or before a "
                        "change of roles; ask for a new one with your authenticator code."
                    ),
                    code="token_needs_second_factor",
                )
        return user, Token(key=key, user=user, created=user.token_created)


class InstitutionKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key <key>`` for hospitals and pharmacies.

    The request stays without a user (an institution is not a person); the key, and
    through it the institution, is ``request.auth``. Only the settlement endpoint
    accepts it: every other endpoint wants an authenticated user.
    """

    keyword = "Api-Key"
    key_parser = KeyParser()

    def authenticate(self, request):
        key = self.key_parser.get_from_authorization(request)
        if key is None:
            return None
        from django.contrib.auth.models import AnonymousUser

        from accounts.models import InstitutionAPIKey

        try:
            api_key = InstitutionAPIKey.objects.get_from_key(key)
        except InstitutionAPIKey.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("The API key is not valid.")) from None
        if api_key.has_expired or not api_key.institution.is_active:
            raise exceptions.AuthenticationFailed(_("The API key is not valid."))
        return AnonymousUser(), api_key

    def authenticate_header(self, request):
        return self.keyword


class InstitutionKeyScheme(OpenApiAuthenticationExtension):
    target_class = "sscard.api.InstitutionKeyAuthentication"
    name = "institutionKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`, issued to a medical institution in the admin.",
        }


# --- schema ------------------------------------------------------------------------

ERROR_STATUSES = {
    "400": "The request is not valid; `fields` names what to fix.",
    "401": "Not authenticated.",
    "403": "Not allowed for this login.",
    "404": "Not found (or not yours).",
    "409": "Conflicts with the current state.",
    "422": "Refused by the rules; `code` says why.",
    "429": "Too many requests; try again later.",
}


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: document the error body on every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = {
        "type": "object",
        "required": ["code", "message", "fields"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            "reasons": {
                "type": "array",
                "description": "Eligibility refusals (code not_eligible): every reason.",
                "items": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "legal_basis": {"type": "string"},
                        "account": {"type": "string"},
                        "document": {"type": "string"},
                    },
                },
            },
        },
    }
    ref = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in ERROR_STATUSES.items():
                operation["responses"].setdefault(
                    code,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result
