"""Refusals of the benefits app, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, Forbidden, InvalidInput, NotFound

__all__ = ["DomainError", "Forbidden", "InvalidInput", "NotFound", "RegistrationRefused"]


class RegistrationRefused(DomainError):
    code = "registration_refused"
    default_message = _("The unemployment registration was refused.")
    status = 422
