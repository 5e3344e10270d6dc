"""Who inherits a deceased person's personal-account balances, and in what shares.

Pure rules, like :mod:`withdrawals.eligibility`: :func:`evaluate` takes the heirs a
death claim declares and the proof documents it carries, and returns a
:class:`Decision` whose reasons are stable codes with a legal basis; the words are
gettext messages rendered only when shown. :func:`split` divides an amount by the
shares so that no fen is left unassigned.

The law (Civil Code of the PRC):

* Art. 1127: heirs by law inherit in order. First order: spouse, children, parents.
  Second order: brothers and sisters, grandparents -- only when nobody of the first
  order inherits (none exists, or all renounced or lost the right).
* Art. 1128: a child who died before the deceased is represented by their own
  descendants, who take together only the share the child would have taken.
* Art. 1130: heirs of the same order take equal shares unless they agree otherwise
  (or a court decides otherwise).
* Art. 1133: a will may leave the estate to one or more heirs by law, or to others.

Proof of who the heirs are is a notarised inheritance certificate, an agreement
signed by all heirs, a court judgment or a will; one heir alone declares that there is
no other heir of the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

# Relationships of an heir to the deceased.
SPOUSE = "spouse"
CHILD = "child"
PARENT = "parent"
SIBLING = "sibling"
GRANDPARENT = "grandparent"
GRANDCHILD = "grandchild"  # represents a child who died before the deceased
TESTAMENTARY = "testamentary"  # named in a will, whatever the family tie
FIRST_ORDER = frozenset({SPOUSE, CHILD, PARENT, GRANDCHILD})
SECOND_ORDER = frozenset({SIBLING, GRANDPARENT})
RELATIONSHIPS = FIRST_ORDER | SECOND_ORDER | {TESTAMENTARY}

# What a proof document proves.
INHERITANCE_CERTIFICATE = "inheritance_certificate"  # notarised
HEIRS_AGREEMENT = "heirs_agreement"  # signed by every heir
COURT_JUDGMENT = "court_judgment"
WILL = "will"
NO_OTHER_HEIR = "no_other_heir_declaration"  # a single heir's declaration
RENUNCIATION = "renunciation"  # every first-order heir renounced
PREDECEASED_CHILD_DEATH = "predeceased_child_death_certificate"
# Documents that settle the shares, whatever they are.
SHARE_PROOFS = frozenset({INHERITANCE_CERTIFICATE, HEIRS_AGREEMENT, COURT_JUDGMENT, WILL})
PROOF_KINDS = SHARE_PROOFS | {NO_OTHER_HEIR, RENUNCIATION, PREDECEASED_CHILD_DEATH}

# Legal bases (stable forms, as stored and sent by the API).
LAW_ORDER = "Civil Code of the PRC, Art. 1127"
LAW_REPRESENTATION = "Civil Code of the PRC, Art. 1128"
LAW_SHARES = "Civil Code of the PRC, Art. 1130"
LAW_WILL = "Civil Code of the PRC, Art. 1133"
LAW_PROOF = "Social insurance agency inheritance procedure; Civil Code of the PRC, Art. 1127"

# Stable reason codes.
NO_HEIRS = "heirs_none_declared"
HEIR_DECLARED_TWICE = "heir_declared_twice"
HEIR_IS_DECEASED = "heir_is_deceased"
RELATIONSHIP_UNKNOWN = "heir_relationship_unknown"
APPLICANT_NOT_DECLARED = "applicant_not_among_heirs"
SECOND_ORDER_BESIDE_FIRST = "second_order_beside_first"
REPRESENTATION_UNPROVEN = "representation_unproven"
WILL_HEIR_WITHOUT_WILL = "will_heir_without_will"
SHARE_NOT_POSITIVE = "share_not_positive"
SHARES_NOT_WHOLE = "shares_not_whole"
UNEQUAL_SHARES_UNPROVEN = "unequal_shares_unproven"
HEIRSHIP_UNPROVEN = "heirship_unproven"
SHARE_INVALID = "share_invalid"
CODES = (
    NO_HEIRS,
    HEIR_DECLARED_TWICE,
    HEIR_IS_DECEASED,
    RELATIONSHIP_UNKNOWN,
    APPLICANT_NOT_DECLARED,
    SECOND_ORDER_BESIDE_FIRST,
    REPRESENTATION_UNPROVEN,
    WILL_HEIR_WITHOUT_WILL,
    SHARE_NOT_POSITIVE,
    SHARES_NOT_WHOLE,
    UNEQUAL_SHARES_UNPROVEN,
    HEIRSHIP_UNPROVEN,
    SHARE_INVALID,
)

MESSAGES = {
    NO_HEIRS: _("Name every heir of the deceased, including yourself."),
    HEIR_DECLARED_TWICE: _(
        "The heir with ID number ending %(id_tail)s is named more than once. Name each heir once."
    ),
    HEIR_IS_DECEASED: _("The deceased cannot be named as their own heir."),
    RELATIONSHIP_UNKNOWN: _(
        "Choose each heir's relationship to the deceased: spouse, child, parent, "
        "grandchild in place of a child who died earlier, brother or sister, "
        "grandparent, or an heir named in a will."
    ),
    APPLICANT_NOT_DECLARED: _("You are applying, so you must be one of the heirs you name."),
    SECOND_ORDER_BESIDE_FIRST: _(
        "Brothers, sisters and grandparents inherit only when no spouse, child or "
        "parent inherits. Either remove them, or add the document in which every "
        "first-order heir renounced the inheritance."
    ),
    REPRESENTATION_UNPROVEN: _(
        "A grandchild inherits in place of a child of the deceased only if that child "
        "died first. Add that child's death certificate."
    ),
    WILL_HEIR_WITHOUT_WILL: _("An heir named in a will needs the will itself. Add the will."),
    SHARE_NOT_POSITIVE: _("Every heir's share must be more than nothing."),
    SHARES_NOT_WHOLE: _(
        "The shares add up to %(total)s, not to the whole. Check each heir's share."
    ),
    UNEQUAL_SHARES_UNPROVEN: _(
        "Heirs of the same order take equal shares unless they agreed otherwise. For "
        "other shares, add the agreement signed by every heir, a notarised certificate "
        "of inheritance, a court judgment or the will."
    ),
    HEIRSHIP_UNPROVEN: _(
        "Add proof of who the heirs are: a notarised certificate of inheritance, an "
        "agreement signed by every heir, a court judgment or the will; a single heir "
        "may instead declare that there is no other heir of the same order."
    ),
    SHARE_INVALID: _(
        "Write the share as a fraction such as 1/2, or as a whole 1 for a single heir."
    ),
}

LEGAL_BASIS_TEXTS = {
    LAW_ORDER: _("Civil Code of the PRC, Art. 1127"),
    LAW_REPRESENTATION: _("Civil Code of the PRC, Art. 1128"),
    LAW_SHARES: _("Civil Code of the PRC, Art. 1130"),
    LAW_WILL: _("Civil Code of the PRC, Art. 1133"),
    LAW_PROOF: _("Social insurance agency inheritance procedure; Civil Code of the PRC, Art. 1127"),
}


@dataclass(frozen=True)
class Heir:
    """One heir as the claim declares them; ``key`` identifies a person (e.g. an ID digest)."""

    key: str
    relationship: str
    share: Fraction
    id_tail: str = ""  # last four characters of the ID number, for messages


@dataclass(frozen=True)
class Estate:
    deceased_key: str
    applicant_key: str
    heirs: tuple[Heir, ...]
    proofs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Reason:
    code: str
    legal_basis: str
    params: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        if isinstance(self.params, Mapping):
            object.__setattr__(self, "params", tuple(sorted(self.params.items())))

    def message(self) -> str:
        return str(MESSAGES[self.code]) % dict(self.params)

    def legal_basis_text(self) -> str:
        return str(LEGAL_BASIS_TEXTS.get(self.legal_basis, self.legal_basis))


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: tuple[Reason, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)


def parse_share(text: str) -> Fraction:
    """``"1/2"`` -> ``Fraction(1, 2)``; raises ValueError with :data:`SHARE_INVALID`."""
    cleaned = str(text).strip()
    numerator, slash, denominator = cleaned.partition("/")
    try:
        if not numerator.strip().isdigit() or (slash and not denominator.strip().isdigit()):
            raise ValueError
        share = Fraction(int(numerator), int(denominator) if slash else 1)
    except (ValueError, ZeroDivisionError):
        raise ValueError(SHARE_INVALID) from None
    return share


def format_share(share: Fraction) -> str:
    return (
        str(share.numerator) if share.denominator == 1 else f"{share.numerator}/{share.denominator}"
    )


def equal_shares(count: int) -> list[Fraction]:
    return [Fraction(1, count)] * count


# --- the rules ---------------------------------------------------------------


def _rule_declared(estate: Estate) -> Iterable[Reason]:
    if not estate.heirs:
        yield Reason(NO_HEIRS, LAW_ORDER)
        return
    seen: set[str] = set()
    for heir in estate.heirs:
        if heir.key in seen:
            yield Reason(HEIR_DECLARED_TWICE, LAW_ORDER, {"id_tail": heir.id_tail})
        seen.add(heir.key)
    if estate.deceased_key in seen:
        yield Reason(HEIR_IS_DECEASED, LAW_ORDER)
    if any(heir.relationship not in RELATIONSHIPS for heir in estate.heirs):
        yield Reason(RELATIONSHIP_UNKNOWN, LAW_ORDER)
    if estate.applicant_key not in seen:
        yield Reason(APPLICANT_NOT_DECLARED, LAW_ORDER)


def _rule_order(estate: Estate) -> Iterable[Reason]:
    """CC 1127: the second order inherits only when nobody of the first does."""
    relationships = {heir.relationship for heir in estate.heirs}
    both_orders = relationships & FIRST_ORDER and relationships & SECOND_ORDER
    if both_orders and RENUNCIATION not in estate.proofs:
        yield Reason(SECOND_ORDER_BESIDE_FIRST, LAW_ORDER)


def _rule_representation(estate: Estate) -> Iterable[Reason]:
    represented = any(heir.relationship == GRANDCHILD for heir in estate.heirs)
    if represented and PREDECEASED_CHILD_DEATH not in estate.proofs:
        yield Reason(REPRESENTATION_UNPROVEN, LAW_REPRESENTATION)


def _rule_will(estate: Estate) -> Iterable[Reason]:
    by_will = any(heir.relationship == TESTAMENTARY for heir in estate.heirs)
    if by_will and WILL not in estate.proofs:
        yield Reason(WILL_HEIR_WITHOUT_WILL, LAW_WILL)


def _rule_shares(estate: Estate) -> Iterable[Reason]:
    """CC 1130: the shares are the whole; unequal shares need a document saying so."""
    if not estate.heirs:
        return
    if any(heir.share <= 0 for heir in estate.heirs):
        yield Reason(SHARE_NOT_POSITIVE, LAW_SHARES)
        return
    total = sum((heir.share for heir in estate.heirs), Fraction(0))
    if total != 1:
        yield Reason(SHARES_NOT_WHOLE, LAW_SHARES, {"total": format_share(total)})
        return
    if _shares_unequal(estate.heirs) and not estate.proofs & SHARE_PROOFS:
        yield Reason(UNEQUAL_SHARES_UNPROVEN, LAW_SHARES)


def _shares_unequal(heirs: tuple[Heir, ...]) -> bool:
    """Unequal among the heirs who take a share of their own (grandchildren share a parent's)."""
    own = {heir.share for heir in heirs if heir.relationship != GRANDCHILD}
    return len(own) > 1


def _rule_proof(estate: Estate) -> Iterable[Reason]:
    if not estate.heirs:
        return
    if estate.proofs & SHARE_PROOFS:
        return
    if len(estate.heirs) == 1 and NO_OTHER_HEIR in estate.proofs:
        return
    yield Reason(HEIRSHIP_UNPROVEN, LAW_PROOF)


RULES = (_rule_declared, _rule_order, _rule_representation, _rule_will, _rule_shares, _rule_proof)


def evaluate(estate: Estate) -> Decision:
    reasons = tuple(reason for rule in RULES for reason in rule(estate))
    return Decision(allowed=not reasons, reasons=reasons)


# --- dividing money ------------------------------------------------------------

FEN = Decimal("0.01")


def split(amount: Decimal, shares: Iterable[Fraction]) -> list[Decimal]:
    """Divide ``amount`` by ``shares`` (which sum to one) to the fen.

    Each share is rounded down to the fen; the fen left over go to the first share,
    so the parts always add up to the amount exactly.
    """
    shares = list(shares)
    if not shares or sum(shares, Fraction(0)) != 1 or any(share <= 0 for share in shares):
        raise ValueError(SHARES_NOT_WHOLE)
    if amount < 0:
        raise ValueError("amount must not be negative")
    parts = [
        (Decimal(share.numerator) * Decimal(str(amount)) / Decimal(share.denominator)).quantize(
            FEN, rounding=ROUND_DOWN
        )
        for share in shares
    ]
    remainder = Decimal(str(amount)) - sum(parts, Decimal("0"))
    parts[0] += remainder
    return parts


# --- approval: every heir confirmed, every joined heir identified ---------------------

HEIR_NOT_JOINED = "heir_not_joined"
HEIR_IDENTITY_NOT_VERIFIED = "heir_identity_not_verified"
CODES = (*CODES, HEIR_NOT_JOINED, HEIR_IDENTITY_NOT_VERIFIED)
MESSAGES[HEIR_NOT_JOINED] = _(
    "The heir with ID number ending %(id_tail)s has not yet confirmed the shares online. "
    "Every heir confirms, unless a notarised certificate of inheritance or a court "
    "judgment names the payees."
)
MESSAGES[HEIR_IDENTITY_NOT_VERIFIED] = _(
    "Staff have not yet checked the identity of the heir with ID number ending %(id_tail)s."
)
# Documents that settle who is paid without every heir's own confirmation.
PAYEE_PROOFS = frozenset({INHERITANCE_CERTIFICATE, COURT_JUDGMENT})


@dataclass(frozen=True)
class HeirStanding:
    """Where one declared heir stands at approval."""

    id_tail: str
    joined: bool
    identity_verified: bool


def approval_reasons(heirs: Iterable[HeirStanding], proofs: frozenset[str]) -> tuple[Reason, ...]:
    """Every heir confirmed the shares (or a certificate or judgment names the payees),
    and every heir who joined had their identity checked by staff."""
    reasons = []
    for heir in heirs:
        if not heir.joined and not proofs & PAYEE_PROOFS:
            reasons.append(Reason(HEIR_NOT_JOINED, LAW_PROOF, {"id_tail": heir.id_tail}))
        if heir.joined and not heir.identity_verified:
            reasons.append(Reason(HEIR_IDENTITY_NOT_VERIFIED, LAW_PROOF, {"id_tail": heir.id_tail}))
    return tuple(reasons)
