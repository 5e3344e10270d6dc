"""Who may apply for a subsidised vocational training course, pure: facts in, the
reasons against out. The unemployment fund pays the training subsidy of a person
registered as unemployed (Regulation on Unemployment Insurance Art. 10(4)); training
the public employment service offers is also what SIL Art. 51(5) speaks of."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from core.rights import HOW_TO_CONTEST

RULES_VERSION = "training-2026-1"
BASIS = "Regulation on Unemployment Insurance Art. 10(4)"

MESSAGES = {
    "not_registered": (
        _("Only a person registered as unemployed and seeking work can apply."),
        "SIL Art. 50; Regulation on Unemployment Insurance Art. 10(4)",
    ),
    "course_full": (_("Every place on this course is taken."), BASIS),
    "course_started": (_("The course has already started."), BASIS),
    "course_ended": (_("The course has ended."), BASIS),
    "course_not_listed": (_("The course is not open for applications."), BASIS),
    "already_applied": (_("You have already applied for this course."), BASIS),
}


@dataclass(frozen=True)
class Facts:
    registered: bool  # registered as unemployed and seeking work
    listed: bool
    starts_on: date
    ends_on: date
    places: int
    places_taken: int
    already_applied: str  # the reference of the person's application for it, if any
    today: date


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    legal_basis: str


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: list
    how_to_contest: str = ""
    rules_version: str = RULES_VERSION

    @property
    def codes(self):
        return tuple(r.code for r in self.reasons)


def reason(code):
    message, basis = MESSAGES[code]
    return Reason(code, str(message), basis)


def places_left(places, taken):
    return max(places - taken, 0)


def decide(facts):
    codes = []
    if not facts.registered:
        codes.append("not_registered")
    if not facts.listed:
        codes.append("course_not_listed")
    if facts.ends_on < facts.today:
        codes.append("course_ended")
    elif facts.starts_on <= facts.today:
        codes.append("course_started")
    if places_left(facts.places, facts.places_taken) == 0:
        codes.append("course_full")
    if facts.already_applied:
        codes.append("already_applied")
    if codes:
        return Decision(False, [reason(c) for c in codes], how_to_contest=str(HOW_TO_CONTEST))
    return Decision(True, [])
