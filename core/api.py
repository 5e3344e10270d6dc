"""The one shape of every API error, and the DRF exception handler that gives it.

Every error leaves the API as JSON of one shape, ``{"code", "message", "fields"}``:
a stable code for programs, a sentence for people and, for bad input, the messages
per field. Domain refusals keep the status their exception class carries and may add
keys of their own (`DomainError.details`, e.g. an eligibility refusal's reasons).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response

from core.errors import DomainError

NON_FIELD = "non_field_errors"


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
    body.update(exc.details())
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


# --- the schema ----------------------------------------------------------------------

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
    """drf-spectacular postprocessing hook: document the error body on every operation."""
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
