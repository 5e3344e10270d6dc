"""
Tests for accounts.validators: pure functions, no database or settings needed.

Only ValidationError.code is asserted, never the (lazily translated) message,
because evaluating the message would require configured settings.
"""

import random
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from accounts.validators import (
    CREDIT_CODE_ALPHABET,
    NationalId,
    credit_code_check_char,
    generate_credit_code,
    generate_national_id,
    mask_card_number,
    mask_national_id,
    national_id_check_char,
    normalise_credit_code,
    parse_national_id,
    validate_credit_code,
    validate_national_id,
)

# Fixed "today" so date-dependent results never change between runs.
TODAY = date(2026, 6, 30)

REFERENCE_IDS = [
    "11010519491231002X",
    "440524188001010014",
    # Demo data.
    "110105198503150019",
    "310104199007220028",
    "44030519560308004X",
    "440305198206110034",
    "320102197809040053",
    "510107195801200065",
]

REFERENCE_CREDIT_CODE = "91350100M000100Y43"

DIGITS = "0123456789"


def error_code(func, *args, **kwargs) -> str | None:
    """Return the ValidationError code raised by func, or None if it passed."""
    try:
        func(*args, **kwargs)
    except ValidationError as exc:
        return exc.code
    return None


# ---------------------------------------------------------------------------
# National ID: valid values
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("number", REFERENCE_IDS)
def test_reference_ids_valid(number):
    result = parse_national_id(number, today=TODAY)
    assert result.number == number
    assert validate_national_id(number) is None


@pytest.mark.parametrize(
    "number, region_code, birth_date, gender",
    [
        ("11010519491231002X", "110105", date(1949, 12, 31), "F"),
        ("440524188001010014", "440524", date(1880, 1, 1), "M"),
        ("110105198503150019", "110105", date(1985, 3, 15), "M"),
        ("310104199007220028", "310104", date(1990, 7, 22), "F"),
        ("44030519560308004X", "440305", date(1956, 3, 8), "F"),
        ("440305198206110034", "440305", date(1982, 6, 11), "M"),
        ("320102197809040053", "320102", date(1978, 9, 4), "M"),
        ("510107195801200065", "510107", date(1958, 1, 20), "F"),
    ],
)
def test_derived_fields(number, region_code, birth_date, gender):
    assert parse_national_id(number, today=TODAY) == NationalId(
        number=number,
        region_code=region_code,
        birth_date=birth_date,
        gender=gender,
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        ("11010519491231002x", "11010519491231002X"),
        ("  11010519491231002x\n", "11010519491231002X"),
        ("\t110105198503150019 ", "110105198503150019"),
    ],
)
def test_normalisation(value, expected):
    assert parse_national_id(value, today=TODAY).number == expected


@pytest.mark.parametrize(
    "first17, expected",
    [(number[:17], number[17]) for number in REFERENCE_IDS],
)
def test_national_id_check_char(first17, expected):
    assert national_id_check_char(first17) == expected


@pytest.mark.parametrize(
    "first17", ["", "1101051949123100", "11010519491231002X", "1101051949123100a"]
)
def test_national_id_check_char_rejects_bad_input(first17):
    with pytest.raises(ValueError):
        national_id_check_char(first17)


def test_birth_date_today_and_lower_bound_accepted():
    for birth in (TODAY, date(1800, 1, 1)):
        number = generate_national_id("110105", birth, 1, "M")
        assert parse_national_id(number, today=TODAY).birth_date == birth


def test_default_today_is_used():
    tomorrow = date.today() + timedelta(days=1)
    number = generate_national_id("110105", tomorrow, 1, "M")
    assert error_code(parse_national_id, number) == "id_future_birth"
    assert error_code(validate_national_id, number) == "id_future_birth"


# ---------------------------------------------------------------------------
# National ID: invalid values
# ---------------------------------------------------------------------------


def with_check_char(first17: str) -> str:
    return first17 + national_id_check_char(first17)


