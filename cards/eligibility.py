"""Who may ask for a replacement card, and why not (RULES.md §4 and §9).

Pure rules over a frozen snapshot of facts; every failing rule is a :class:`Reason`
with a stable code and its legal basis.

- Only a living cardholder's card is replaced: a card cancelled after a verified death
  or a paid-out settlement abroad stays cancelled (RULES §4).
- The card must be lost (reported lost; a request for a lost card reports it at once)
  or damaged (still active); a frozen card is freed by a service centre first.
- One request at a time.
- Staff who refuse name the rule: the identity could not be confirmed, or the card is
  neither lost nor damaged.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.rights import HOW_TO_CONTEST, LAW_CONTEST

RULES_VERSION = "card-2026.1"

REQUEST = "request"
ISSUE = "issue"

LOST = "lost"
DAMAGED = "damaged"

# Stored keys (kept as first written, so refusals already recorded keep their text).
LAW_CARD = "Measures for the Administration of Social Security Cards (MOHRSS, 2011)"
LAW_CANCELLED = "RULES §4: a card cancelled after a death or settlement abroad stays cancelled"

# Stable codes.
CARD_CANCELLED = "replacement_card_cancelled"
CARD_FROZEN = "replacement_card_frozen"
NOT_LIVING = "replacement_cardholder_not_living"
REQUEST_OPEN = "replacement_request_open"
REASON_UNKNOWN = "replacement_reason_unknown"
# Staff's refusals.
IDENTITY_NOT_CONFIRMED = "replacement_identity_not_confirmed"
CARD_NOT_LOST_OR_DAMAGED = "replacement_card_not_lost_or_damaged"
REFUSAL_CODES = (IDENTITY_NOT_CONFIRMED, CARD_NOT_LOST_OR_DAMAGED)

MESSAGES = {
    CARD_CANCELLED: _(
        "The card was cancelled after a death or a settlement abroad; a cancelled card is "
        "not replaced."
    ),
    CARD_FROZEN: _(
        "The card is frozen. A service centre frees it before a replacement can be asked for."
    ),
    NOT_LIVING: _("The cardholder is recorded as deceased or settled abroad."),
    REQUEST_OPEN: _("A request for a replacement card is already open (%(reference)s)."),
    REASON_UNKNOWN: _("Say whether the card is lost or damaged."),
    IDENTITY_NOT_CONFIRMED: _("Not issued: the service centre could not confirm your identity."),
    CARD_NOT_LOST_OR_DAMAGED: _(
        "Not issued: the card is neither lost nor damaged, so it stays in use."
    ),
}

# The keys are stored with each refusal; the texts say what they rest on. The national
# measures leave reporting a lost card and issuing a new one to the issuing region's own
# procedure (Art. 16 (4)); a card ends with the insurance relationship it serves.
LEGAL_BASIS_TEXTS = {
    LAW_CARD: _(
        "Administrative Measures for the Social Security Card of the People's Republic of "
        "China (MOHRSS, Ren She Bu Fa [2011] No. 47), Art. 16 (4): loss reporting and "
        "re-issue follow the issuing region's card procedure"
    ),
    LAW_CANCELLED: _(
        "The card ends with the insurance relationship: after a verified death (SIL Art. 14) "
        "or a paid-out settlement abroad (Order 13 Art. 6)"
    ),
}


@dataclass(frozen=True)
class Reason:
    code: str
    legal_basis: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def message(self) -> str:
        text = MESSAGES.get(self.code)
        if text is None:
            return self.code
        try:
            return str(text) % dict(self.params)
        except (KeyError, TypeError, ValueError):
            return str(text)

    @property
    def legal_basis_text(self) -> str:
        return str(LEGAL_BASIS_TEXTS.get(self.legal_basis, self.legal_basis))

    @property
    def how_to_contest(self) -> str:
        return str(HOW_TO_CONTEST)

    @property
    def contest_basis(self) -> str:
        return LAW_CONTEST

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "legal_basis": self.legal_basis_text,
            "how_to_contest": self.how_to_contest,
        }


def reason(code, legal_basis, **params):
    return Reason(code, legal_basis, tuple(sorted((k, str(v)) for k, v in params.items())))


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: tuple[Reason, ...]
    rules_version: str = RULES_VERSION

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    @property
    def how_to_contest(self) -> str:
        return "" if self.allowed else str(HOW_TO_CONTEST)


@dataclass(frozen=True)
class Facts:
    stage: str
    life_status: str  # living, deceased, settled_abroad
    card_status: str  # active, reported_lost, frozen, cancelled
    reason: str = LOST
    open_request: str = ""  # the reference of another open request


def rule_reason(facts):
    return None if facts.reason in (LOST, DAMAGED) else reason(REASON_UNKNOWN, LAW_CARD)


def rule_living(facts):
    if facts.life_status == "living":
        return None
    return reason(NOT_LIVING, LAW_CANCELLED)


def rule_card(facts):
    if facts.card_status == "cancelled":
        return reason(CARD_CANCELLED, LAW_CANCELLED)
    if facts.card_status == "frozen":
        return reason(CARD_FROZEN, LAW_CARD)
    return None


def rule_one_request(facts):
    if facts.stage != REQUEST or not facts.open_request:
        return None
    return reason(REQUEST_OPEN, LAW_CARD, reference=facts.open_request)


def evaluate(facts: Facts) -> Decision:
    rules = (rule_reason, rule_living, rule_card, rule_one_request)
    reasons = [r for rule in rules if (r := rule(facts))]
    return Decision(not reasons, tuple(reasons))


def refusal(code):
    """The reason staff give for not issuing a new card."""
    return reason(code, LAW_CARD)
