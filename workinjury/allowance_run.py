"""The monthly disability allowance for grades 1-4 (WIR Art. 35), paid by the monthly
benefit run (`benefits.payment_run.provide_monthly_run`).

Each recognised injury whose latest conclusion carries an allowance is paid the month
from `allowance_from` on: the region's work-injury fund −A · benefits payable +A, with
its `InjuryAllowancePayment` row. The key `injury-allowance:<cardholder>:<YYYY-MM>` and
the unique (cardholder, month) pay a person-month once; a second run posts nothing. A
region whose fund is not set up is refused for each person, naming the code; a worker
recorded as deceased, or whose death from the injury is recorded, is not paid.
"""

from django.db import transaction

from accounts import ledger
from accounts.models import Account, LedgerTransaction, Scheme
from benefits.payment_run import RunResult
from workinjury.models import InjuryAllowancePayment, InjuryRecognition

FUND_MISSING = "work_injury_fund_missing"


def allowance_key(cardholder_id, month):
    return f"injury-allowance:{cardholder_id}:{month:%Y-%m}"


def due(month, region=None):
    claims = InjuryRecognition.objects.filter(
        status=InjuryRecognition.Status.RECOGNISED,
        monthly_allowance__gt=0,
        allowance_from__lte=month,
    ).exclude(cardholder__life_status="deceased")
    # A worker whose death from the injury is recorded draws no more allowance; the
    # dependants' pensions follow (death_services).
    claims = claims.exclude(death_benefit__status__in=["recorded", "approved"])
    if region:
        claims = claims.filter(cardholder__region=region)
    return claims


def pay_allowances(month, region=None):
    """Pay `month` (its first day) of the allowance to everyone due. Safe to run twice."""
    result = RunResult()
    rows = list(
        due(month, region)
        .order_by("pk")
        .values_list("pk", "cardholder_id", "cardholder__region", "monthly_allowance", "reference")
    )
    if not rows:
        return result
    done = set(
        InjuryAllowancePayment.objects.filter(
            month=month, cardholder_id__in=[r[1] for r in rows]
        ).values_list("cardholder_id", flat=True)
    )
    payable = ledger.system_account(Account.SystemCode.BENEFITS_PAYABLE)
    funds = {}
    for pk, holder, region_code, amount, reference in rows:
        if holder in done:
            result.already_paid += 1
            continue
        if region_code not in funds:
            funds[region_code] = ledger.fund_account(Scheme.WORK_INJURY, region_code)
        fund = funds[region_code]
        if fund is None:
            result.refused.append((pk, FUND_MISSING))
            continue
        with transaction.atomic():
            _txn, created = ledger.post(
                kind=LedgerTransaction.Kind.BENEFIT,
                idempotency_key=allowance_key(holder, month),
                legs=[ledger.Leg(fund.pk, -amount), ledger.Leg(payable.pk, amount)],
                reference=reference,
                description=f"Work-injury disability allowance {month:%Y-%m}",
                record=InjuryAllowancePayment(
                    recognition_id=pk, cardholder_id=holder, month=month, amount=amount
                ),
            )
        if created:
            result.paid += 1
        else:
            result.already_paid += 1
    return result
