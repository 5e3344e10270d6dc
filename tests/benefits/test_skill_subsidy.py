"""The skill-upgrade subsidy on the record: the claim, the two-person decision, the
payment once from the unemployment fund into the bank batch, the qualification on the
record, and the refusals with their codes."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import audit, extensions, ledger
from accounts.models import Account, LedgerTransaction
from benefits import skill_services
from benefits.exceptions import SkillSubsidyRefused
from benefits.models import Qualification, SkillSubsidyAmount, SubsidyPayment
from casework.exceptions import AlreadyDecided, Forbidden, IllegalTransition, SamePerson
from tests.benefits.conftest import benefit_staff, skill_approve, skill_person, skill_submit
from withdrawals import payout_files

pytestmark = pytest.mark.django_db


def start(user, **overrides):
    values = {
        "level": "intermediate",
        "certificate_number": " sc-2026-0001 ",
        "issued_on": timezone.localdate() - timedelta(days=30),
    }
    values.update(overrides)
    return skill_services.skill_claim_start(applicant=user, cardholder=user.cardholder, **values)


def refused_codes(call):
    with pytest.raises(SkillSubsidyRefused) as caught:
        call()
    return caught.value.decision.codes


def test_approval_pays_once_from_the_fund_and_records_the_qualification(
    kai, sian, abe, django_capture_on_commit_callbacks
):
    claim = skill_approve(kai, sian, abe, django_capture_on_commit_callbacks)
    assert claim.status == "approved" and claim.amount == Decimal("1500.00")
    assert claim.amount_region == "110100" and claim.contribution_months == 24

    payment = SubsidyPayment.objects.get()
    assert (payment.skill_claim_id, payment.amount, payment.status) == (
        claim.pk,
        Decimal("1500.00"),
        "waiting",
    )
    assert payment.account_number == kai.cardholder.card_number
    fund = ledger.fund_account("unemployment", "110100")
    assert fund.balance == Decimal("-1500.00")
    payable = ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE)
    assert payable.balance == Decimal("1500.00")
    assert (
        LedgerTransaction.objects.filter(idempotency_key=f"skill-subsidy:{claim.pk}").count() == 1
    )

    qualification = Qualification.objects.get(cardholder=kai.cardholder)
    assert (qualification.level, qualification.certificate_number) == (
        "intermediate",
        "SC-2026-0001",
    )
    lines = [
        line for line in extensions.record_lines(kai.cardholder) if line.kind == "qualification"
    ]
    assert [line.reference for line in lines] == [claim.reference]

    # A second approval pays nothing.
    with pytest.raises(AlreadyDecided):
        skill_services.skill_claim_approve(claim, actor=abe)
    assert SubsidyPayment.objects.count() == 1 and fund.balance == Decimal("-1500.00")


def test_the_bank_batch_lists_the_subsidy_once_and_its_answer_confirms_it(
    kai, sian, abe, django_capture_on_commit_callbacks
):
    skill_approve(kai, sian, abe, django_capture_on_commit_callbacks)
    out = io.StringIO()
    lines = payout_files.export_batch(out)
    assert [line.reference for line in lines] == [
        f"SSP-{SubsidyPayment.objects.get().skill_claim_id:06d}"
    ]
    assert "1500.00" in out.getvalue() and "social security card" in out.getvalue()
    assert payout_files.export_batch(io.StringIO()) == []

    reference = lines[0].reference
    counts, problems = payout_files.import_results([f"{reference},paid,ok"])
    assert (counts["paid"], problems) == (1, [])
    counts, _problems = payout_files.import_results([f"{reference},paid,ok"])
    assert counts["skipped"] == 1
    payment = SubsidyPayment.objects.get()
    assert payment.status == "paid" and payment.confirmation_id is not None
    assert ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE).balance == 0
    assert ledger.system_account(Account.SystemCode.PAID_OUT).balance == Decimal("1500.00")


def test_the_bank_failure_moves_nothing_and_is_on_the_timeline(
    kai, sian, abe, django_capture_on_commit_callbacks
):
    claim = skill_approve(kai, sian, abe, django_capture_on_commit_callbacks)
    reference = payout_files.export_batch(io.StringIO())[0].reference
    counts, _problems = payout_files.import_results([f"{reference},failed,closed account"])
    assert counts["failed"] == 1
    assert ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE).balance == Decimal("1500.00")
    assert claim.events.filter(note_code="subsidy_failed").exists()


def test_two_person_rule(kai, sian, abe, django_capture_on_commit_callbacks):
    claim = skill_submit(kai, django_capture_on_commit_callbacks)
    with pytest.raises(IllegalTransition) as caught:
        skill_services.skill_claim_approve(claim, actor=abe)
    assert caught.value.code == "claim_not_verified"
    both = benefit_staff(
        "both", "view_skillsubsidyclaim", "review_skillsubsidyclaim", "approve_skillsubsidyclaim"
    )
    skill_services.skill_claim_verify(claim, actor=both)
    with pytest.raises(SamePerson):
        skill_services.skill_claim_approve(claim, actor=both)
    with pytest.raises(Forbidden):
        skill_services.skill_claim_approve(claim, actor=sian)
    with pytest.raises(Forbidden):
        skill_services.skill_claim_approve(claim, actor=kai)
    assert SubsidyPayment.objects.count() == 0


def test_once_per_level_and_per_certificate(kai, sian, abe, django_capture_on_commit_callbacks):
    skill_approve(kai, sian, abe, django_capture_on_commit_callbacks)
    assert refused_codes(lambda: start(kai, certificate_number="SC-2026-0002")) == (
        "level_already_subsidised",
    )
    assert refused_codes(lambda: start(kai, level="advanced")) == ("certificate_already_used",)
    # Another level, another certificate: allowed.
    assert start(kai, level="advanced", certificate_number="SC-2026-0003").status == "draft"
    other = skill_person("lin")
    assert refused_codes(lambda: start(other)) == ("certificate_already_used",)


def test_an_open_claim_holds_its_level_and_a_withdrawn_one_frees_it(kai):
    claim = start(kai)
    assert "level_already_subsidised" in refused_codes(
        lambda: start(kai, certificate_number="SC-2026-0009")
    )
    skill_services.skill_claim_withdraw(claim, actor=kai)
    assert start(kai, certificate_number="SC-2026-0009").status == "draft"


def test_refusals_at_the_start(skill_figures):
    short = skill_person("shorty", months=11)
    assert refused_codes(lambda: start(short)) == ("contributions_too_short",)
    twelve = skill_person("twelve", months=12)
    assert start(twelve).status == "draft"
    today = timezone.localdate()
    assert refused_codes(
        lambda: start(
            twelve,
            level="advanced",
            certificate_number="X-2000",
            issued_on=today + timedelta(days=1),
        )
    ) == ("certificate_issued_in_future",)
    assert refused_codes(
        lambda: start(
            twelve,
            level="primary",
            certificate_number="X-1000",
            issued_on=today.replace(year=today.year - 2),
        )
    ) == ("applied_too_late",)


def test_missing_regional_figure_names_region_and_level(skill_figures):
    person = skill_person("far", region="650100")
    with pytest.raises(SkillSubsidyRefused) as caught:
        start(person, level="advanced")
    [reason] = caught.value.decision.reasons
    assert reason.code == "missing_regional_figure"
    assert "650100" in reason.message and "Advanced" in reason.message


def test_figure_removed_before_approval_refuses_and_pays_nothing(
    kai, sian, abe, django_capture_on_commit_callbacks
):
    claim = skill_submit(kai, django_capture_on_commit_callbacks)
    skill_services.skill_claim_verify(claim, actor=sian)
    SkillSubsidyAmount.objects.filter(region="110100", level="intermediate").delete()
    with pytest.raises(SkillSubsidyRefused) as caught:
        skill_services.skill_claim_approve(claim, actor=abe)
    assert caught.value.decision.codes == ("missing_regional_figure",)
    claim.refresh_from_db()
    assert claim.status == "awaiting_decision" and claim.decision_codes == [
        "missing_regional_figure"
    ]
    assert SubsidyPayment.objects.count() == 0 and Qualification.objects.count() == 0


def test_submission_needs_the_scan(kai):
    claim = start(kai)
    assert refused_codes(lambda: skill_services.skill_claim_submit(claim, actor=kai)) == (
        "missing_certificate_scan",
    )
    claim.refresh_from_db()
    assert claim.status == "draft"


def test_rejection_tells_the_reason(kai, sian, django_capture_on_commit_callbacks):
    from django.core import mail

    claim = skill_submit(kai, django_capture_on_commit_callbacks)
    kai.email = "kai@example.com"
    kai.save()
    with django_capture_on_commit_callbacks(execute=True):
        skill_services.skill_claim_reject(
            claim, actor=sian, reason="The certificate is not legible."
        )
    claim.refresh_from_db()
    assert claim.status == "rejected"
    body = mail.outbox[-1].body
    assert "not legible" in body and "60" in body


def test_the_ledger_stays_balanced(kai, sian, abe, django_capture_on_commit_callbacks):
    skill_approve(kai, sian, abe, django_capture_on_commit_callbacks)
    test_records = set(
        LedgerTransaction.objects.filter(description="test record").values_list("pk", flat=True)
    )
    violations = [v for v in audit.run_audit().violations if v.transaction_id not in test_records]
    assert violations == []
    assert sum(a.balance for a in Account.objects.filter(kind="system")) == 0


def test_the_certificate_is_on_the_record_page_and_in_get_record(
    client, kai, sian, abe, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    claim = skill_approve(kai, sian, abe, django_capture_on_commit_callbacks)
    api = APIClient()
    api.force_authenticate(kai)
    decisions = api.get("/api/v1/me/record/").json()["decisions"]
    [line] = [d for d in decisions if d["kind"] == "qualification"]
    assert line["reference"] == claim.reference and line["detail"] == "SC-2026-0001"
    assert "Intermediate" in line["title"]
    client.force_login(kai)
    page = client.get("/record/").content.decode()
    assert 'data-kind="qualification"' in page and claim.reference in page
