"""The withdrawal kind's own timeline notes (codes rendered by `casework.notes`)."""

from datetime import date

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casework import notes
from core import formatting


def _verified_facts(facts):
    """A verification's facts (a dict stored on the event) in the reader's language.
    Events written before the facts were stored as parameters hold a string."""
    if not isinstance(facts, dict):
        return str(facts or "")
    when = date.fromisoformat(facts["date"]) if facts.get("date") else None
    parts = [formatting.date_text(when) if when else "", facts.get("country", "")]
    parts.append(gettext("certificate %(number)s") % {"number": facts.get("number", "")})
    if "given_up" in facts:
        parts.append(
            gettext("PRC nationality given up")
            if facts["given_up"]
            else gettext("PRC nationality kept")
        )
    return ", ".join(part for part in parts if part)


VERIFICATION_CORRECTED = notes.define(
    "verification_corrected",
    _("Verification corrected: was %(before)s, now %(after)s. Reason: %(reason)s"),
    before=_verified_facts,
    after=_verified_facts,
)
DEATH_VERIFIED = notes.define(
    "death_verified",
    _("Death verified: died on %(date)s, certificate %(number)s."),
    date=notes.iso_date,
)
EMIGRATION_VERIFIED = notes.define(
    "emigration_verified",
    _(
        "Emigration verified: settled in %(country)s on %(date)s, certificate %(number)s; "
        "PRC nationality given up: %(given_up)s."
    ),
    given_up=notes.yes_no,
    date=notes.iso_date,
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

# --- the claim safeguards ------------------------------------------------------------------

APPLICANT_VERIFIED = notes.define(
    "applicant_verified",
    _("The applicant's identity document was checked against their registered identity."),
)
CLAIM_CONTESTED = notes.define(
    "claim_contested",
    _("The person this claim is about says they are alive: the claim is on hold."),
)
# The contesting person's words, shown as typed (staff only).
CONTEST_NOTE = notes.define("contest_note", _("Note from the person named: %(note)s"))
CONTEST_LIFTED = notes.define("contest_lifted", _("Hold lifted by staff: %(reason)s"))
CERTIFICATE_ACCEPTED = notes.define(
    "certificate_accepted",
    _(
        "Certificate %(number)s is also recorded for another person (%(other)s); "
        "accepted by %(who)s: %(reason)s"
    ),
)
CERTIFICATE_REFUSED = notes.define(
    "certificate_refused",
    _(
        "Refused (%(refusal)s): certificate %(number)s is already recorded for another "
        "person (%(other)s)."
    ),
)
PAYEE_PROPOSED = notes.define(
    "payee_proposed",
    _(
        "New payout details proposed by %(who)s: %(bank)s, %(holder)s, account ending "
        "%(tail)s. A second staff member must confirm them."
    ),
)
PAYEE_CONFIRMED = notes.define(
    "payee_confirmed",
    _(
        "Bank details corrected (proposed by %(proposer)s, confirmed by %(who)s): "
        "%(bank)s, %(holder)s, account ending %(tail)s. The payment goes out with the "
        "next batch."
    ),
)
BANK_BY_APPLICANT = notes.define(
    "bank_by_applicant",
    _("New bank details given by the applicant: %(bank)s, account ending %(tail)s."),
)

# --- heirs ------------------------------------------------------------------------------------

HEIRS_DECLARED = notes.define("heirs_declared", _("Heirs declared: %(count)s, shares %(shares)s."))
HEIR_JOINED = notes.define(
    "heir_joined",
    _("The heir %(name)s confirmed the shares and gave a bank account ending %(tail)s."),
)
HEIR_VERIFIED = notes.define(
    "heir_verified", _("The identity of the heir %(name)s was checked by staff.")
)
HEIR_PAYOUT_PAID = notes.define(
    "heir_payout_paid", _("Paid to the heir %(name)s: %(amount)s yuan (%(scheme)s).")
)
HEIR_PAYOUT_FAILED = notes.define(
    "heir_payout_failed", _("The bank could not pay the heir %(name)s (%(scheme)s).")
)
HEIR_PAYOUT_RESENT = notes.define(
    "heir_payout_resent",
    _(
        "The heir %(name)s gave a corrected bank account ending %(tail)s: their failed "
        "payments go out again with the next batch."
    ),
)
HEIRS_REDECLARED = notes.define(
    "heirs_redeclared",
    _("The heirs or their shares changed: every co-heir confirms the new shares again."),
)
SURVIVOR_BENEFITS_FROM_UNEMPLOYMENT = notes.define(
    "survivor_benefits_from_unemployment",
    _(
        "Survivor benefits from the unemployment fund, as the deceased was drawing "
        "unemployment benefit (Social Insurance Law, Art. 49): funeral subsidy %(grant)s "
        "yuan, survivors' pension %(pension)s yuan (%(months)s months)."
    ),
)
SURVIVOR_BENEFITS_AWARDED = notes.define(
    "survivor_benefits_awarded",
    _(
        "Survivor benefits from the pension fund: funeral grant %(grant)s yuan, "
        "survivors' pension %(pension)s yuan (%(months)s months)."
    ),
)
PENSION_ARREARS_PAID = notes.define(
    "pension_arrears_paid",
    _(
        "Pension owed to the deceased and not paid, %(first)s to %(last)s (%(months)s "
        "months): %(amount)s yuan from the pension fund and the personal pension account, "
        "paid with this claim."
    ),
)
WORK_DEATH_LUMP_SUMS_PAID = notes.define(
    "work_death_lump_sums_paid",
    _(
        "The work-death funeral subsidy (%(funeral)s yuan) and one-time subsidy "
        "(%(subsidy)s yuan) of %(recognition)s (WIR Art. 39), waiting in payouts payable, "
        "paid with this claim."
    ),
)
SURVIVOR_BENEFITS_NONE = notes.define(
    "survivor_benefits_none",
    _("No survivor benefits from the pension fund: %(reason)s"),
)
