"""Each refusal cites its own scheme's law, and every refusal says how to contest it."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from core.rights import how_to_contest
from withdrawals import eligibility as el
from withdrawals.eligibility import APPROVAL, AccountFacts, Facts, evaluate
from withdrawals.exceptions import IneligibleError
from withdrawals.serializers import decision_data

CONTEST = "administrative reconsideration"


def account(scheme, kind="personal"):
    return AccountFacts(scheme, kind, "open", Decimal("100.00"))


def death(*accounts, **kw):
    return Facts(
        stage=APPROVAL,
        reason=el.DEATH,
        applicant_is_cardholder=False,
        relationship=kw.pop("relationship", "spouse"),
        life_status="deceased",
        death_verified=kw.pop("death_verified", True),
        accounts=accounts,
        **kw,
    )


@pytest.mark.parametrize(
    "scheme, article",
    [
        ("pension", "Art. 11–12"),
        ("medical", "Art. 23"),
        ("unemployment", "Art. 44"),
        ("work_injury", "Art. 33"),
        ("maternity", "Art. 53"),
    ],
)
def test_pooled_refusal_cites_its_own_schemes_article(scheme, article):
    reasons = evaluate(death(account(scheme, "pooled"))).reasons
    pooled = [r for r in reasons if r.code == el.POOLED_NOT_WITHDRAWABLE]
    assert pooled and pooled[0].legal_basis == f"Social Insurance Law of the PRC, {article}"
    with translation.override("en"):
        assert article in pooled[0].legal_basis_text()


@pytest.mark.parametrize(
    "scheme, article",
    [("unemployment", "Art. 44"), ("work_injury", "Art. 33"), ("maternity", "Art. 53")],
)
def test_scheme_without_personal_account_cites_its_own_article(scheme, article):
    reasons = evaluate(death(account(scheme))).reasons
    [reason] = [r for r in reasons if r.code == el.SCHEME_HAS_NO_PERSONAL_ACCOUNT]
    assert reason.legal_basis.endswith(article)


def test_medical_personal_account_inheritance_cites_local_rules_not_pension_law():
    reasons = evaluate(death(account("medical"), death_verified=False)).reasons
    [reason] = [r for r in reasons if r.code == el.DEATH_NOT_VERIFIED]
    assert reason.legal_basis == el.LAW_MEDICAL_LOCAL
    assert "Art. 14" not in reason.legal_basis


def test_medical_personal_account_emigration_cites_local_rules_not_order_13():
    facts = Facts(
        stage=APPROVAL,
        reason=el.EMIGRATION,
        applicant_is_cardholder=True,
        relationship="self",
        life_status="emigrated",
        accounts=(account("medical"),),
    )
    reasons = evaluate(facts).reasons
    [reason] = [r for r in reasons if r.code == el.EMIGRATION_NOT_VERIFIED]
    assert reason.legal_basis == el.LAW_MEDICAL_LOCAL
    assert "Order No. 13" not in reason.legal_basis


def test_both_accounts_cite_both_bases_each_shown():
    reasons = evaluate(death(account("pension"), account("medical"), death_verified=False))
    [reason] = [r for r in reasons.reasons if r.code == el.DEATH_NOT_VERIFIED]
    with translation.override("en"):
        text = reason.legal_basis_text()
    assert "Art. 14" in text and "Local basic medical insurance rules" in text


def test_pension_claim_still_cites_art_14():
    reasons = evaluate(death(account("pension"), death_verified=False)).reasons
    [reason] = [r for r in reasons if r.code == el.DEATH_NOT_VERIFIED]
    assert reason.legal_basis == el.LAW_INHERITANCE


def test_contest_text_names_art_83_and_60_days():
    with translation.override("en"):
        text = how_to_contest()
    assert CONTEST in text and "lawsuit" in text and "60 days" in text and "Art. 83" in text


def test_api_error_and_decision_bodies_say_how_to_contest():
    decision = evaluate(death(account("pension", "pooled")))
    assert not decision.allowed
    with translation.override("en"):
        body = IneligibleError(decision).details()
        data = decision_data(decision)
    assert CONTEST in body["how_to_contest"] and body["reasons"]
    assert CONTEST in data["how_to_contest"] and data["reasons"]
    assert decision_data(el.Decision(allowed=True, reasons=()))["how_to_contest"] == ""


def test_reasons_on_pages_say_how_to_contest():
    decision = evaluate(death(account("pension", "pooled")))
    reasons = [
        {"code": r.code, "message": r.message(), "legal_basis": "x"} for r in decision.reasons
    ]
    with translation.override("en"):
        html = render_to_string("withdrawals/includes/reasons.html", {"reasons": reasons})
    assert "Art. 83" in html and "60 days" in html


def test_rejection_email_says_how_to_contest():
    class Application:
        reference = "WD-1"
        rejection_reason = "Documents forged."

    with translation.override("en"):
        body = render_to_string(
            "withdrawals/email/rejected.txt",
            {"application": Application(), "applicant_name": "王芳"},
        )
    assert "Documents forged." in body and "Art. 83" in body and "60 days" in body
