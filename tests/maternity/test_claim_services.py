"""The maternity claim from start to payment: hand-computed amounts, the refusals, the
two people, and the money moving once."""

from datetime import date
from decimal import Decimal

import pytest

from accounts import ledger
from accounts.models import Account, LedgerTransaction
from casework.exceptions import Forbidden, SamePerson
from core.errors import InvalidInput
from maternity import services
from maternity.exceptions import ClaimRefused
from maternity.models import EmployerAverageWage, MaternityClaim, RegionalMaternityRule
from tests.factories import CardholderFactory, UserFactory, upload
from tests.maternity.conftest import BIRTH, REGION, TODAY, maternity_staff, medical_record

BANK = {"bank_name": "Bank of Nanjing", "bank_account_number": "6222 0000 1111 2222"}


def start(user, **kwargs):
    values = {"event": "birth", "event_date": BIRTH, **BANK, **kwargs}
    return services.maternity_claim_start(
        applicant=user, cardholder=user.cardholder, today=TODAY, **values
    )


def submitted(user, capture, **kwargs):
    claim = start(user, **kwargs)
    kind = "medical_proof" if claim.event == "miscarriage" else "birth_certificate"
    services_document(claim, user, kind)
    with capture(execute=True):
        services.maternity_claim_submit(claim, actor=user, today=TODAY)
    claim.refresh_from_db()
    assert claim.status == "awaiting_decision"
    return claim


def services_document(claim, user, kind):
    from casework import services as casework

    casework.document_add(case=claim, kind=kind, uploaded_file=upload(), uploader=user)


def decide(claim, rita, amos):
    services.maternity_claim_verify(claim, actor=rita)
    return services.maternity_claim_approve(claim, actor=amos, today=TODAY)


def balance(code):
    return Account.objects.get(kind="system", system_code=code).balance


@pytest.mark.parametrize(
    ("kwargs", "extra", "days", "amount"),
    [
        ({}, None, 98, Decimal("29400.00")),  # 9000 ÷ 30 × 98
        ({"babies": 2, "difficult_birth": True}, 30, 158, Decimal("47400.00")),  # 98+15+15+30
        ({"event": "miscarriage", "months": 3}, 30, 15, Decimal("4500.00")),  # no regional days
        ({"event": "miscarriage", "months": 4}, None, 42, Decimal("12600.00")),
    ],
)
def test_the_amount_is_fixed_at_approval_and_paid_once_from_the_medical_fund(
    mia, rita, amos, django_capture_on_commit_callbacks, kwargs, extra, days, amount
):
    if extra:
        RegionalMaternityRule.objects.create(
            region=REGION, effective_from=date(2021, 1, 1), extra_days=extra, source="Test rule"
        )
    claim = submitted(mia, django_capture_on_commit_callbacks, **kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        decide(claim, rita, amos)
    claim.refresh_from_db()
    assert claim.status == "approved" and claim.approved_by == amos
    assert (claim.days, claim.amount, claim.average_wage) == (days, amount, Decimal("9000.00"))
    assert claim.average_wage_year == 2025 and claim.average_wage_source == "Employer report 2025"
    assert balance(f"fund_medical_{REGION}") == -amount
    assert balance("payouts_payable") == amount
    # A second approval moves nothing.
    with pytest.raises(Exception):  # noqa: B017 - AlreadyDecided
        services.maternity_claim_approve(claim, actor=amos, today=TODAY)
    assert LedgerTransaction.objects.filter(idempotency_key=f"maternity:{claim.pk}").count() == 1
    services.maternity_claim_mark_paid(claim, actor=amos)
    claim.refresh_from_db()
    assert claim.status == "paid"
    assert balance("payouts_payable") == 0 and balance("paid_out") == amount


def test_rounding_to_the_fen_once(mia, rita, amos, employer, django_capture_on_commit_callbacks):
    EmployerAverageWage.objects.filter(employer=employer).update(amount=Decimal("8765.43"))
    RegionalMaternityRule.objects.create(
        region=REGION, effective_from=date(2021, 1, 1), extra_days=30, source="Test rule"
    )
    claim = submitted(mia, django_capture_on_commit_callbacks, babies=2, difficult_birth=True)
    decide(claim, rita, amos)
    claim.refresh_from_db()
    # 8765.43 × 158 ÷ 30 = 46164.598
    assert claim.amount == Decimal("46164.60")


def test_the_approval_email_gives_the_amount(
    mia, rita, amos, mailoutbox, django_capture_on_commit_callbacks
):
    claim = submitted(mia, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        decide(claim, rita, amos)
    body = mailoutbox[-1].body
    assert "29400.00" in body and "2222" in body


def test_a_rejection_tells_the_reason_the_law_and_how_to_contest(
    mia, rita, mailoutbox, django_capture_on_commit_callbacks
):
    claim = submitted(mia, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.maternity_claim_reject(claim, actor=rita, reason="The certificate is not hers.")
    body = mailoutbox[-1].body
    assert "The certificate is not hers." in body
    assert "Art. 54" in body and "60 days" in body


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"event_date": None}, "maternity_no_event_date"),
        ({"event_date": date(2026, 12, 20)}, "maternity_date_in_future"),
    ],
)
def test_refusals_on_starting(mia, kwargs, code):
    with pytest.raises(ClaimRefused) as refused:
        start(mia, **kwargs)
    assert code in refused.value.codes
    assert not MaternityClaim.objects.exists()


