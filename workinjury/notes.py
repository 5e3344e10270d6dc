"""The work-injury recognition's own timeline notes."""

from django.utils.translation import gettext_lazy as _

from casework import notes

FILED_FOR_WORKER = notes.define(
    "injury_filed_for_worker",
    _("Filed on the worker's behalf by %(filer)s; the worker is told."),
)
RECOGNISED = notes.define(
    "injury_recognised",
    _("Recognised as a work-related injury (accident of %(date)s)."),
    date=notes.iso_date,
)
NOT_RECOGNISED = notes.define("injury_not_recognised", text_wins=True)
VERIFIED = notes.define(
    "injury_verified", _("The labour relationship and the diagnosis were verified.")
)
ROUND_NAMES = {
    "initial": _("first appraisal"),
    "reappraisal": _("re-appraisal"),
    "review": _("review after a year"),
}
APPRAISAL_APPLIED = notes.define(
    "appraisal_applied",
    _("Labour-capacity appraisal applied for (%(round)s)."),
    round=lambda value: str(ROUND_NAMES.get(value, value)),
)
APPRAISED = notes.define(
    "appraisal_concluded",
    _(
        "Appraised at disability grade %(grade)s: one-time subsidy %(subsidy)s, monthly "
        "allowance %(allowance)s."
    ),
)
SELF_CARE_NAMES = {
    "wholly": _("wholly unable to care for themself"),
    "mostly": _("mostly unable to care for themself"),
    "partial": _("partly unable to care for themself"),
}
NURSING_FIXED = notes.define(
    "nursing_allowance_fixed",
    _(
        "Needs living care (%(level)s): nursing allowance %(percent)s %% of the regional "
        "average monthly wage %(average)s = %(amount)s a month from %(start)s "
        "(Regulations on Work-Related Injury Insurance, Art. 34)."
    ),
    level=lambda value: str(SELF_CARE_NAMES.get(value, value)),
    average=notes.money,
    amount=notes.money,
    start=notes.iso_date,
)
WORK_DEATH_RECORDED = notes.define(
    "work_death_recorded",
    _("The worker's death on %(date)s from this injury is recorded; dependants: %(count)s."),
    date=notes.iso_date,
)
WORK_DEATH_APPROVED = notes.define(
    "work_death_approved",
    _(
        "Death at work: funeral subsidy %(funeral)s and one-time subsidy %(subsidy)s paid; "
        "dependants' pensions %(pensions)s a month from %(start)s."
    ),
    funeral=notes.money,
    subsidy=notes.money,
    pensions=notes.money,
    start=notes.iso_date,
)
WORK_DEATH_REFUSED = notes.define("work_death_refused", text_wins=True)
SUBSIDY_FAILED = notes.define(
    "injury_subsidy_failed",
    _(
        "The bank could not pay %(amount)s yuan (%(reference)s): %(reason)s. It will be "
        "sent again with the next bank batch."
    ),
)
