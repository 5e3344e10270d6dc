"""Domain errors: a stable code for machines and tests, a message for people.

Every refusal a service makes is a `DomainError` subclass. The generic ones live
here; each app adds its own beside its services (``accounts.exceptions``,
``withdrawals.exceptions``), which also re-export these so callers import from one
place per app.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every refusal a service makes. Views and the API translate these."""

    code = "domain_error"
    default_message = _("The request could not be carried out.")
    status = 422

    def __init__(self, message=None, *, code=None, field=None, **params):
        self.code = code or self.code
        self.field = field
        self.params = params
        self.message = message or self.default_message
        super().__init__(str(self.message))

    def details(self):
        """Extra keys for the API's error body beside code, message and fields."""
        return {}


class InvalidInput(DomainError):
    code = "invalid_input"
    default_message = _("The request is not valid.")
    status = 400


class NotFound(DomainError):
    code = "not_found"
    default_message = _("Not found.")
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    default_message = _("You may not do this.")
    status = 403


class InvalidTransition(DomainError):
    code = "invalid_transition"
    default_message = _("This change is not possible in the current state.")
    status = 409


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"
    default_message = _("This idempotency key was already used for a different request.")
    status = 409


class InvalidCursor(DomainError):
    code = "invalid_cursor"
    default_message = _("The page cursor is not valid; start again from the first page.")
    status = 400
