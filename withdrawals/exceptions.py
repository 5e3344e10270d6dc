"""Refusals of the withdrawals app, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from accounts.exceptions import DomainError


class IdentificationFailed(DomainError):
    # One message whatever did not match, so nobody learns which ID numbers exist.
    code = "identification_failed"
    default_message = _(
        "We could not find a cardholder with these details. Check the ID number, the "
        "full name and the card number and try again."
    )
    status = 400


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    default_message = _("Too many attempts. Please wait an hour and try again.")
    status = 429


class IneligibleError(DomainError):
    """The eligibility rules refuse; `decision` carries every reason."""

    code = "not_eligible"
    default_message = _("The withdrawal is not allowed. See the reasons below.")
    status = 422

    def __init__(self, decision, message=None, **kwargs):
        self.decision = decision
        super().__init__(message, **kwargs)

    @property
    def reasons(self):
        return self.decision.reasons

    @property
    def codes(self):
        return self.decision.codes


class IllegalTransition(DomainError):
    code = "illegal_transition"
    default_message = _("This cannot be done while the application is in its current state.")
    status = 409


class AlreadyDecided(DomainError):
    code = "already_decided"
    default_message = _("A decision has already been made on this application.")
    status = 409


class Forbidden(DomainError):
    code = "forbidden"
    default_message = _("You are not allowed to do this.")
    status = 403


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