@pytest.mark.parametrize(
    "value, code",
    [
        # Length (after stripping surrounding whitespace).
        ("", "id_length"),
        (None, "id_length"),
        ("   ", "id_length"),
        ("11010519491231002", "id_length"),
        ("11010519491231002X0", "id_length"),
        ("110105194912310", "id_length"),  # Legacy 15-digit numbers.
        ("110105 19491231002X", "id_length"),
        # Characters.
        ("1101051949123100XX", "id_characters"),
        ("11010519491231002Y", "id_characters"),
        ("A1010519491231002X", "id_characters"),
        ("110105-9491231002X", "id_characters"),
        ("110105 9491231002X", "id_characters"),
        ("１１0105194912310020", "id_characters"),  # Full-width digits.
        ("١1010519491231002X", "id_characters"),  # Arabic-Indic digit.
        ("11010519491231002²", "id_characters"),
        # Birth date not a real calendar date.
        (with_check_char("11010520250230001"), "id_birth_date"),  # 30 Feb.
        (with_check_char("11010519000229001"), "id_birth_date"),  # Not a leap year.
        (with_check_char("11010519491301001"), "id_birth_date"),  # Month 13.
        (with_check_char("11010519490001001"), "id_birth_date"),  # Month 0.
        (with_check_char("11010519490100001"), "id_birth_date"),  # Day 0.
        (with_check_char("11010519490431001"), "id_birth_date"),  # 31 April.
        (with_check_char("11010500000101001"), "id_birth_date"),  # Year 0.
        # Before the lower bound.
        (with_check_char("11010517991231001"), "id_birth_date"),
        (with_check_char("11010510000101001"), "id_birth_date"),
        # In the future relative to TODAY.
        (with_check_char("11010520260701001"), "id_future_birth"),
        (with_check_char("11010520270101001"), "id_future_birth"),
        (with_check_char("11010599991231001"), "id_future_birth"),
        # Wrong check character.
        ("110105194912310020", "id_checksum"),
        ("110105194912310021", "id_checksum"),
        ("440524188001010015", "id_checksum"),
        ("44052418800101001X", "id_checksum"),
        ("44052418800101001x", "id_checksum"),
    ],
)
def test_invalid_national_id(value, code):
    assert error_code(parse_national_id, value, today=TODAY) == code


def test_leap_day_accepted():
    number = with_check_char("11010520000229001")
    assert parse_national_id(number, today=TODAY).birth_date == date(2000, 2, 29)


def test_future_birth_relative_to_injected_today():
    number = with_check_char("11010520270101001")
    assert error_code(parse_national_id, number, today=TODAY) == "id_future_birth"
    later = date(2027, 1, 1)
    assert parse_national_id(number, today=later).birth_date == later


@pytest.mark.parametrize("position", range(18))
@pytest.mark.parametrize("number", REFERENCE_IDS)
def test_every_single_character_change_is_invalid(number, position):
    """MOD 11-2 detects every single substitution (all weights are nonzero)."""
    allowed = DIGITS + "X" if position == 17 else DIGITS
    for char in allowed:
        if char == number[position]:
            continue
        mutated = number[:position] + char + number[position + 1 :]
        code = error_code(parse_national_id, mutated, today=TODAY)
        assert code is not None, mutated
        # Unless the mutation broke the birth date, the checksum catches it.
        if not 6 <= position < 14:
            assert code == "id_checksum", mutated


# ---------------------------------------------------------------------------
# Masking
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("11010519491231002X", "110105********002X"),
        ("110105198503150019", "110105********0019"),
        (" 110105198503150019 ", "110105********0019"),
        (None, ""),
        ("", ""),
        ("   ", ""),
        ("1", "*"),
        ("1101051949", "**********"),
        ("110105194912310", "***************"),  # Legacy 15-digit number.
        ("11010519491231002", "*****************"),
    ],
)
def test_mask_national_id(value, expected):
    assert mask_national_id(value) == expected


@pytest.mark.parametrize("number", REFERENCE_IDS)
def test_mask_national_id_hides_birth_date(number):
    masked = mask_national_id(number)
    assert len(masked) == 18
    assert number[6:14] not in masked
    assert masked != number


@pytest.mark.parametrize(
    "value, expected",
    [
        ("A10000001", "A****0001"),
        ("B123456789012", "B********9012"),
        (None, ""),
        ("", ""),
        ("A", "*"),
        ("A1000001", "********"),
    ],
)
def test_mask_card_number(value, expected):
    assert mask_card_number(value) == expected


# ---------------------------------------------------------------------------
# Unified social credit code
# ---------------------------------------------------------------------------


def test_reference_credit_code_valid():
    assert validate_credit_code(REFERENCE_CREDIT_CODE) == REFERENCE_CREDIT_CODE
    assert credit_code_check_char(REFERENCE_CREDIT_CODE[:17]) == "3"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("91350100m000100y43", "91350100M000100Y43"),
        (" 91350100M000100Y43\n", "91350100M000100Y43"),
        (None, ""),
    ],
)
def test_normalise_credit_code(value, expected):
    assert normalise_credit_code(value) == expected


def test_lower_case_credit_code_accepted():
    assert validate_credit_code("91350100m000100y43") == REFERENCE_CREDIT_CODE


