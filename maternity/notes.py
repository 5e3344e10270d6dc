"""The maternity claim's own timeline notes (codes rendered by `casework.notes`)."""

from django.utils.translation import gettext_lazy as _

from casework import notes

VERIFIED = notes.define(
    "maternity_verified",
    _("Identity, the birth or miscarriage and the employer's average wage verified."),
)
ALLOWANCE_FIXED = notes.define(
    "maternity_allowance_fixed",
    _(
        "Approved: %(days)s days × %(wage)s yuan ÷ 30 = %(amount)s yuan, paid once from "
        "the medical insurance fund to the account ending %(tail)s."
    ),
)
PAID = notes.define("maternity_paid", _("The bank confirmed the payment of the allowance."))
