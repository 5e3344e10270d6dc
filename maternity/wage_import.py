"""The employers' average monthly wages from a CSV file (SIL Art. 56: the allowance is
computed from the employer's last-year average monthly wage).

One row per employer and year: ``employer_credit_code,year,average_monthly_wage,source``.
Every bad row is reported with its line number (the header is line 1) and a stable
code and writes nothing; the good rows are written in one transaction. A row equal to
what is recorded is skipped, so re-running a file changes nothing; a row that differs
from a recorded figure is refused (a correction is made by staff, in the admin).
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.importing import Reject, parse_wage
from accounts.models import Employer
from accounts.validators import validate_credit_code
from core import csv as core_csv
from maternity.models import EmployerAverageWage

HEADER = ("employer_credit_code", "year", "average_monthly_wage", "source")

REASONS = {
    "malformed_row": "the row does not have the four columns " + ",".join(HEADER),
    "invalid_credit_code": "the employer's credit code is not valid: {detail}",
    "unknown_employer": "no employer has this credit code",
    "other_employer": "the row is for another employer than the one uploading the file",
    "invalid_year": "the year must be written YYYY",
    "future_year": "the year has not ended yet",
    "invalid_wage": "the average wage is not a number",
    "too_many_decimals": "the average wage has more than two decimal places",
    "negative_wage": "the average wage is negative",
    "zero_wage": "the average wage must be more than zero",
    "missing_source": "say where the figure comes from",
    "duplicate_row": "duplicate of line {first} (same employer and year)",
    "differs_from_record": (
        "{year} is recorded as {recorded} for this employer; correct it in the admin"
    ),
}


class WageFileError(Exception):
    """The file as a whole cannot be read (empty, wrong header)."""


@dataclass
class WageImportSummary:
    rows_read: int = 0
    rows_written: int = 0
    rows_already_recorded: int = 0
    rejects: list = field(default_factory=list)


def _reject(line, code, **params):
    return Reject(line, code, REASONS[code].format(**params))


def _check(line, fields, today, only_employer=None):
    if len(fields) != len(HEADER):
        return _reject(line, "malformed_row")
    code, year_text, wage_text, source = (value.strip() for value in fields)
    try:
        code = validate_credit_code(code)
    except ValidationError as exc:
        return _reject(line, "invalid_credit_code", detail=" ".join(exc.messages))
    if only_employer is not None and code != only_employer:
        return _reject(line, "other_employer")
    if not (len(year_text) == 4 and year_text.isdigit() and int(year_text) >= 1990):
        return _reject(line, "invalid_year")
    year = int(year_text)
    if year >= today.year:
        return _reject(line, "future_year")
    try:
        wage = parse_wage(wage_text)
    except ValueError as exc:
        return _reject(line, str(exc))
    if wage == 0:
        return _reject(line, "zero_wage")
    if not source:
        return _reject(line, "missing_source")
    return (line, code, year, wage, source[:200])


def import_average_wages(stream, *, today=None, only_employer=None):
    """Read the file, check every row, write the good ones; an ImportSummary. With
    `only_employer` (a credit code) a row for any other employer is rejected."""
    today = today or date.today()
    reader = core_csv.reader(stream)
    header = next(reader, None)
    if header is None:
        raise WageFileError("the file is empty")
    if tuple(column.strip().lower() for column in header) != HEADER:
        raise WageFileError(f"the header must be {','.join(HEADER)}")
    summary = WageImportSummary()
    rows, seen = [], {}
    for fields in reader:
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        summary.rows_read += 1
        result = _check(reader.line_num, fields, today, only_employer)
        if isinstance(result, Reject):
            summary.rejects.append(result)
            continue
        first = seen.setdefault((result[1], result[2]), result[0])
        if first != result[0]:
            summary.rejects.append(_reject(result[0], "duplicate_row", first=first))
            continue
        rows.append(result)
    employers = {
        e.credit_code: e for e in Employer.objects.filter(credit_code__in={row[1] for row in rows})
    }
    recorded = {
        (w.employer_id, w.year): w.amount
        for w in EmployerAverageWage.objects.filter(employer__in=employers.values())
    }
    new = []
    for line, code, year, wage, source in rows:
        employer = employers.get(code)
        if employer is None:
            summary.rejects.append(_reject(line, "unknown_employer"))
            continue
        before = recorded.get((employer.pk, year))
        if before is None:
            new.append(
                EmployerAverageWage(employer=employer, year=year, amount=wage, source=source)
            )
        elif before == wage:
            summary.rows_already_recorded += 1
        else:
            summary.rejects.append(
                _reject(line, "differs_from_record", year=year, recorded=f"{before:.2f}")
            )
    with transaction.atomic():
        EmployerAverageWage.objects.bulk_create(new, ignore_conflicts=True)
    summary.rows_written = len(new)
    summary.rejects.sort(key=lambda r: r.line)
    return summary
