"""Refusals of the withdrawals app, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from accounts.exceptions import DomainError
from casework.exceptions import (  # noqa: F401  (shared by every kind)
    AlreadyDecided,
    DocumentRefused,
    Forbidden,
    IllegalTransition,
    SamePerson,
)


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
