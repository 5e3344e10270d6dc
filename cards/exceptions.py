"""The replacement-card app's refusals."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class ReplacementRefused(DomainError):
    """The rules refuse; `decision` carries every reason."""

    code = "not_eligible"
    default_message = _("A replacement card cannot be asked for now. See the reasons below.")
    status = 422

    def __init__(self, decision, message=None, **kwargs):
        self.decision = decision
        if len(decision.codes) == 1:
            kwargs.setdefault("code", decision.codes[0])
        super().__init__(message, **kwargs)

    @property
    def reasons(self):
        return self.decision.reasons

    def details(self):
        return {
            "reasons": [r.as_dict() for r in self.decision.reasons],
            "how_to_contest": self.decision.how_to_contest,
        }
