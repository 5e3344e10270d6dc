"""How a person contests a decision refusing or rejecting them: one text, reused.

Every refusal, rejection or stop shown to a person (on a page, in an e-mail, in the
API) states it (Social Insurance Law of the PRC, Art. 83; the Administrative
Reconsideration Law sets the 60 days).
"""

from django.utils.translation import gettext_lazy as _

LAW_CONTEST = "Social Insurance Law of the PRC, Art. 83"

HOW_TO_CONTEST = _(
    "If you disagree with this decision, you can apply for administrative "
    "reconsideration or bring an administrative lawsuit within 60 days of the day "
    "you learn of it (Social Insurance Law of the PRC, Art. 83)."
)


def how_to_contest() -> str:
    """The way to contest a decision, in the active language."""
    return str(HOW_TO_CONTEST)
