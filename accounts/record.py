"""The person's own record as the card keeps it (SIL Art. 4, 74): who they are, their
card, and the employment history their contributions show.

A selector: reads only, a fixed number of queries whatever the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accounts.models import Cardholder, Contribution, Employer


@dataclass(frozen=True)
class EmploymentSpell:
    """Months in a row with contributions paid by one employer (or by the person)."""

    employer_id: int | None
    employer_name: str
    credit_code: str
    first_month: date
    last_month: date

    @property
    def months(self) -> int:
        return (
            (self.last_month.year - self.first_month.year) * 12
            + self.last_month.month
            - self.first_month.month
            + 1
        )


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def employment_history(cardholder: Cardholder) -> list[EmploymentSpell]:
    """Spells of consecutive contribution months per payer, newest first.

    A gap of a month or more, or another employer, starts a new spell; the
    flexibly employed (no employer) show as their own spell.
    """
    months = (
        Contribution.objects.filter(cardholder=cardholder)
        .order_by("employer_id", "month")
        .values_list("employer_id", "month")
        .distinct()
    )
    spells: list[list] = []
    for employer_id, month in months:
        last = spells[-1] if spells else None
        if last and last[0] == employer_id and _next_month(last[2]) >= month:
            last[2] = max(last[2], month)
        else:
            spells.append([employer_id, month, month])
    employers = Employer.objects.in_bulk({spell[0] for spell in spells if spell[0]})
    history = [
        EmploymentSpell(
            employer_id=employer_id,
            employer_name=employers[employer_id].name if employer_id else "",
            credit_code=employers[employer_id].credit_code if employer_id else "",
            first_month=first,
            last_month=last,
        )
        for employer_id, first, last in spells
    ]
    return sorted(history, key=lambda spell: spell.first_month, reverse=True)


def identity(cardholder: Cardholder) -> dict:
    """The identity fields the person may see and ask to correct (the ID number masked)."""
    return {
        "name": cardholder.name,
        "romanised_name": getattr(cardholder, "romanised_name", "") or "",
        "gender": cardholder.gender,
        "gender_label": cardholder.get_gender_display(),
        "date_of_birth": cardholder.date_of_birth,
        "ethnicity": cardholder.ethnicity,
        "household_registration": cardholder.domicile,
        "masked_national_id": cardholder.masked_national_id,
        "masked_card_number": cardholder.masked_card_number,
        "card_status": cardholder.card_status,
        "card_status_label": cardholder.get_card_status_display(),
        "financial_function_activated": cardholder.card_financial_activated,
        "employment_status": cardholder.employment_status,
        "employment_status_label": cardholder.get_employment_status_display(),
    }


def decisions_on_record(cardholder: Cardholder) -> list:
    """Decisions about the person the apps above accounts record (a recognised work
    injury), as `accounts.extensions.RecordLine`s."""
    from accounts import extensions

    return extensions.record_lines(cardholder)
