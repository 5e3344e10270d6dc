"""The skill-upgrade subsidy rules (技能提升补贴, RULES.md §5), pure: facts in, a
decision out.

An insured person with at least 12 months of unemployment-insurance contributions who
obtains a vocational qualification or skill-level certificate applies within 12 months
of its issue; the amount is the region's figure for the certificate's level (national
guidance: primary 1,000, intermediate 1,500, advanced 2,000 yuan); paid once per
certificate level by the unemployment fund (MOHRSS/MOF guidance of 2017, qualifying
period cut to one year in 2019).

Every refusal carries a stable code, a message, its legal basis and how to contest it.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from core.rights import HOW_TO_CONTEST

RULES_VERSION = "skill-subsidy-2026-1"
MIN_CONTRIBUTION_MONTHS = 12
APPLY_WITHIN_MONTHS = 12

# The certificate levels the subsidy knows (national vocational skill levels 5, 4, 3).
PRIMARY = "primary"
INTERMEDIATE = "intermediate"
ADVANCED = "advanced"
LEVELS = (PRIMARY, INTERMEDIATE, ADVANCED)

GUIDANCE = "MOHRSS/MOF skill-upgrade subsidy guidance (2017)"
QUALIFYING = "MOHRSS/MOF skill-upgrade subsidy guidance (2017), qualifying period as of 2019"
UNEMPLOYMENT_FUND = "SIL Art. 48; MOHRSS/MOF skill-upgrade subsidy guidance (2017)"

MESSAGES = {
    "contributions_too_short": (
        _("Unemployment insurance was paid for less than 12 months."),
        QUALIFYING,
    ),
    "certificate_issued_in_future": (
        _("The certificate's issue date is in the future."),
        GUIDANCE,
    ),
    "applied_too_late": (
        _("The certificate was issued more than 12 months before the application."),
        GUIDANCE,
    ),
    "level_already_subsidised": (
        _("A skill-upgrade subsidy for this certificate level was already paid or is claimed."),
        GUIDANCE,
    ),
    "certificate_already_used": (
        _("This certificate number was already used for a skill-upgrade subsidy claim."),
        GUIDANCE,
    ),
    "missing_regional_figure": (
        _(
            "No skill-upgrade subsidy amount is recorded for region %(region)s and the "
            "%(level)s level."
        ),
        GUIDANCE,
    ),
    "missing_certificate_scan": (
        _("Upload a scan of the certificate."),
        GUIDANCE,
    ),
}

# Where in a claim's life the rules are asked.
APPLICATION = "application"
SUBMISSION = "submission"
APPROVAL = "approval"
CERTIFICATE_SCAN = "skill_certificate"


@dataclass(frozen=True)
class Facts:
    contribution_months: int  # months of unemployment contributions on record
    level: str
    issued_on: date
    applied_on: date  # the day the claim was started (today for a new one)
    today: date
    region: str
    amount: Decimal | None = None  # the region's figure for the level
    level_claimed: str = ""  # reference of another claim for the level, open or paid
    certificate_claimed: str = ""  # reference of another claim with this number
    stage: str = APPLICATION
    documents_attached: frozenset = frozenset()


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    legal_basis: str


@dataclass(frozen=True)
class Decision:
    allowed: bool
    amount: Decimal | None
    reasons: list = field(default_factory=list)
    how_to_contest: str = ""
    rules_version: str = RULES_VERSION

    @property
    def codes(self):
        return tuple(r.code for r in self.reasons)


def level_label(level):
    from benefits.models import CertificateLevel

    return str(CertificateLevel(level).label) if level in CertificateLevel.values else level


def reason(code, **params):
    message, basis = MESSAGES[code]
    return Reason(code, str(message) % params if params else str(message), basis)


def add_months(day, months):
    """The same day `months` later (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def apply_by(issued_on):
    """The last day a certificate issued on `issued_on` may be applied for."""
    return add_months(issued_on, APPLY_WITHIN_MONTHS)


def decide(facts):
    """Whether the subsidy is due for the certificate, and how much."""
    reasons = []
    if facts.contribution_months < MIN_CONTRIBUTION_MONTHS:
        reasons.append(reason("contributions_too_short"))
    if facts.issued_on > facts.today:
        reasons.append(reason("certificate_issued_in_future"))
    elif facts.applied_on > apply_by(facts.issued_on):
        reasons.append(reason("applied_too_late"))
    if facts.level_claimed:
        reasons.append(reason("level_already_subsidised"))
    if facts.certificate_claimed:
        reasons.append(reason("certificate_already_used"))
    if facts.amount is None:
        reasons.append(
            reason(
                "missing_regional_figure",
                region=facts.region,
                level=level_label(facts.level),
            )
        )
    if facts.stage != APPLICATION and CERTIFICATE_SCAN not in facts.documents_attached:
        reasons.append(reason("missing_certificate_scan"))
    if reasons:
        return Decision(False, None, reasons, how_to_contest=str(HOW_TO_CONTEST))
    return Decision(True, facts.amount)
