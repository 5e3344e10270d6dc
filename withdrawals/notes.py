"""The withdrawal kind's own timeline notes (codes rendered by `casework.notes`)."""

from django.utils.translation import gettext_lazy as _

from casework import notes

DEATH_VERIFIED = notes.define(
    "death_verified", _("Death verified: died on %(date)s, certificate %(number)s.")
)
EMIGRATION_VERIFIED = notes.define(
    "emigration_verified",
    _(
        "Emigration verified: settled in %(country)s on %(date)s, certificate %(number)s; "
        "PRC nationality given up: %(given_up)s."
    ),
    given_up=notes.yes_no,
)
NOTICE_CONFIRMED = notes.define(
    "notice_confirmed", _("Written notice read and confirmed by %(name)s.")
)
APPROVED = notes.define("approved", _("Approved: %(amount)s yuan to be paid to %(holder)s."))
PAYOUT_SENT = notes.define("payout_sent", _("Sent to the bank for payment."))
# The bank's remark, when it gave one, is shown as it wrote it.
PAID = notes.define("paid", _("Paid: the bank confirmed the transfer."), text_wins=True)
PAYOUT_FAILED = notes.define(
    "payout_failed", _("The bank could not make the payment."), text_wins=True
)
BANK_CORRECTED = notes.define(
    "bank_corrected", _("Bank details corrected; the payment goes out with the next batch.")
)
