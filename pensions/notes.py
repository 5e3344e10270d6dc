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
    starts_on=notes.iso_date,
)
PAYOUT_FAILED = notes.define(
    "pension_payout_failed",
    _(
        "The bank could not pay %(amount)s yuan (%(reference)s) to account %(account)s: "
        "%(note)s. Correct the bank account; the next monthly run sends it again once."
    ),
)
BANK_ACCOUNT_CHANGED = notes.define(
    "pension_bank_account_changed",
    _("The bank account for the pension was changed to %(bank)s, account %(account)s."),
)
BANK_ACCOUNT_CORRECTED = notes.define(
    "pension_bank_account_corrected",
    _(
        "Staff corrected the bank account the pension is paid to: was %(old)s, now "
        "%(new)s. Reason: %(reason)s"
    ),
)