@pytest.mark.parametrize(
    "value, code",
    [
        ("", "credit_code_length"),
        (None, "credit_code_length"),
        ("91350100M000100Y4", "credit_code_length"),
        ("91350100M000100Y430", "credit_code_length"),
        ("91350100I000100Y43", "credit_code_characters"),
        ("91350100O000100Y43", "credit_code_characters"),
        ("91350100Z000100Y43", "credit_code_characters"),
        ("91350100S000100Y43", "credit_code_characters"),
        ("91350100V000100Y43", "credit_code_characters"),
        ("91350100-000100Y43", "credit_code_characters"),
        ("91350100M000100Y4 3", "credit_code_length"),
        ("91350100 000100Y43", "credit_code_characters"),
        ("91350100M000100Y42", "credit_code_checksum"),
        ("91350100M000100Y44", "credit_code_checksum"),
    ],
)
def test_invalid_credit_code(value, code):
    assert error_code(validate_credit_code, value) == code


@pytest.mark.parametrize("position", range(18))
def test_every_single_character_change_of_credit_code_is_invalid(position):
    """Weights are powers of 3 modulo the prime 31, so every substitution shows."""
    original = REFERENCE_CREDIT_CODE[position]
    for char in CREDIT_CODE_ALPHABET:
        if char == original:
            continue
        mutated = REFERENCE_CREDIT_CODE[:position] + char + REFERENCE_CREDIT_CODE[position + 1 :]
        assert error_code(validate_credit_code, mutated) == "credit_code_checksum", mutated


@pytest.mark.parametrize(
    "first17", ["", "91350100M000100Y", "91350100M000100Y4X", "91350100I000100Y4"]
)
def test_credit_code_check_char_rejects_bad_input(first17):
    with pytest.raises(ValueError):
        credit_code_check_char(first17)


# ---------------------------------------------------------------------------
# Generators round-trip through the validators
# ---------------------------------------------------------------------------


@given(
    region_code=st.text(alphabet=DIGITS, min_size=6, max_size=6),
    birth=st.dates(min_value=date(1800, 1, 1), max_value=TODAY),
    sequence=st.integers(min_value=0, max_value=999),
    gender=st.sampled_from(["M", "F"]),
)
def test_generate_national_id_round_trip(region_code, birth, sequence, gender):
    number = generate_national_id(region_code, birth, sequence, gender)
    result = parse_national_id(number, today=TODAY)
    assert result.number == number
    assert result.region_code == region_code
    assert result.birth_date == birth
    assert result.gender == gender
    assert int(number[14:17]) in (sequence, sequence ^ 1)
    assert 0 <= int(number[14:17]) <= 999
    assert parse_national_id(number.lower(), today=TODAY).number == number


@pytest.mark.parametrize(
    "kwargs",
    [
        {"region_code": "11010", "birth": date(1990, 1, 1), "sequence": 1, "gender": "M"},
        {"region_code": "11010a", "birth": date(1990, 1, 1), "sequence": 1, "gender": "M"},
        {"region_code": "110105", "birth": date(999, 1, 1), "sequence": 1, "gender": "M"},
        {"region_code": "110105", "birth": date(1990, 1, 1), "sequence": -1, "gender": "M"},
        {"region_code": "110105", "birth": date(1990, 1, 1), "sequence": 1000, "gender": "M"},
        {"region_code": "110105", "birth": date(1990, 1, 1), "sequence": 1, "gender": "X"},
    ],
)
def test_generate_national_id_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        generate_national_id(**kwargs)


@pytest.mark.parametrize(
    "sequence, gender, expected",
    [(0, "F", "000"), (0, "M", "001"), (1, "F", "000"), (999, "F", "998"), (999, "M", "999")],
)
def test_generate_national_id_sequence_parity(sequence, gender, expected):
    number = generate_national_id("110105", date(1990, 1, 1), sequence, gender)
    assert number[14:17] == expected


@given(body17=st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17))
def test_generate_credit_code_round_trip(body17):
    code = generate_credit_code(body17)
    assert code[:17] == body17
    assert validate_credit_code(code) == code
    assert validate_credit_code(code.lower()) == code


# ---------------------------------------------------------------------------
# Differential tests against python-stdnum
# ---------------------------------------------------------------------------

# Region codes that stdnum's location database knows for every year, so that
# generated valid numbers are mostly inside the comparison domain.
STABLE_REGION_CODES = [
    "110101",
    "110102",
    "110105",
    "110106",
    "110108",
    "120104",
    "120105",
    "310104",
]
ID_MUTATION_CHARS = DIGITS * 3 + "Xx" + "aA -/. "


