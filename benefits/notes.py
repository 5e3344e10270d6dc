"""The unemployment claim's own timeline notes (codes rendered by `casework.notes`)."""

from django.utils.translation import gettext_lazy as _

from casework import notes


def _stop_label(code):
    from benefits.models import StopReason

    return str(StopReason(code).label) if code in StopReason.values else code


VERIFIED = notes.define(
    "unemployment_verified",
    _("Registration, contribution record and termination certificate verified."),
)
BENEFIT_FIXED = notes.define(
    "unemployment_benefit_fixed",
    _(
        "Approved: %(months)s months of benefit at %(amount)s yuan a month, from "
        "%(starts_on)s (%(carried)s unused months of an earlier benefit included)."
    ),
    starts_on=notes.iso_date,
)
STOPPED = notes.define(
    "unemployment_stopped",
    _("The benefit stopped on %(on)s: %(reason)s (%(basis)s)."),
    reason=_stop_label,
    on=notes.iso_date,
)
STOPPED_WITH_TEXT = notes.define(
    "unemployment_stopped_note",
    _("The benefit stopped on %(on)s: %(reason)s (%(basis)s). Staff note: %(text)s"),
    reason=_stop_label,
    on=notes.iso_date,
)
EXHAUSTED = notes.define(
    "unemployment_exhausted",
    _("Every month entitled has been paid (%(months)s months)."),
)

# --- the skill-upgrade subsidy and vocational training ----------------------------------

SKILL_VERIFIED = notes.define(
    "skill_subsidy_verified",
    _("Certificate and contribution record verified."),
)
SKILL_APPROVED = notes.define(
    "skill_subsidy_approved",
    _("Approved: a skill-upgrade subsidy of %(amount)s yuan for the %(level)s certificate."),
    level=lambda code: _level_label(code),
)
SUBSIDY_PAID = notes.define(
    "subsidy_paid",
    _("The bank paid %(amount)s yuan (%(reference)s)."),
)
SUBSIDY_FAILED = notes.define(
    "subsidy_failed",
    _(
        "The bank could not pay %(amount)s yuan (%(reference)s); the service centre "
        "will contact you."
    ),
)
TRAINING_ENROLLED = notes.define(
    "training_enrolled",
    _("Your place on the course is confirmed."),
)
TRAINING_COMPLETED = notes.define(
    "training_completed",
    _("Course completed on %(on)s; the qualification joins your record."),
    on=notes.iso_date,
)


def _level_label(code):
    from benefits.skill_subsidy_rules import level_label

    return level_label(code)
