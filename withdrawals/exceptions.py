"""Refusals of the withdrawals app, each with a stable code. The base and the
generic errors come from `core.errors` and are re-exported here."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from casework.exceptions import (
    AlreadyDecided,
    DocumentRefused,
    Forbidden,
    IllegalTransition,
    SamePerson,
)
from core.errors import DomainError, InvalidInput, InvalidTransition, NotFound
from core.rights import how_to_contest

__all__ = [
    "AlreadyDecided",
    "AlreadyVerified",
    "DocumentRefused",
    "DomainError",
    "Forbidden",
    "IdentificationFailed",
    "IllegalTransition",
    "IneligibleError",
    "InvalidInput",
    "InvalidTransition",
    "NotFound",
    "SamePerson",
    "TooManyAttempts",
]


class AlreadyVerified(DomainError):
    code = "already_verified"
    default_message = _(
        "Other facts are already recorded. To replace them, say why in the correction "
        "reason; the first verification stays on the timeline."
    )
    status = 409


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

    def details(self):
        # The API shows every reason, as the pre-check does.
        language = get_language() or "en"
        return {
            "reasons": [
                {
                    "code": reason.code,
                    "message": reason.message(language),
                    "legal_basis": reason.legal_basis,
                    "account": reason.account,
                    "document": reason.document,
                }
                for reason in self.decision.reasons
            ],
            "how_to_contest": how_to_contest(),
        }
