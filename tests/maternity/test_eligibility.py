"""The maternity rules as a table: every refusal code, no database."""

from datetime import date

import pytest

from maternity import eligibility as e

TODAY = date(2026, 12, 2)


def facts(**changes):
    base = {
        "stage": e.SUBMISSION,
        "today": TODAY,
        "gender": "F",
        "event": "birth",
        "event_date": date(2026, 11, 10),
        "employer_name": "Changjiang Logistics",
        "wage_year": 2025,
        "average_wage_known": True,
        "documents_attached": frozenset({e.BIRTH_CERTIFICATE}),
        "bank_account_given": True,
    }
    base.update(changes)
    return e.Facts(**base)


def test_a_complete_claim_is_allowed():
    decision = e.evaluate(facts())
    assert decision.allowed and decision.codes == ()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"event_date": None}, e.NO_EVENT_DATE),
        ({"gender": "M"}, e.MALE_RECORD),
        ({"event_date": date(2026, 12, 3)}, e.DATE_IN_FUTURE),
        (
            {"stage": e.APPLICATION, "claim_limit_days": 180, "event_date": date(2026, 5, 1)},
            e.EVENT_TOO_OLD,
        ),
        ({"employer_name": ""}, e.NO_EMPLOYER),
        ({"average_wage_known": False}, e.MISSING_AVERAGE_WAGE),
        ({"open_claim": "MA-2026-000001"}, e.CLAIM_OPEN),
        ({"life_status": "deceased"}, e.CARDHOLDER_DECEASED),
        ({"documents_attached": frozenset()}, e.MISSING_PROOF),
        (
            {"event": "miscarriage", "documents_attached": frozenset({e.BIRTH_CERTIFICATE})},
            e.MISSING_PROOF,
        ),
        ({"bank_account_given": False}, e.MISSING_BANK_ACCOUNT),
    ],
)
def test_each_refusal_has_its_code_and_legal_basis(changes, code):
    decision = e.evaluate(facts(**changes))
    assert not decision.allowed
    assert code in decision.codes
    reason = next(r for r in decision.reasons if r.code == code)
    assert reason.legal_basis and reason.message != code
    assert "60 days" in decision.how_to_contest


def test_the_missing_wage_names_the_employer_and_the_year():
    decision = e.evaluate(facts(average_wage_known=False))
    assert "Changjiang Logistics" in decision.reasons[0].message
    assert "2025" in decision.reasons[0].message


def test_without_a_regional_limit_an_old_event_may_be_claimed():
    old = facts(stage=e.APPLICATION, event_date=date(2024, 1, 1))
    assert e.evaluate(old).allowed


def test_the_two_person_rule():
    ok = e.ApprovalFacts(approver=3, applicant=1, cardholder_user=1, verifier=2)
    assert e.approval_safeguards(ok) == ()
    codes = [r.code for r in e.approval_safeguards(e.ApprovalFacts(approver=2, applicant=1))]
    assert codes == [e.NOT_VERIFIED]
    same = e.ApprovalFacts(approver=2, applicant=1, verifier=2)
    assert [r.code for r in e.approval_safeguards(same)] == [e.TWO_PERSON_RULE]
