"""How many days of maternity allowance, and how much (RULES §7).

Special Rules on the Labour Protection of Female Employees (2012), Art. 7: 98 days of
leave for a birth, 15 more for a difficult birth and 15 more for each further baby; a
miscarriage before four months of pregnancy 15 days, from four months 42 days.
Provinces add days (regional data, passed in). SIL Art. 56: the allowance is the
employer's last-year average monthly wage ÷ 30 × the days. Maternity insurance is
merged with medical insurance (国办发〔2019〕10号), so the medical fund pays it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
BIRTH = "birth"
MISCARRIAGE = "miscarriage"
LAW_DAYS = "Special Rules on the Labour Protection of Female Employees, Art. 7"
LAW_AMOUNT = "Social Insurance Law of the PRC, Art. 56"

BIRTH_DAYS = 98
DIFFICULT_BIRTH_DAYS = 15
EACH_FURTHER_BABY_DAYS = 15
EARLY_MISCARRIAGE_DAYS = 15  # before four months
LATE_MISCARRIAGE_DAYS = 42  # from four months
MISCARRIAGE_MONTHS_THRESHOLD = 4

# Refusal codes.
EVENT_UNKNOWN = "maternity_event_unknown"
BABIES_INVALID = "maternity_babies_invalid"
MONTHS_INVALID = "maternity_months_invalid"
WAGE_INVALID = "maternity_wage_invalid"


class MaternityRuleError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Allowance:
    days: int
    statutory_days: int
    regional_extra_days: int
    average_wage: Decimal
    amount: Decimal


def statutory_days(
    event: str, *, babies: int = 1, difficult_birth: bool = False, months: int | None = None
) -> int:
    if event == BIRTH:
        if babies < 1:
            raise MaternityRuleError(BABIES_INVALID)
        extra = DIFFICULT_BIRTH_DAYS if difficult_birth else 0
        return BIRTH_DAYS + extra + EACH_FURTHER_BABY_DAYS * (babies - 1)
    if event == MISCARRIAGE:
        if months is None or months < 0 or months > 10:
            raise MaternityRuleError(MONTHS_INVALID)
        if months < MISCARRIAGE_MONTHS_THRESHOLD:
            return EARLY_MISCARRIAGE_DAYS
        return LATE_MISCARRIAGE_DAYS
    raise MaternityRuleError(EVENT_UNKNOWN)


def allowance(
    event: str,
    *,
    average_wage: Decimal,
    regional_extra_days: int = 0,
    babies: int = 1,
    difficult_birth: bool = False,
    months: int | None = None,
) -> Allowance:
    """The days and the amount, rounded to the fen once."""
    if average_wage <= 0:
        raise MaternityRuleError(WAGE_INVALID)
    base = statutory_days(event, babies=babies, difficult_birth=difficult_birth, months=months)
    extra = regional_extra_days if event == BIRTH else 0
    days = base + extra
    amount = (average_wage * days / 30).quantize(FEN, ROUND_HALF_UP)
    return Allowance(days, base, extra, average_wage, amount)
