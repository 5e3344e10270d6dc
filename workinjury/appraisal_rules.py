"""Labour-capacity appraisal: when it may be asked for and what it may conclude
(WIR Art. 21-28, RULES.md §6). Pure functions over dates and numbers.

- The injured worker applies once the condition is stable after treatment, on a
  recognised work injury (Art. 21, 23).
- The committee concludes with a disability grade, 1 (most severe) to 10, and a
  self-care level (Art. 22) within 60 days of the application, extendable by 30
  (Art. 25).
- A party who disagrees may ask for a re-appraisal within 15 days of receiving the
  conclusion; the re-appraisal's conclusion is final (Art. 26).
- A year after the conclusion, when the condition has changed, a review may be asked
  for (Art. 28).
"""

from __future__ import annotations

from datetime import date, timedelta

from benefits.work_injury_rules import ONE_TIME_SUBSIDY_MONTHS

LAW_APPLY = "Regulations on Work-Related Injury Insurance, Art. 21, 23"
LAW_GRADES = "Regulations on Work-Related Injury Insurance, Art. 22"
LAW_CONCLUSION = "Regulations on Work-Related Injury Insurance, Art. 25"
LAW_REAPPRAISAL = "Regulations on Work-Related Injury Insurance, Art. 26"
LAW_REVIEW = "Regulations on Work-Related Injury Insurance, Art. 28"

INITIAL = "initial"
REAPPRAISAL = "reappraisal"
REVIEW = "review"
ROUNDS = (INITIAL, REAPPRAISAL, REVIEW)

# Self-care levels (Art. 22): wholly, mostly or partly unable to care for oneself.
SELF_CARE_NONE = "none"
SELF_CARE_PARTIAL = "partial"
SELF_CARE_MOSTLY = "mostly"
SELF_CARE_WHOLLY = "wholly"
SELF_CARE_LEVELS = (SELF_CARE_NONE, SELF_CARE_PARTIAL, SELF_CARE_MOSTLY, SELF_CARE_WHOLLY)

CONCLUSION_DAYS = 60
EXTENSION_DAYS = 30
REAPPRAISAL_DAYS = 15
GRADES = tuple(sorted(ONE_TIME_SUBSIDY_MONTHS))

# Stable codes.
NO_RECOGNISED_INJURY = "appraisal_no_recognised_injury"
NOT_STABLE = "appraisal_condition_not_stable"
ALREADY_OPEN = "appraisal_open"
ALREADY_APPRAISED = "appraisal_already_concluded"
NOTHING_TO_CONTEST = "appraisal_no_conclusion"
REAPPRAISAL_TOO_LATE = "appraisal_reappraisal_too_late"
REAPPRAISAL_FINAL = "appraisal_reappraisal_final"
REVIEW_TOO_EARLY = "appraisal_review_too_early"
ROUND_UNKNOWN = "appraisal_round_unknown"
GRADE_INVALID = "injury_grade_invalid"
SELF_CARE_INVALID = "appraisal_self_care_invalid"

BASIS = {
    NO_RECOGNISED_INJURY: LAW_APPLY,
    NOT_STABLE: LAW_APPLY,
    ALREADY_OPEN: LAW_APPLY,
    ALREADY_APPRAISED: LAW_REAPPRAISAL,
    NOTHING_TO_CONTEST: LAW_REAPPRAISAL,
    REAPPRAISAL_TOO_LATE: LAW_REAPPRAISAL,
    REAPPRAISAL_FINAL: LAW_REAPPRAISAL,
    REVIEW_TOO_EARLY: LAW_REVIEW,
    ROUND_UNKNOWN: LAW_APPLY,
    GRADE_INVALID: LAW_GRADES,
    SELF_CARE_INVALID: LAW_GRADES,
}


class AppraisalRuleError(ValueError):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def conclude_by(applied_on: date, *, extended: bool = False) -> date:
    """The last day for the committee's conclusion (Art. 25)."""
    return applied_on + timedelta(days=CONCLUSION_DAYS + (EXTENSION_DAYS if extended else 0))


def reappraisal_deadline(concluded_on: date) -> date:
    """The last day to ask for a re-appraisal of a conclusion (Art. 26)."""
    return concluded_on + timedelta(days=REAPPRAISAL_DAYS)


def review_earliest(concluded_on: date) -> date:
    """The first day a review may be asked for (Art. 28)."""
    return _one_year_after(concluded_on)


def check_application(
    *,
    round: str,
    today: date,
    recognised: bool,
    condition_stable: bool,
    open_round: str = "",
    last_round: str = "",
    last_concluded_on: date | None = None,
) -> None:
    """Raise AppraisalRuleError with the first rule that refuses, or return.

    `last_round` / `last_concluded_on` describe the latest concluded appraisal of
    the injury, if any; `open_round` an application still waiting for its conclusion."""
    if round not in ROUNDS:
        raise AppraisalRuleError(ROUND_UNKNOWN)
    if not recognised:
        raise AppraisalRuleError(NO_RECOGNISED_INJURY)
    if open_round:
        raise AppraisalRuleError(ALREADY_OPEN)
    if round == INITIAL:
        if last_concluded_on is not None:
            raise AppraisalRuleError(ALREADY_APPRAISED)
        if not condition_stable:
            raise AppraisalRuleError(NOT_STABLE)
        return
    if last_concluded_on is None:
        raise AppraisalRuleError(NOTHING_TO_CONTEST)
    if round == REAPPRAISAL:
        if last_round == REAPPRAISAL:
            raise AppraisalRuleError(REAPPRAISAL_FINAL)
        deadline = reappraisal_deadline(last_concluded_on)
        if today > deadline:
            raise AppraisalRuleError(REAPPRAISAL_TOO_LATE, deadline=deadline.isoformat())
        return
    earliest = review_earliest(last_concluded_on)
    if today < earliest:
        raise AppraisalRuleError(REVIEW_TOO_EARLY, earliest=earliest.isoformat())


def check_conclusion(grade, self_care) -> int:
    """The grade as an int in 1..10 and a known self-care level, or AppraisalRuleError."""
    try:
        value = int(str(grade).strip())
    except (TypeError, ValueError):
        raise AppraisalRuleError(GRADE_INVALID) from None
    if value not in GRADES or str(grade).strip() != str(value):
        raise AppraisalRuleError(GRADE_INVALID)
    if self_care not in SELF_CARE_LEVELS:
        raise AppraisalRuleError(SELF_CARE_INVALID)
    return value