def test_a_mans_record_is_refused(db, employer, wage):
    user = UserFactory(username="max", password=None)
    medical_record(CardholderFactory(user=user, gender="M", region=REGION), employer)
    with pytest.raises(ClaimRefused) as refused:
        start(user)
    assert refused.value.codes == ("maternity_male_record",)


def test_missing_wage_data_is_refused_naming_the_figure(mia, wage):
    wage.delete()
    with pytest.raises(ClaimRefused) as refused:
        start(mia)
    assert refused.value.codes == ("maternity_missing_average_wage",)
    assert "Changjiang Logistics" in refused.value.reasons[0].message
    assert "2025" in refused.value.reasons[0].message


def test_the_regional_limit_refuses_an_old_event(mia):
    RegionalMaternityRule.objects.create(
        region=REGION,
        effective_from=date(2020, 1, 1),
        extra_days=0,
        claim_limit_days=10,
        source="Test rule",
    )
    with pytest.raises(ClaimRefused) as refused:
        start(mia)
    assert refused.value.codes == ("maternity_event_too_old",)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"event": "adoption"}, "event"),
        ({"babies": 0}, "babies"),
        ({"event": "miscarriage", "months": None}, "months"),
        ({"bank_account_number": "12ab"}, "bank_account_number"),
    ],
)
def test_bad_input_names_the_field(mia, kwargs, field):
    with pytest.raises(InvalidInput) as bad:
        start(mia, **kwargs)
    assert bad.value.field == field
    assert not MaternityClaim.objects.exists()


def test_submission_needs_the_proof_and_keeps_the_refusal(mia):
    claim = start(mia)
    with pytest.raises(ClaimRefused) as refused:
        services.maternity_claim_submit(claim, actor=mia, today=TODAY)
    assert refused.value.codes == ("maternity_missing_proof",)
    claim.refresh_from_db()
    assert claim.status == "draft" and claim.decision_codes == ["maternity_missing_proof"]


def test_one_claim_at_a_time(mia):
    start(mia)
    with pytest.raises(ClaimRefused) as refused:
        start(mia)
    assert refused.value.codes == ("maternity_claim_open",)


def test_two_people_decide(mia, rita, amos, django_capture_on_commit_callbacks):
    claim = submitted(mia, django_capture_on_commit_callbacks)
    with pytest.raises(Exception) as not_verified:
        services.maternity_claim_approve(claim, actor=amos, today=TODAY)
    assert not_verified.value.code == "maternity_not_verified"
    both = maternity_staff(
        "bea", "view_maternityclaim", "review_maternityclaim", "approve_maternityclaim"
    )
    services.maternity_claim_verify(claim, actor=both)
    with pytest.raises(SamePerson):
        services.maternity_claim_approve(claim, actor=both, today=TODAY)
    with pytest.raises(Forbidden):
        services.maternity_claim_approve(claim, actor=rita, today=TODAY)
    claim.refresh_from_db()
    assert claim.status == "awaiting_decision" and claim.amount is None
    assert not LedgerTransaction.objects.filter(reference=claim.reference).exists()
    services.maternity_claim_approve(claim, actor=amos, today=TODAY)
    claim.refresh_from_db()
    assert claim.status == "approved"


def test_the_applicant_cannot_act_as_staff_on_her_own_claim(
    mia, django_capture_on_commit_callbacks
):
    claim = submitted(mia, django_capture_on_commit_callbacks)
    mia.is_staff = True
    mia.save()
    from django.contrib.auth.models import Permission

    mia.user_permissions.add(*Permission.objects.filter(content_type__app_label="maternity"))
    mia = type(mia).objects.get(pk=mia.pk)
    with pytest.raises(Forbidden):
        services.maternity_claim_verify(claim, actor=mia)


def test_the_fund_is_the_regions(mia):
    assert services.medical_fund(REGION).system_code == "fund_medical_320100"
    assert ledger.system_account("fund_medical_320100").kind == "system"
