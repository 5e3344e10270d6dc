"""The identity fields of the record a person may ask to correct, and what a new
value must look like. Pure: no ORM, clock or settings.

The names are those of "My record" and `GET /api/v1/me/record/`; `attribute` is the
`Cardholder` column each one is kept in.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput

NAME = "name"
ROMANISED_NAME = "romanised_name"
GENDER = "gender"
DATE_OF_BIRTH = "date_of_birth"
ETHNICITY = "ethnicity"
HOUSEHOLD_REGISTRATION = "household_registration"

# Codes of a new value that cannot be right.
FIELD_UNKNOWN = "correction_field_unknown"
VALUE_REQUIRED = "required"
VALUE_INVALID = "invalid"
VALUE_TOO_LONG = "max_length"


@dataclass(frozen=True)
class RecordField:
    name: str
    attribute: str
    label: object
    max_length: int
    required: bool = True
    # Changing it moves the statutory retirement date (pensions.retirement).
    moves_retirement: bool = False


FIELDS = {
    field.name: field
    for field in (
        RecordField(NAME, "name", _("Name"), 100),
        RecordField(ROMANISED_NAME, "romanised_name", _("Romanised name"), 100, required=False),
        RecordField(GENDER, "gender", _("Gender"), 1, moves_retirement=True),
        RecordField(DATE_OF_BIRTH, "date_of_birth", _("Date of birth"), 10, moves_retirement=True),
        RecordField(ETHNICITY, "ethnicity", _("Ethnicity"), 40, required=False),
        RecordField(
            HOUSEHOLD_REGISTRATION, "domicile", _("Household registration"), 200, required=False
        ),
    )
}
GENDERS = ("M", "F")


def record_field(name):
    """The field called `name`; InvalidInput naming `field` otherwise."""
    try:
        return FIELDS[str(name or "")]
    except KeyError:
        raise InvalidInput(
            _("Choose one of the fields your record shows."), code=FIELD_UNKNOWN, field="field"
        ) from None


def parse_value(name, text):
    """The new value of field `name` as the record keeps it (a date for the date of
    birth, M/F for the gender, trimmed text otherwise); InvalidInput naming
    `new_value` with a code when it cannot be one."""
    field = record_field(name)
    value = " ".join(str(text or "").split())
    if not value and field.required:
        raise InvalidInput(_("Give the right value."), code=VALUE_REQUIRED, field="new_value")
    if field.name == DATE_OF_BIRTH:
        try:
            born = date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(
                _("Write the date of birth as YYYY-MM-DD."), code=VALUE_INVALID, field="new_value"
            ) from None
        if born.year < 1900:
            raise InvalidInput(
                _("Write the date of birth as YYYY-MM-DD."), code=VALUE_INVALID, field="new_value"
            )
        return born
    if field.name == GENDER:
        value = value.upper()[:1] if value.lower() in ("m", "f", "male", "female") else value
        if value not in GENDERS:
            raise InvalidInput(
                _("The gender is M (male) or F (female)."), code=VALUE_INVALID, field="new_value"
            )
        return value
    if len(value) > field.max_length:
        raise InvalidInput(
            _("At most %(n)d characters.") % {"n": field.max_length},
            code=VALUE_TOO_LONG,
            field="new_value",
        )
    return value


def as_text(value):
    """A field's value as the audit trail and the case keep it."""
    if isinstance(value, date):
        return value.isoformat()
    return str(value or "")
