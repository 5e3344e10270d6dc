"""Is a document genuine? The public page and the offline command ask the same question."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core import signed_pdf, signing

GENUINE = "genuine"
NO_CODE = "no_code"
BAD_SIGNATURE = "bad_signature"
ALTERED = "altered"


@dataclass(frozen=True)
class Verdict:
    outcome: str
    facts: dict = field(default_factory=dict)
    missing_amounts: tuple[str, ...] = ()

    @property
    def genuine(self) -> bool:
        return self.outcome == GENUINE


def check_code(code: str, keys=None) -> Verdict:
    try:
        return Verdict(GENUINE, signing.verify(code, keys))
    except signing.InvalidCode:
        return Verdict(BAD_SIGNATURE)


def signed_amounts(facts: dict) -> list[str]:
    return [str(value) for value in (facts.get("amounts") or {}).values()]


def check_pdf(pdf: bytes, keys=None) -> Verdict:
    """A file is genuine when its code is signed and every signed amount is still printed."""
    code, text = signed_pdf.read(pdf)
    if not code:
        return Verdict(NO_CODE)
    verdict = check_code(code, keys)
    if not verdict.genuine:
        return verdict
    printed = signed_pdf.amounts_in(text)
    missing = tuple(a for a in signed_amounts(verdict.facts) if Decimal(a) not in printed)
    if missing:
        return Verdict(ALTERED, verdict.facts, missing)
    return verdict
