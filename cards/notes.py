"""The replacement card's own timeline notes."""

from django.utils.translation import gettext_lazy as _

from casework import notes


def _why(value):
    from cards.models import Why

    return str(Why(value).label) if value in Why.values else str(value)


REQUESTED = notes.define(
    "card_replacement_requested",
    _("A replacement card was asked for (the card is %(why)s)."),
    why=_why,
)
VERIFIED = notes.define(
    "card_replacement_verified", _("The cardholder's identity and the request were checked.")
)
ISSUED = notes.define(
    "card_replacement_issued",
    _("New card %(new)s issued; the old card %(old)s is cancelled."),
)
