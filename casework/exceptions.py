"""Refusals every case kind shares, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from core import errors
from core.errors import DomainError


class IllegalTransition(DomainError):
    code = "illegal_transition"
    default_message = _("This cannot be done while the application is in its current state.")
    status = 409


class AlreadyDecided(DomainError):
    code = "already_decided"
    default_message = _("A decision has already been made on this application.")
    status = 409


class Forbidden(errors.Forbidden):
    # The generic refusal (code forbidden, 403), in the words the case pages use.
    default_message = _("You are not allowed to do this.")


class SamePerson(DomainError):
    code = "same_person"
    default_message = _(
        "Two different people must verify and approve an application: you verified or "
        "reviewed this one, so another staff member must approve it."
    )
    status = 403


class DocumentRefused(DomainError):
    """An upload refused before it is kept; `code` is the inspection problem code."""

    code = "document_refused"
    default_message = _("The file was refused.")
    status = 400
