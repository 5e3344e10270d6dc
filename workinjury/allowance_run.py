"""The monthly work-injury allowances paid by the monthly benefit run
(`benefits.payment_run.provide_monthly_run`): the disability allowance for grades 1-4
(WIR Art. 35) and the nursing allowance of a worker who needs living care (Art. 34).

Each recognised injury whose latest conclusion carries an allowance is paid the month
from its first month (`allowance_from`, `nursing_from`) on: the region's work-injury
fund −A · benefits payable +A, with its payment row (`InjuryAllowancePayment`,
`InjuryNursingPayment`). The keys `injury-allowance:<cardholder>:<YYYY-MM>` and
`injury-nursing:<cardholder>:<YYYY-MM>` and the unique (cardholder, month) of each
payment model pay a person-month once; a second run posts nothing. A region whose fund
is not set up is refused for each person, naming the code; a worker recorded as
deceased, or whose death from the injury is recorded, is not paid.
"""

from dataclasses import dataclass

from django.db import transaction

from accounts import ledger
from accounts.models import Account, LedgerTransaction, Scheme
from benefits.payment_run import RunResult
from workinjury.models import InjuryAllowancePayment, InjuryNursingPayment, InjuryRecognition

FUND_MISSING = "work_injury_fund_missing"


@dataclass(frozen=True)
class Allowance:
    amount_field: str
    from_field: str
    key_prefix: str
    record: type
    description: str


DISABILITY = Allowance(
    "monthly_allowance",
    "allowance_from",
    "injury-allowance",
    InjuryAllowancePayment,
    "Work-injury disability allowance {month:%Y-%m}",
)
NURSING = Allowance(
    "nursing_allowance",
    "nursing_from",
    "injury-nursing",
    InjuryNursingPayment,
    "Work-injury nursing allowance {month:%Y-%m}",
)


def allowance_key(cardholder_id, month):
    return f"{DISABILITY.key_prefix}:{cardholder_id}:{month:%Y-%m}"


def nursing_key(cardholder_id, month):
    return f"{NURSING.key_prefix}:{cardholder_id}:{month:%Y-%m}"


def due(month, region=None, allowance=DISABILITY):
    claims = InjuryRecognition.objects.filter(
        status=InjuryRecognition.Status.RECOGNISED,
        **{f"{allowance.amount_field}__gt": 0, f"{allowance.from_field}__lte": month},
    ).exclude(cardholder__life_status="deceased")
    # A worker whose death from the injury is recorded draws no more allowance; the
    # dependants' pensions follow (death_services).
    claims = claims.exclude(death_benefit__status__in=["recorded", "approved"])
    if region:
        claims = claims.filter(cardholder__region=region)
    return claims


def _pay(month, region, allowance):
    result = RunResult()
    rows = list(
        due(month, region, allowance)
        .order_by("pk")
        .values_list(
            "pk", "cardholder_id", "cardholder__region", allowance.amount_field, "reference"
        )
    )
    if not rows:
        return result
    done = set(
        allowance.record.objects.filter(
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
                idempotency_key=f"{allowance.key_prefix}:{holder}:{month:%Y-%m}",
                legs=[ledger.Leg(fund.pk, -amount), ledger.Leg(payable.pk, amount)],
                reference=reference,
                description=allowance.description.format(month=month),
                record=allowance.record(
                    recognition_id=pk, cardholder_id=holder, month=month, amount=amount
                ),
            )
        if created:
            result.paid += 1
        else:
            result.already_paid += 1
    return result


def pay_allowances(month, region=None):
    """Pay `month` (its first day) of the disability allowance to everyone due. Safe to
    run twice."""
    return _pay(month, region, DISABILITY)


def pay_nursing_allowances(month, region=None):
    """Pay `month` (its first day) of the nursing allowance to everyone due. Safe to
    run twice."""
    return _pay(month, region, NURSING)
