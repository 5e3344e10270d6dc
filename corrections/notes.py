"""The record correction's own timeline notes."""

from django.utils.translation import gettext_lazy as _

from accounts import record_fields
from casework import notes


def _field(value):
    field = record_fields.FIELDS.get(value)
    return str(field.label) if field else str(value)


ASKED = notes.define(
    "correction_asked",
    _("Asked to correct %(field)s from “%(old)s” to “%(new)s”."),
    field=_field,
)
RETIREMENT_MOVES = notes.define(
    "correction_retirement_moves",
    _(
        "This correction moves the statutory retirement date from %(before)s to %(after)s; "
        "pension data that rests on it must be checked."
    ),
    before=notes.iso_date,
    after=notes.iso_date,
)
VERIFIED = notes.define(
    "correction_verified", _("The documents were checked against the value asked for.")
)
CORRECTED = notes.define(
    "correction_applied",
    _("The record is corrected: %(field)s is now “%(new)s” (was “%(old)s”)."),
    field=_field,
)