def random_national_id_input(rng: random.Random) -> str:
    """Mostly valid numbers, many with a single mutation, and some noise."""
    kind = rng.random()
    if kind < 0.85:
        birth = date(1800, 1, 1) + timedelta(
            days=rng.randrange((TODAY - date(1800, 1, 1)).days + 30)
        )
        value = generate_national_id(
            rng.choice(STABLE_REGION_CODES), birth, rng.randrange(1000), rng.choice("MF")
        )
        mutation = rng.random()
        if mutation < 0.35:
            position = rng.randrange(18)
            value = value[:position] + rng.choice(ID_MUTATION_CHARS) + value[position + 1 :]
        elif mutation < 0.45:
            position = rng.randrange(17)
            value = value[:position] + value[position + 1] + value[position] + value[position + 2 :]
        elif mutation < 0.5:
            value = value[: rng.randrange(18)] if rng.random() < 0.5 else value + rng.choice(DIGITS)
        if rng.random() < 0.1:
            value = value.lower()
        if rng.random() < 0.05:
            value = rng.choice(" \t\n") + value + rng.choice(" \t\n")
        return value
    if kind < 0.95:
        # Random digits with a random check character: right about 1 in 11.
        return "".join(rng.choice(DIGITS) for _ in range(17)) + rng.choice(DIGITS + "Xx")
    length = rng.choice([17, 18, 18, 18, 19])
    return "".join(rng.choice(ID_MUTATION_CHARS) for _ in range(length))


def in_national_id_comparison_domain(value: str) -> bool:
    """
    Exclude inputs on which the two implementations differ by design:

    * stdnum does not reject birth dates before 1800-01-01 or after today;
      we do (policy).
    * stdnum also checks the region code against its location database
      (including the years a code was in use); we accept any 6 digits,
      because codes were reassigned over time and the database is incomplete
      (e.g. it rejects 440305 for 1956 and 440524 for 1880, both in our
      reference values).
    """
    number = value.strip().upper()
    if len(number) != 18 or not all(char in DIGITS for char in number[:17]):
        return True
    try:
        birth = ric.get_birth_date(number)
    except StdnumValidationError:
        return True
    if not date(1800, 1, 1) <= birth <= TODAY:
        return False
    try:
        ric.get_birth_place(number)
    except (StdnumValidationError, KeyError):
        # python-stdnum 2.2 raises KeyError (instead of InvalidComponent) from
        # is_valid() when the province is known but the county code is not.
        return False
    return True


def test_parse_national_id_agrees_with_stdnum():
    rng = random.Random(20240611)
    compared = accepted = 0
    for _ in range(100_000):
        value = random_national_id_input(rng)
        if not in_national_id_comparison_domain(value):
            continue
        compared += 1
        ours = error_code(parse_national_id, value, today=TODAY) is None
        assert ours == ric.is_valid(value), repr(value)
        accepted += ours
    # Guard against a generator that degenerates into trivial inputs.
    assert compared > 80_000
    assert accepted > 0.3 * compared


CREDIT_CODE_MUTATION_CHARS = CREDIT_CODE_ALPHABET + "IOZSVabc-"


def random_credit_code_input(rng: random.Random) -> str:
    if rng.random() < 0.8:
        body = "".join(rng.choice(DIGITS) for _ in range(8)) + "".join(
            rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9)
        )
        value = generate_credit_code(body)
        if rng.random() < 0.5:
            position = rng.randrange(18)
            value = (
                value[:position] + rng.choice(CREDIT_CODE_MUTATION_CHARS) + value[position + 1 :]
            )
        if rng.random() < 0.1:
            value = value.lower()
        return value
    length = rng.choice([17, 18, 18, 19])
    return "".join(rng.choice(CREDIT_CODE_MUTATION_CHARS) for _ in range(length))


def test_validate_credit_code_agrees_with_stdnum():
    """
    stdnum deletes inner spaces and hyphens and additionally requires the
    first 8 characters (registration authority, entity type and region code)
    to be digits; we only apply the GB 32100-2015 alphabet. Compare only
    inputs without those characters and whose first 8 characters are digits.
    """
    rng = random.Random(20240612)
    compared = accepted = 0
    for _ in range(20_000):
        value = random_credit_code_input(rng)
        if " " in value or "-" in value or not all(char in DIGITS for char in value[:8]):
            continue
        compared += 1
        ours = error_code(validate_credit_code, value) is None
        assert ours == uscc.is_valid(value), repr(value)
        accepted += ours
    assert compared > 10_000
    assert accepted > 0.3 * compared
