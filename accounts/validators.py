"""
Validation, masking and generation of Chinese identity numbers.

Everything here is a pure function (no ORM, no settings access) so it can be
used from model fields, forms, serializers, data generators and tests alike.

* Resident identity card number (公民身份号码), GB 11643-1999: 6-digit region
  code, 8-digit birth date, 3-digit sequence (odd = male, even = female) and an
  ISO 7064 MOD 11-2 check character.
* Unified social credit code (统一社会信用代码), GB 32100-2015: 17 characters
  from a 31-character alphabet plus a MOD 31 check character.

Error messages deliberately never echo the submitted value: they end up in
logs and rendered forms, and a national ID number is personal data.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NATIONAL_ID_LENGTH = 18
NATIONAL_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Remainder (0..10) of the weighted sum modulo 11 -> check character.
NATIONAL_ID_CHECK_CHARS = "10X98765432"
# Earliest birth date accepted. Older dates are certainly typos; the exact
# bound is a policy choice, not part of GB 11643-1999.
NATIONAL_ID_MIN_BIRTH_DATE = date(1800, 1, 1)

CREDIT_CODE_LENGTH = 18
# GB 32100-2015 alphabet: digits and upper-case letters without I, O, Z, S, V
# (too easily confused with 1, 0, 2, 5, U).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

MASK_CHAR = "*"

# str.isdigit() also accepts e.g. "²" or Arabic-Indic digits; be explicit.
_ASCII_DIGITS = frozenset("0123456789")
_CREDIT_CODE_VALUES = {char: index for index, char in enumerate(CREDIT_CODE_ALPHABET)}


def _is_ascii_digits(value: str) -> bool:
    return bool(value) and all(char in _ASCII_DIGITS for char in value)


# ---------------------------------------------------------------------------
# Resident identity card number
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NationalId:
    """A validated national ID number and the facts encoded in it."""

    number: str  # Normalised: 18 characters, check character upper-case.
    region_code: str  # Administrative division code at first registration.
    birth_date: date
    gender: str  # "M" or "F", from the parity of the 17th digit.


def national_id_check_char(first17: str) -> str:
    """
    Return the ISO 7064 MOD 11-2 check character for the first 17 digits of
    a national ID number.
    """
    if len(first17) != NATIONAL_ID_LENGTH - 1 or not _is_ascii_digits(first17):
        raise ValueError("first17 must be exactly 17 ASCII digits.")
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, NATIONAL_ID_WEIGHTS, strict=True)
    )
    return NATIONAL_ID_CHECK_CHARS[total % 11]


def _parse_birth_date(digits: str) -> date | None:
    """Return the date for YYYYMMDD digits, or None if it is not a real date."""
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def parse_national_id(value: str, *, today: date | None = None) -> NationalId:
    """
    Validate a national ID number and return its normalised form and fields.

    Surrounding whitespace is ignored and a lower-case check character "x" is
    accepted. `today` can be injected so that the future-birth check is
    deterministic in tests. Raise ValidationError with a stable `code`.
    """
    number = "" if value is None else str(value).strip()
    if len(number) != NATIONAL_ID_LENGTH:
        raise ValidationError(
            _("A national ID number must be exactly 18 characters long."),
            code="id_length",
        )
    if not _is_ascii_digits(number[:17]) or number[17] not in "0123456789Xx":
        raise ValidationError(
            _(
                "A national ID number must consist of 17 digits followed by a "
                "digit or the letter X."
            ),
            code="id_characters",
        )
    number = number.upper()

    birth_date = _parse_birth_date(number[6:14])
    if birth_date is None or birth_date < NATIONAL_ID_MIN_BIRTH_DATE:
        raise ValidationError(
            _("The birth date in the national ID number is not a valid date."),
            code="id_birth_date",
        )
    if today is None:
        today = date.today()
    if birth_date > today:
        raise ValidationError(
            _("The birth date in the national ID number is in the future."),
            code="id_future_birth",
        )

    if number[17] != national_id_check_char(number[:17]):
        raise ValidationError(
            _(
                "The national ID number is not valid (wrong check character). "
                "Please check it for typing errors."
            ),
            code="id_checksum",
        )

    return NationalId(
        number=number,
        region_code=number[:6],
        birth_date=birth_date,
        gender="M" if int(number[16]) % 2 else "F",
    )


def validate_national_id(value: str) -> None:
    """Django validator: raise ValidationError unless `value` is a valid ID."""
    parse_national_id(value)


def mask_national_id(value: str | None) -> str:
    """
    Mask a national ID number for display: keep the region code (first 6) and
    the last 4 characters, hiding the birth date behind 8 asterisks.

    Anything shorter than a full 18-character number (including legacy
    15-digit numbers and partial input) is masked completely, so a number is
    never revealed in full.
    """
    if value is None:
        return ""
    value = str(value).strip()
    if not value:
        return ""
    if len(value) < NATIONAL_ID_LENGTH:
        return MASK_CHAR * len(value)
    return value[:6] + MASK_CHAR * 8 + value[-4:]


CARD_NUMBER_RE = re.compile(r"[A-Z][0-9]{8}")


def is_card_number(value: str | None) -> bool:
    """A social security card number as issued: one capital letter and eight digits
    (``A10000011``)."""
    return bool(value) and CARD_NUMBER_RE.fullmatch(str(value)) is not None


def mask_card_number(value: str | None) -> str:
    """
    Mask a social security card number: keep the first and the last 4
    characters. Values with fewer than 4 characters to hide (shorter than 9
    characters) are masked completely.
    """
    if value is None:
        return ""
    value = str(value).strip()
    if not value:
        return ""
    if len(value) < 9:
        return MASK_CHAR * len(value)
    return value[0] + MASK_CHAR * (len(value) - 5) + value[-4:]


def generate_national_id(region_code: str, birth: date, sequence: int, gender: str) -> str:
    """
    Build a valid national ID number for test and demo data.

    `sequence` (0..999) becomes digits 15-17; if its parity does not match
    `gender` ("M" odd, "F" even) its lowest bit is flipped, which keeps it in
    range.
    """
    if len(region_code) != 6 or not _is_ascii_digits(region_code):
        raise ValueError("region_code must be exactly 6 ASCII digits.")
    if not 1000 <= birth.year <= 9999:
        raise ValueError("birth year must have four digits.")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be between 0 and 999.")
    if gender not in ("M", "F"):
        raise ValueError('gender must be "M" or "F".')
    if (sequence % 2 == 1) != (gender == "M"):
        sequence ^= 1
    first17 = f"{region_code}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    return first17 + national_id_check_char(first17)


# ---------------------------------------------------------------------------
# Unified social credit code
# ---------------------------------------------------------------------------


def normalise_credit_code(value: str | None) -> str:
    """Return the credit code without surrounding whitespace, in upper case."""
    if value is None:
        return ""
    return str(value).strip().upper()


def credit_code_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters."""
    if len(first17) != CREDIT_CODE_LENGTH - 1 or any(
        char not in _CREDIT_CODE_VALUES for char in first17
    ):
        raise ValueError("first17 must be exactly 17 characters from the credit code alphabet.")
    total = sum(
        _CREDIT_CODE_VALUES[char] * weight
        for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """
    Django validator for unified social credit codes. Raise ValidationError
    with a stable `code`; return the normalised (upper-case) code so callers
    can store it (Django ignores a validator's return value).
    """
    code = normalise_credit_code(value)
    if len(code) != CREDIT_CODE_LENGTH:
        raise ValidationError(
            _("A unified social credit code must be exactly 18 characters long."),
            code="credit_code_length",
        )
    if any(char not in _CREDIT_CODE_VALUES for char in code):
        raise ValidationError(
            _(
                "A unified social credit code may only contain digits and the "
                "upper-case letters A-Y except I, O, S, V and Z."
            ),
            code="credit_code_characters",
        )
    if code[17] != credit_code_check_char(code[:17]):
        raise ValidationError(
            _(
                "The unified social credit code is not valid (wrong check "
                "character). Please check it for typing errors."
            ),
            code="credit_code_checksum",
        )
    return code


def generate_credit_code(body17: str) -> str:
    """Append the check character to 17 credit code characters (test data)."""
    body17 = normalise_credit_code(body17)
    return body17 + credit_code_check_char(body17)
