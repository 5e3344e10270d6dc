"""The retirement-claim rules at their edges: pure, no database."""

from datetime import date

import pytest

from pensions import eligibility as e
from pensions.retirement import FEMALE_CADRE, FEMALE_WORKER, MALE

# Born 15 March 1966: 14 months after January 1965, so 60 years and 4 months
# (one month per started four months of birth): statutory date 15 July 2026,
# claims open on 15 April 2026.
BORN = date(1966, 3, 15)


def facts(**overrides):
    values = {
        "stage": e.APPLICATION,
        "today": date(2026, 4, 15),
        "birth_date": BORN,
        "gender": "M",
        "category": MALE,
        "contribution_months": 200,
    }
    values.update(overrides)
    return e.Facts(**values)


def test_the_dates_of_the_example():
    f = facts()
    assert f.retirement_date == date(2026, 7, 15)
    assert f.opens_on == date(2026, 4, 15)


@pytest.mark.parametrize(
    ("overrides", "codes"),
    [
        ({}, ()),
        ({"today": date(2026, 4, 14)}, (e.TOO_EARLY,)),
        ({"today": date(2030, 1, 1)}, ()),  # late claims are fine
        # Three months still to come count on applying: 177 + 3 = 180.
        ({"contribution_months": 177}, ()),
        ({"contribution_months": 176}, (e.TOO_FEW_CONTRIBUTION_YEARS,)),
        ({"retired": True}, (e.ALREADY_RETIRED,)),
        ({"open_claim": "RC-2026-000001"}, (e.CLAIM_OPEN,)),
        ({"life_status": "deceased"}, (e.CARDHOLDER_DECEASED,)),
        ({"category": FEMALE_WORKER}, (e.CATEGORY_NOT_ALLOWED,)),
        ({"gender": "F", "category": MALE}, (e.CATEGORY_NOT_ALLOWED,)),
        (
            {"today": date(2026, 1, 1), "contribution_months": 10, "retired": True},
            (e.ALREADY_RETIRED, e.TOO_EARLY, e.TOO_FEW_CONTRIBUTION_YEARS),
        ),
    ],
)
def test_application_rules(overrides, codes):
    decision = e.evaluate(facts(**overrides))
    assert decision.codes == codes
    assert decision.allowed is (not codes)


@pytest.mark.parametrize(
    ("today", "months", "codes"),
    [
        (date(2026, 7, 14), 180, (e.RETIREMENT_DATE_NOT_REACHED,)),
        (date(2026, 7, 15), 180, ()),
        # On approval only the record counts.
        (date(2026, 7, 15), 179, (e.TOO_FEW_CONTRIBUTION_YEARS,)),
    ],
)
def test_approval_needs_the_date_and_the_months_on_record(today, months, codes):
    decision = e.evaluate(facts(stage=e.APPROVAL, today=today, contribution_months=months))
    assert decision.codes == codes


def test_the_minimum_rises_from_2030():
    # Born March 1969: 50 months after January 1965 → 60 years 13 months → 1 April 2030,
    # when the minimum is 15.5 years (186 months).
    born = date(1969, 3, 1)
    base = {"stage": e.APPROVAL, "today": date(2030, 4, 1), "birth_date": born}
    assert facts(**base).retirement_date == date(2030, 4, 1)
    refused = e.evaluate(facts(**base, contribution_months=185))
    assert refused.codes == (e.TOO_FEW_CONTRIBUTION_YEARS,)
    assert dict(refused.reasons[0].params) == {"minimum": "186", "months": "185", "year": "2030"}
    assert e.evaluate(facts(**base, contribution_months=186)).allowed


def test_women_choose_their_schedule_and_cadres_prove_it():
    # A woman worker born May 1976: 16 months after January 1975 → 50 years 9 months.
    woman = {"gender": "F", "birth_date": date(1976, 5, 20), "today": date(2026, 11, 20)}
    assert facts(**woman, category=FEMALE_WORKER).retirement_date == date(2027, 2, 20)
    assert e.evaluate(facts(**woman, category=FEMALE_WORKER)).allowed
    # As a cadre: 76 months after January 1970 → 55 years and 20 months, 20 January
    # 2033; on submission the proof of the post is asked for.
    later = {**woman, "today": date(2032, 10, 20), "contribution_months": 210}
    cadre = facts(**later, category=FEMALE_CADRE, stage=e.SUBMISSION)
    assert cadre.retirement_date == date(2033, 1, 20)
    assert e.evaluate(cadre).codes == (e.MISSING_CADRE_PROOF,)
    with_proof = facts(
        **later,
        category=FEMALE_CADRE,
        stage=e.SUBMISSION,
        documents_attached=frozenset({e.CADRE_POST_PROOF}),
    )
    assert e.evaluate(with_proof).allowed


def test_every_refusal_names_its_law_and_how_to_contest():
    decision = e.evaluate(facts(today=date(2026, 1, 1), contribution_months=0))
    assert not decision.allowed
    for reason in decision.reasons:
        assert reason.code in e.CODES
        assert reason.legal_basis and "%(" not in reason.message
    assert "60 days" in decision.how_to_contest
    too_early = decision.reasons[0]
    assert too_early.message == (
        "You can claim your pension from 2026-04-15, three months before your statutory "
        "retirement date (2026-07-15)."
    )
    assert "Art. 16" in too_early.legal_basis_text


def test_an_unknown_stage_is_judged_as_approval():
    assert e.evaluate(facts(stage="later", today=date(2026, 5, 1))).codes == (
        e.RETIREMENT_DATE_NOT_REACHED,
    )


@pytest.mark.parametrize(
    ("who", "codes"),
    [
        ({"approver": 5, "verifier": 4}, ()),
        ({"approver": 4, "verifier": 4}, (e.TWO_PERSON_RULE,)),
        ({"approver": 5, "verifier": None}, (e.NOT_VERIFIED,)),
        ({"approver": 1, "verifier": 4}, (e.TWO_PERSON_RULE,)),  # the applicant
        ({"approver": 2, "verifier": 4}, (e.TWO_PERSON_RULE,)),  # the cardholder
        ({"approver": 3, "verifier": 4}, (e.TWO_PERSON_RULE,)),  # asked for documents
    ],
)
def test_two_people_approve(who, codes):
    facts_ = e.ApprovalFacts(applicant=1, cardholder_user=2, documents_requested_by=3, **who)
    assert tuple(r.code for r in e.approval_safeguards(facts_)) == codes
