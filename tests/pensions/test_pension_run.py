"""The monthly pension run (RULES §2): amounts by hand, where each part comes from,
once per pensioner-month, refusals naming the missing figure, the living check's
suspension and back pay, and the stop and recovery on death."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts import ledger
from accounts.audit import run_audit
from accounts.models import Account, LedgerTransaction
from pensions import payment_run, selectors, services
from pensions.models import (
    PensionIncrease,
    PensionOverpayment,
    PensionPayment,
    RetirementClaim,
    SuspendedMonth,
)
from tests.factories import death_claim, staff_with
from tests.pensions.conftest import REGION, RETIRES, retiree_medical_data

D = Decimal
AUG, SEP, OCT, NOV = (date(2026, m, 1) for m in (8, 9, 10, 11))


@pytest.fixture
def pension_fund(db):
    """The region's pension fund, and its medical fund crediting retirees 60.00 a month
    from 2022 (test figures)."""
    retiree_medical_data(REGION)
    return ledger.fund_account_open("pension", REGION)


@pytest.fixture
def claim(ray, rita, amos, django_capture_on_commit_callbacks, pension_fund):
    """Ray's claim approved: 1,575.00 basic and 932.37 from his 129,600.00 (÷ 139) a
    month from 1 August 2026, paid to the bank account on the claim."""
    claim = services.retirement_claim_start(
        applicant=ray, cardholder=ray.cardholder, today=date(2026, 4, 15)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.retirement_claim_submit(claim, actor=ray, today=date(2026, 4, 15))
    services.retirement_claim_verify(claim, actor=rita)
    services.retirement_claim_approve(claim, actor=amos, today=RETIRES)
    RetirementClaim.objects.filter(pk=claim.pk).update(
        bank_name="Bank of Example",
        bank_account_holder="Ray Sun",
        bank_account_number="6222 0202 0011 2233",
    )
    claim.refresh_from_db()
    return claim


def audit_clean():
    """`ledger_audit`'s checks pass, but for the contribution record the fixture wrote
    straight to the tables (its transactions carry no entries)."""
    shortcut = set(
        LedgerTransaction.objects.filter(idempotency_key__startswith="test-record:").values_list(
            "pk", flat=True
        )
    )
    result = run_audit()
    violations = [v for v in result.violations if v.transaction_id not in shortcut]
    assert not violations, [str(v) for v in violations]
    return True


def pay(month, today):
    return payment_run.pension_pay_month(month, today=today)[1]


def balance(account):
    account.refresh_from_db()
    return account.balance


def personal(cardholder):
    return cardholder.accounts.get(scheme="pension", kind="personal")


def drain_to(cardholder, left):
    """Take the personal pension balance down to `left` (a correction, through the ledger)."""
    account = personal(cardholder)
    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED)
    ledger.post(
        kind=LedgerTransaction.Kind.CORRECTION,
        idempotency_key=f"test-drain:{account.pk}",
        legs=[
            ledger.Leg(account.pk, left - account.balance),
            ledger.Leg(received.pk, account.balance - left),
        ],
    )


def test_a_month_paid_by_hand(claim, pension_fund):
    result = pay("2026-08", today=date(2026, 8, 3))
    assert (result.claims_paid, result.months_paid, result.back_pay_months) == (1, 1, 0)
    payment = PensionPayment.objects.get(claim=claim)
    assert payment.month == AUG
    assert payment.basic == D("1575.00")
    assert payment.personal_from_account == D("932.37")
    assert payment.personal_from_fund == D("0.00")
    assert payment.total == D("2507.37")
    assert (payment.destination, payment.account_number) == ("bank", "6222 0202 0011 2233")
    assert payment.back_pay is False
    # personal −932.37 · fund −1,575.00 · benefits payable +2,507.37
    legs = {e.account_id: e.amount for e in payment.transaction.entries.all()}
    payable = ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE)
    account = personal(claim.cardholder)
    assert legs == {
        account.pk: D("-932.37"),
        pension_fund.pk: D("-1575.00"),
        payable.pk: D("2507.37"),
    }
    assert balance(account) == D("129600.00") - D("932.37")
    assert payment.transaction.idempotency_key == f"pension:{claim.pk}:2026-08"
    audit_clean()


def test_card_with_financial_function_is_paid_to_the_card(claim):
    holder = claim.cardholder
    type(holder).objects.filter(pk=holder.pk).update(card_financial_activated=True)
    pay("2026-08", today=date(2026, 8, 3))
    payment = PensionPayment.objects.get(claim=claim)
    assert (payment.destination, payment.account_number) == ("card", holder.card_number)


def test_a_second_run_pays_nothing_and_says_so(claim):
    out = io.StringIO()
    call_command("pay_pensions", "--month", "2026-08", stdout=out)
    assert "Paid pensions 2026-08: 1 month(s) to 1 pensioner(s)" in out.getvalue()
    out = io.StringIO()
    call_command("pay_pensions", "--month", "2026-08", stdout=out)
    assert "Nothing was paid: pensions 2026-08 are up to date." in out.getvalue()
    assert "Already paid before: 1" in out.getvalue()
    assert PensionPayment.objects.filter(claim=claim).count() == 1
    assert LedgerTransaction.objects.filter(kind="pension").count() == 1


def test_an_exhausted_personal_account_is_topped_up_then_paid_by_the_fund(claim, pension_fund):
    drain_to(claim.cardholder, D("500.00"))
    pay("2026-08", today=date(2026, 8, 3))
    pay("2026-09", today=date(2026, 9, 1))
    aug, sep = PensionPayment.objects.filter(claim=claim).order_by("month")
    assert (aug.personal_from_account, aug.personal_from_fund) == (D("500.00"), D("432.37"))
    assert (sep.personal_from_account, sep.personal_from_fund) == (D("0.00"), D("932.37"))
    assert aug.total == sep.total == D("2507.37")
    assert balance(personal(claim.cardholder)) == D("0.00")
    # The fund paid both basic parts and 432.37 + 932.37 of the personal ones.
    assert balance(pension_fund) == -(2 * D("1575.00") + D("432.37") + D("932.37"))
    audit_clean()


def test_refused_without_the_regions_pension_fund(ray, rita, amos, claim, pension_fund):
    Account.objects.filter(pk=pension_fund.pk).update(system_code="fund_pension_999999")
    with pytest.raises(CommandError) as caught:
        call_command("pay_pensions", "--month", "2026-08", stdout=io.StringIO())
    assert "320100" in str(caught.value)
    assert "[missing_pension_fund] Nothing was paid." in str(caught.value)
    assert not PensionPayment.objects.exists()


def test_a_range_task_checks_its_own_claims_and_pays_its_range_once(claim):
    """A range's task re-plans over its claims only: it refuses the missing increase its
    claim needs, as the whole run does, pays its own range once, and a range holding no
    claim pays nothing."""
    ray_range = (claim.pk, claim.pk + 1)
    with pytest.raises(payment_run.MissingPensionIncrease) as caught:
        payment_run.pension_range_plan("2028-03", *ray_range, today=date(2028, 3, 1))
    assert "320100 2027" in str(caught.value.message)
    plan = payment_run.pension_range_plan("2026-08", *ray_range, today=date(2026, 8, 3))
    assert plan.ranges == []
    assert payment_run.pension_pay_range(plan, *ray_range).months_paid == 1
    assert payment_run.pension_pay_range(plan, *ray_range).already_paid == 1
    empty = (claim.pk + 1, claim.pk + 50)
    plan = payment_run.pension_range_plan("2026-08", *empty, today=date(2026, 8, 3))
    assert payment_run.pension_pay_range(plan, *empty).months_paid == 0
    assert PensionPayment.objects.filter(claim=claim).count() == 1


def test_refused_for_a_month_after_next(claim):
    with pytest.raises(payment_run.MonthNotPayable) as caught:
        pay("2026-10", today=date(2026, 8, 3))
    assert caught.value.code == "pension_month_too_far"
    assert "2026-09" in str(caught.value.message)
    with pytest.raises(payment_run.InvalidInput):
        pay("August", today=date(2026, 8, 3))


def test_refused_without_a_years_increase_then_paid_with_it(claim):
    """Paying March 2028 needs 2027's increase, recorded nowhere; once it is (2 %
    nationally from January 2027) the run pays it on every month from then."""
    with pytest.raises(payment_run.MissingPensionIncrease) as caught:
        pay("2028-03", today=date(2028, 3, 1))
    assert caught.value.code == "missing_pension_increase"
    assert "320100 2027" in str(caught.value.message)
    assert not PensionPayment.objects.exists()
    PensionIncrease.objects.create(
        region="000000", from_month=date(2027, 1, 1), percent=D("2"), source="Test figure"
    )
    result = pay("2028-03", today=date(2028, 3, 1))
    # August 2026 to August 2027 as back pay (13 months); from September 2027 the living
    # check, due 1 August 2027, has lapsed: suspended.
    assert result.months_paid == result.back_pay_months == 13
    assert result.suspended == 1
    payments = {p.month: p for p in PensionPayment.objects.filter(claim=claim)}
    assert payments[date(2026, 12, 1)].total == D("2507.37")
    # 2,507.37 × 2 % = 50.1474 → 50.15, paid by the fund with the basic part.
    assert payments[date(2027, 1, 1)].basic == D("1625.15")
    assert payments[date(2027, 1, 1)].total == D("2557.52")
    assert set(SuspendedMonth.objects.values_list("month", flat=True)) == {
        date(2027, m, 1) for m in range(9, 13)
    } | {date(2028, m, 1) for m in range(1, 4)}


def test_suspended_months_are_paid_as_back_pay_once_the_check_moves(claim, ray):
    pay("2026-08", today=date(2026, 8, 3))
    result = pay("2027-09", today=date(2027, 9, 1))
    assert result.back_pay_months == 12  # September 2026 to August 2027
    assert result.suspended == 1
    assert pay("2027-10", today=date(2027, 10, 1)).suspended == 1
    assert not PensionPayment.objects.filter(month__gte=date(2027, 9, 1)).exists()
    # Ray confirms online: the due date moves on and the next run releases what was held.
    from pensions.living_check_services import living_check_confirm_online

    living_check_confirm_online(cardholder=ray.cardholder, actor=ray, today=date(2027, 10, 20))
    assert selectors.living_check_due(claim) == date(2028, 10, 20)
    result = pay("2027-11", today=date(2027, 11, 2))
    assert (result.months_paid, result.back_pay_months, result.suspended) == (3, 2, 0)
    late = PensionPayment.objects.filter(month__gte=date(2027, 9, 1)).order_by("month")
    assert [(p.month.month, p.back_pay) for p in late] == [(9, True), (10, True), (11, False)]
    assert pay("2027-11", today=date(2027, 11, 2)).months_paid == 0
    audit_clean()


def _verify_death(claim, on):
    from withdrawals import services as withdrawal_services
    from withdrawals import tasks

    application = death_claim(cardholder=claim.cardholder, pension=None, medical=None)
    withdrawal_services.application_submit(application, actor=application.applicant)
    tasks.review_application.apply(args=[application.pk])
    withdrawal_services.cardholder_verify_death(
        application,
        actor=staff_with("verify_life_event", "review_application"),
        date_of_death=on,
        certificate_number="DC-2026-0820",
    )


def test_death_stops_payment_and_recovers_what_was_paid_after(claim, pension_fund):
    for month, today in (("2026-08", date(2026, 8, 3)), ("2026-09", date(2026, 9, 1))):
        pay(month, today=today)
    pay("2026-10", today=date(2026, 10, 1))
    drain_to(claim.cardholder, D("3000.00"))
    fund_before = balance(pension_fund)

    _verify_death(claim, date(2026, 8, 20))

    # September and October were paid after the month of death: 2,507.37 each.
    sep, oct_ = PensionOverpayment.objects.filter(claim=claim).order_by("month")
    assert (sep.month, sep.overpaid, sep.recovered, sep.owed) == (
        SEP,
        D("2507.37"),
        D("2507.37"),
        D("0.00"),
    )
    assert (oct_.month, oct_.recovered, oct_.owed) == (OCT, D("492.63"), D("2014.74"))
    assert sep.transaction.kind == "pension_recovery"
    assert balance(personal(claim.cardholder)) == D("0.00")  # what the heirs would get
    assert balance(pension_fund) == fund_before + D("3000.00")
    # Recorded once: verifying the same facts again recovers nothing more.
    assert services.pension_stop_on_death(cardholder=claim.cardholder) == []
    result = pay("2026-11", today=date(2026, 11, 2))
    assert (result.months_paid, result.stopped) == (0, 1)
    assert selectors.pension_status(claim.cardholder)["status"] == "stopped"
    audit_clean()


def test_once_the_death_is_recorded_no_run_pays_even_the_month_of_death(claim):
    # September, the month of death, is owed: it is the estate's, paid once with the
    # heirs' claim (tests/withdrawals/test_heirs_pension_arrears.py), never by a run.
    pay("2026-08", today=date(2026, 8, 3))
    type(claim.cardholder).objects.filter(pk=claim.cardholder_id).update(
        date_of_death=date(2026, 9, 30)
    )
    result = pay("2026-09", today=date(2026, 9, 1))
    assert (result.months_paid, result.stopped, result.suspended) == (0, 1, 0)
    assert pay("2026-10", today=date(2026, 10, 1)).stopped == 1
    assert not PensionPayment.objects.filter(month__gte=SEP).exists()
    assert not SuspendedMonth.objects.exists()


def test_no_bank_account_and_no_card_is_refused_by_name(claim):
    RetirementClaim.objects.filter(pk=claim.pk).update(bank_account_number="")
    result = pay("2026-08", today=date(2026, 8, 3))
    assert result.refused == [(claim.pk, "no_payee")]
    assert not PensionPayment.objects.exists()


def test_the_bank_file_has_a_line_per_payment(claim, tmp_path):
    path = tmp_path / "pensions-2026-08.csv"
    out = io.StringIO()
    call_command("pay_pensions", "--month", "2026-08", "--bank-file", str(path), stdout=out)
    assert "Wrote 1 payment line(s)" in out.getvalue()
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines == [
        "reference,payee,bank,account_number,amount",
        f"PP-{claim.pk}-202608,Ray Sun,Bank of Example,6222 0202 0011 2233,2507.37",
    ]
