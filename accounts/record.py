"""The person's own record as the card keeps it (SIL Art. 4, 74): who they are, their
card, and the employment history their contributions show.

A selector: reads only, a fixed number of queries whatever the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection

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


# Spells as islands of consecutive months: per payer, a month's number less its rank
# among that payer's months is the same for every month of one unbroken run.
_SPELLS_SQL = """
SELECT s.employer_id, e.name, e.credit_code, MIN(s.month), MAX(s.month)
FROM (
  SELECT m.employer_id, m.month,
    {month_number} - ROW_NUMBER() OVER (PARTITION BY m.employer_id ORDER BY m.month) AS run
  FROM (SELECT DISTINCT employer_id, month FROM {contributions} WHERE cardholder_id = %s) m
) s
LEFT JOIN {employers} e ON e.id = s.employer_id
GROUP BY s.employer_id, s.run, e.name, e.credit_code
ORDER BY MIN(s.month) DESC, s.employer_id
"""
_MONTH_NUMBER = {
    "postgresql": "(EXTRACT(YEAR FROM m.month) * 12 + EXTRACT(MONTH FROM m.month))",
    "sqlite": "(CAST(strftime('%%Y', m.month) AS INTEGER) * 12"
    " + CAST(strftime('%%m', m.month) AS INTEGER))",
}
_MONTH = Contribution._meta.get_field("month")


def employment_history(cardholder: Cardholder) -> list[EmploymentSpell]:
    """Spells of consecutive contribution months per payer, newest first. One query.

    A gap of a month or more, or another employer, starts a new spell; the
    flexibly employed (no employer) show as their own spell.
    """
    sql = _SPELLS_SQL.format(
        month_number=_MONTH_NUMBER[connection.vendor],
        contributions=Contribution._meta.db_table,
        employers=Employer._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [cardholder.pk])
        rows = cursor.fetchall()
    return [
        EmploymentSpell(
            employer_id=employer_id,
            employer_name=name if employer_id else "",
            credit_code=credit_code if employer_id else "",
            first_month=_MONTH.to_python(first),
            last_month=_MONTH.to_python(last),
        )
        for employer_id, name, credit_code, first, last in rows
    ]


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
