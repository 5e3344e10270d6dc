"""The skill-upgrade subsidy rules, rule by rule, on facts alone (no database)."""

from datetime import date
from decimal import Decimal

import pytest

from benefits import skill_subsidy_rules as rules

TODAY = date(2026, 12, 3)


def facts(**overrides):
    values = {
        "contribution_months": 24,
        "level": "intermediate",
        "issued_on": date(2026, 6, 1),
        "applied_on": TODAY,
        "today": TODAY,
        "region": "110100",
        "amount": Decimal("1500.00"),
    }
    values.update(overrides)
    return rules.Facts(**values)


def codes(**overrides):
    return rules.decide(facts(**overrides)).codes


def test_allowed_with_the_regions_amount():
    decision = rules.decide(facts())
    assert decision.allowed and decision.amount == Decimal("1500.00")
    assert decision.reasons == [] and decision.rules_version == rules.RULES_VERSION


@pytest.mark.parametrize(("months", "allowed"), [(11, False), (12, True), (13, True), (0, False)])
def test_twelve_months_of_contributions(months, allowed):
    assert ("contributions_too_short" not in codes(contribution_months=months)) is allowed


@pytest.mark.parametrize(
    ("issued_on", "applied_on", "late"),
    [
        (date(2025, 12, 3), date(2026, 12, 3), False),  # exactly 12 months: still in time
        (date(2025, 12, 2), date(2026, 12, 3), True),  # a day more
        (date(2025, 2, 28), date(2026, 2, 28), False),
        (date(2024, 2, 29), date(2025, 2, 28), False),  # no 29th: the month's last day
        (date(2024, 2, 29), date(2025, 3, 1), True),
    ],
)
def test_within_twelve_months_of_issue(issued_on, applied_on, late):
    got = codes(issued_on=issued_on, applied_on=applied_on, today=applied_on)
    assert ("applied_too_late" in got) is late


def test_the_application_date_counts_not_the_decision_date():
    # Applied on the last day; staff decide a month later.
    got = codes(issued_on=date(2025, 11, 3), applied_on=date(2026, 11, 3), today=date(2026, 12, 3))
    assert "applied_too_late" not in got


def test_issue_date_in_the_future():
    assert codes(issued_on=date(2026, 12, 4)) == ("certificate_issued_in_future",)
    assert "certificate_issued_in_future" not in codes(issued_on=TODAY)


def test_once_per_level():
    assert codes(level_claimed="SK-2026-000001") == ("level_already_subsidised",)


def test_once_per_certificate():
    assert codes(certificate_claimed="SK-2026-000002") == ("certificate_already_used",)


def test_missing_regional_figure_names_region_and_level():
    decision = rules.decide(facts(amount=None, region="999999", level="advanced"))
    assert decision.codes == ("missing_regional_figure",)
    message = decision.reasons[0].message
    assert "999999" in message and "Advanced" in message


def test_scan_needed_from_submission_on():
    assert "missing_certificate_scan" not in codes()
    assert codes(stage=rules.SUBMISSION) == ("missing_certificate_scan",)
    assert codes(stage=rules.APPROVAL, documents_attached=frozenset({"skill_certificate"})) == ()


def test_every_refusal_has_a_basis_and_how_to_contest():
    decision = rules.decide(
        facts(
            contribution_months=3,
            issued_on=date(2027, 1, 1),
            level_claimed="x",
            certificate_claimed="y",
            amount=None,
            stage=rules.SUBMISSION,
        )
    )
    assert not decision.allowed and len(decision.reasons) == 6
    assert all(r.legal_basis and r.message for r in decision.reasons)
    assert "60 days" in decision.how_to_contest
