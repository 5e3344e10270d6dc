"""The record correction's refusals."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class CorrectionRefused(DomainError):
    """The rules refuse; `decision` carries every reason."""

    code = "not_eligible"
    default_message = _("The correction cannot be asked for now. See the reasons below.")
    status = 422

    def __init__(self, decision, message=None, **kwargs):
        self.decision = decision
        super().__init__(message, **kwargs)

    @property
    def reasons(self):
        return self.decision.reasons

    def details(self):
        return {
            "reasons": [
                {"code": r.code, "message": r.message, "legal_basis": r.legal_basis}
                for r in self.decision.reasons
            ],
            "how_to_contest": self.decision.how_to_contest,
        }
