"""Timeline notes as codes: an event stores a note code and its parameters, never a
finished sentence, and is rendered by gettext in the reader's language when shown.

Text a person typed (a staff member's rejection reason or documents request, the
bank's remark) is kept as typed, in the parameter ``text``. A code nobody defined
(an old note the migration could not recognise) renders its ``text`` as it is.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casework import workflow
from core import formatting

FREE_TEXT = "text"


@dataclass(frozen=True)
class Note:
    """What a service hands to the timeline: a code and JSON-safe parameters."""

    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NoteKind:
    code: str
    # A gettext message with %(name)s placeholders, or a function(params) -> str.
    message: object
    formatters: dict
    # The typed text, when there is one, is shown instead of the message.
    text_wins: bool = False


_NOTES = {}


def define(code, message=None, *, text_wins=False, **formatters):
    """Declare a note code. `formatters` turn a stored parameter into display text."""
    _NOTES[code] = NoteKind(code, message, formatters, text_wins or message is None)
    return code


def note(code, **params):
    if code not in _NOTES:
        raise LookupError(f"undefined timeline note {code!r}")
    return Note(code, params)


def free_text(text):
    return Note(FREE_TEXT, {"text": str(text or "")})


def render(code, params, *, for_applicant=False):
    """The note in the active language. For the applicant, a note whose typed text
    would win (the bank's own remark) reads as its message: the remark is for staff."""
    params = params or {}
    kind = _NOTES.get(code)
    text = str(params.get("text") or "")
    if kind is None or code == FREE_TEXT:
        return text
    if kind.text_wins and text and not (for_applicant and kind.message is not None):
        return text
    if kind.message is None:
        return text
    if not isinstance(kind.message, Promise | str):
        return kind.message(params)
    values = dict(params)
    for name, formatter in kind.formatters.items():
        if name in values:
            values[name] = formatter(values[name])
    try:
        return str(kind.message) % values
    except (KeyError, TypeError, ValueError):
        return str(kind.message)


# --- formatters --------------------------------------------------------------------


def yes_no(value):
    return gettext("yes") if value else gettext("no")


def document_kind(value):
    return str(workflow.document_label(value))


def code_list(value):
    return ", ".join(str(v) for v in value or ())


def money(value):
    """An amount stored as ``1080000.00`` read as ``¥1,080,000.00``."""
    return formatting.money(value) or str(value)


def iso_date(value):
    """A date stored as ``2026-12-02`` read as the reader's date."""
    try:
        return formatting.date_text(datetime.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


# --- the notes every kind shares ---------------------------------------------------------

STARTED = define("started", _("Application started."))
SUBMITTED = define("submitted", _("Submitted for review."))
WITHDRAWN = define("withdrawn", _("Withdrawn by the applicant."))
DOCUMENT_ADDED = define("document_added", _("Document added: %(kind)s."), kind=document_kind)
DOCUMENT_REMOVED = define("document_removed", _("Document removed: %(kind)s."), kind=document_kind)
REVIEW_STARTED = define("review_started", _("Automated document check started."))


def _review_finished(params):
    text = gettext(
        "Automated document check finished: %(n)d checked, %(failed)d with problems."
    ) % {"n": params.get("n", 0), "failed": params.get("failed", 0)}
    if params.get("duplicates"):
        text += " " + gettext("%(n)d file(s) also used for another cardholder.") % {
            "n": params["duplicates"]
        }
    return text


REVIEW_FINISHED = define("review_finished", _review_finished)
# A fraud signal, on the staff timeline only.
DUPLICATE_FILES = define("duplicate_files", _("%(n)d file(s) also used for another cardholder."))
REVIEW_REQUEUED = define(
    "review_requeued", _("Document check queued again (it was taking too long).")
)
REVIEW_GIVEN_UP = define(
    "review_given_up",
    _(
        "The automatic document check did not finish after %(n)d rounds; it is not "
        "queued again. A staff member must look at it."
    ),
)
TASK_GAVE_UP = define(
    "task_gave_up",
    _(
        "Automatic %(task)s gave up after %(retries)d retries (%(error)s); a staff member "
        "must look at it."
    ),
)
ELIGIBILITY_REFUSED = define(
    "eligibility_refused",
    _("Eligibility check (%(stage)s) refused: %(codes)s"),
    codes=code_list,
)
# Staff's own words, shown as typed.
DOCUMENTS_REQUESTED = define("documents_requested")
REJECTED = define("rejected")
define(FREE_TEXT)
