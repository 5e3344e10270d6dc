"""The retirement claim's own timeline notes (codes rendered by `casework.notes`)."""

from django.utils.translation import gettext_lazy as _

from casework import notes

VERIFIED = notes.define(
    "retirement_verified",
    _("Identity, contribution record and retirement schedule verified."),
)
AWARD_FIXED = notes.define(
    "award_fixed",
    _(
        "Approved: %(basic)s yuan basic pension and %(personal)s yuan personal-account "
        "pension a month, paid from %(starts_on)s."
    ),
)
