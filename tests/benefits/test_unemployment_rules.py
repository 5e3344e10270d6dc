"""SIL Art. 45–47 rule by rule, on the pure module."""

from datetime import date
from decimal import Decimal

import pytest

from benefits.unemployment_rules import Facts, decide, months_for


def facts(**changes):
    base = {
        "contribution_months": 84,
        "job_ended_on": date(2026, 11, 30),
        "how_ended": "employer_terminated",
        "registered": True,
        "seeking_work": True,
        "pension_in_payment": False,
        "monthly_amount": Decimal("1800.00"),
    }
    base.update(changes)
    return Facts(**base)


@pytest.mark.parametrize(
    ("months", "entitled"),
    [(11, 0), (12, 12), (59, 12), (60, 18), (119, 18), (120, 24), (300, 24)],
)
def test_duration_table_edges_at_one_five_and_ten_years(months, entitled):
    assert months_for(months) == entitled


def test_previous_unused_months_are_added_up_to_24():
    assert months_for(84, unused_months=4) == 22
    assert months_for(84, unused_months=10) == 24


def test_seven_years_allowed_for_18_months():
    decision = decide(facts())
    assert (decision.allowed, decision.months_entitled) == (True, 18)
    assert decision.monthly_amount == Decimal("1800.00")


@pytest.mark.parametrize(
    ("changes", "code", "basis"),
    [
        ({"contribution_months": 11}, "contributions_too_short", "SIL Art. 45(1)"),
        ({"how_ended": "resigned"}, "left_by_own_will", "SIL Art. 45(2)"),
        ({"registered": False}, "not_registered", "SIL Art. 45(3), Art. 50"),
        ({"seeking_work": False}, "not_seeking_work", "SIL Art. 45(3)"),
        ({"pension_in_payment": True}, "pension_in_payment", "SIL Art. 51(2)"),
        ({"monthly_amount": None}, "amount_missing", "SIL Art. 47"),
    ],
)
def test_each_refusal_names_its_code_basis_and_how_to_contest(changes, code, basis):
    decision = decide(facts(**changes))
    assert not decision.allowed
    assert [(r.code, r.legal_basis) for r in decision.reasons] == [(code, basis)]
    assert "60 days" in decision.how_to_contest


def test_another_claim_open_refuses_with_its_code():
    decision = decide(facts(open_claim="UB-2026-000001"))
    assert [r.code for r in decision.reasons] == ["claim_open"]


def test_submission_and_approval_need_the_termination_certificate():
    from benefits.unemployment_rules import APPROVAL, SUBMISSION, TERMINATION_CERTIFICATE

    for stage in (SUBMISSION, APPROVAL):
        refused = decide(facts(stage=stage))
        assert [(r.code, r.legal_basis) for r in refused.reasons] == [
            ("missing_termination_certificate", "SIL Art. 50")
        ]
        allowed = decide(
            facts(stage=stage, documents_attached=frozenset({TERMINATION_CERTIFICATE}))
        )
        assert allowed.allowed and allowed.months_entitled == 18


def test_unused_months_of_the_last_period_are_added_on_approval():
    assert decide(facts(unused_months=5)).months_entitled == 23


@pytest.mark.parametrize(
    ("approver", "verifier", "requested", "codes"),
    [
        (3, 2, None, []),
        (3, None, None, ["claim_not_verified"]),
        (2, 2, None, ["two_person_rule"]),
        (3, 2, 3, ["two_person_rule"]),
        (1, 2, None, ["two_person_rule"]),  # the applicant
    ],
)
def test_two_people_verify_and_approve(approver, verifier, requested, codes):
    from benefits.unemployment_rules import ApprovalFacts, approval_safeguards

    reasons = approval_safeguards(
        ApprovalFacts(
            approver=approver, applicant=1, verifier=verifier, documents_requested_by=requested
        )
    )
    assert [r.code for r in reasons] == codes


@pytest.mark.parametrize(
    ("code", "basis"),
    [
        ("reemployed", "SIL Art. 51(1)"),
        ("pension_started", "SIL Art. 51(2)"),
        ("settled_abroad", "SIL Art. 51(3)"),
        ("deceased", "SIL Art. 49"),
        ("refused_work_or_training", "SIL Art. 51(5)"),
        ("serving_sentence", "SIL Art. 51(4)"),
    ],
)
def test_each_stop_has_a_code_a_message_and_its_legal_basis(code, basis):
    from benefits.unemployment_rules import months_left, stop_reason

    reason = stop_reason(code)
    assert (reason.code, reason.legal_basis) == (code, basis)
    assert reason.message
    assert months_left(18, 5) == 13 and months_left(18, 20) == 0
