"""The pension months owed to a pensioner who died and never paid (RULES §2, §4): the
months through the month of death that a lapsed living check held back or that no run
reached yet. A verified death stops the monthly run for good, so these months belong
to the estate and are paid once, with the heirs' claim, through the ledger:

    personal(pension) −P (while it holds money) · fund(pension, region) −(B + the rest
    of P) · payouts-payable +(P + B)

Each month is recorded as a `PensionPayment` to the estate, so no run can pay it
again (one payment per claim and month).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import ledger
from accounts.ledger import Leg
from accounts.models import Account, Cardholder, LedgerTransaction, Scheme
from pensions import payment_rules
from pensions.exceptions import MissingPensionIncrease
from pensions.models import WORKFLOW, Destination, PensionPayment, RetirementClaim
from pensions.reference_data import NATIONAL

LEGAL_BASIS = _(
    "Social Insurance Law of the PRC, Art. 15-16 (the pension is paid through the month "
    "of death) and Art. 14; Civil Code of the PRC, Art. 1127 and 1130 (the heirs' shares)"
)


def estate_key(claim_id):
    return f"pension-estate:{claim_id}"


def _claim_of(cardholder_id):
    return (
        RetirementClaim.objects.filter(
            cardholder_id=cardholder_id, status=WORKFLOW.states.APPROVED, starts_on__isnull=False
        )
        .order_by("-pk")
        .first()
    )


def _increases(region, starts_on, death_month):
    """The increases in force as the run would read them; refuses when a year the
    amounts need has none recorded."""
    from pensions.payment_run import increase_table

    table, known = increase_table([region], death_month)
    missing = [
        (region, year)
        for year in payment_rules.increase_years_needed(starts_on, death_month)
        if (region, year) not in known and (NATIONAL, year) not in known
    ]
    if missing:
        raise MissingPensionIncrease(missing=missing)
    return table[region]


def _personal_balance(cardholder_id):
    account = Account.objects.filter(
        cardholder_id=cardholder_id, scheme=Scheme.PENSION, kind=Account.Kind.PERSONAL
    ).first()
    if account is None or account.status != Account.Status.OPEN:
        return None, payment_rules.ZERO
    return account, account.balance


def _owed(claim, holder, balance):
    paid = PensionPayment.objects.filter(
        claim=claim, month__lte=holder.date_of_death.replace(day=1)
    ).values_list("month", flat=True)
    return payment_rules.estate_arrears(
        claim.basic_monthly,
        claim.personal_monthly,
        claim.starts_on,
        holder.date_of_death,
        list(paid),
        _increases(holder.region, claim.starts_on, holder.date_of_death.replace(day=1)),
        balance,
    )


@dataclass(frozen=True)
class EstatePension:
    """What the heirs' claim pages show: the months, the amount and its parts, and
    whether it was paid with the claim already."""

    months: tuple  # the first days of the months, oldest first
    amount: object
    basic: object
    personal: object
    paid: bool
    legal_basis: object = LEGAL_BASIS


def estate_pension_of(cardholder):
    """The pension owed to the estate of a deceased pensioner: paid (the months paid
    to the estate) or still owed (worked out now, as the approval would), or None when
    there is none: not a pensioner, no verified death, or every month paid."""
    holder = Cardholder.objects.get(pk=cardholder.pk)
    if holder.date_of_death is None:
        return None
    claim = _claim_of(holder.pk)
    if claim is None:
        return None
    settled = list(
        PensionPayment.objects.filter(claim=claim, destination=Destination.ESTATE).order_by("month")
    )
    if settled:
        return EstatePension(
            months=tuple(row.month for row in settled),
            amount=sum((row.total for row in settled), payment_rules.ZERO),
            basic=sum((row.basic for row in settled), payment_rules.ZERO),
            personal=sum((row.personal for row in settled), payment_rules.ZERO),
            paid=True,
        )
    _account, balance = _personal_balance(holder.pk)
    owed = _owed(claim, holder, balance)
    if not owed.months:
        return None
    return EstatePension(
        months=tuple(row.month for row in owed.months),
        amount=owed.total,
        basic=owed.basic,
        personal=owed.personal_from_account + owed.personal_from_fund,
        paid=False,
    )


@transaction.atomic
def pension_estate_arrears_pay(cardholder, *, reference, actor=None):
    """Inside the approval of the heirs' claim on `cardholder`'s estate: pay the
    pension months owed and not paid, once, to payouts payable for the heirs, and
    record each month as paid to the estate. Returns (transaction, EstateArrears), or
    (None, the empty arrears) when nothing is owed. A second call pays nothing."""
    holder = Cardholder.objects.select_for_update().get(pk=cardholder.pk)
    empty = payment_rules.EstateArrears(())
    if holder.date_of_death is None:
        return None, empty
    claim = _claim_of(holder.pk)
    if claim is None:
        return None, empty
    # The claim row held: one payment to the estate at a time.
    RetirementClaim.objects.select_for_update().filter(pk=claim.pk).first()
    personal = (
        Account.objects.select_for_update()
        .filter(cardholder_id=holder.pk, scheme=Scheme.PENSION, kind=Account.Kind.PERSONAL)
        .first()
    )
    balance = payment_rules.ZERO
    if personal is not None and personal.status == Account.Status.OPEN:
        balance = personal.balance
    owed = _owed(claim, holder, balance)
    if not owed.months:
        return None, owed
    fund = ledger.fund_account_open(Scheme.PENSION, holder.region)
    payable = ledger.system_account(Account.SystemCode.PAYOUTS_PAYABLE)
    legs = [
        Leg(fund.pk, -(owed.basic + owed.personal_from_fund)),
        Leg(payable.pk, owed.total),
    ]
    if owed.personal_from_account:
        legs.append(Leg(personal.pk, -owed.personal_from_account))
    first, last = owed.months[0].month, owed.months[-1].month
    txn, created = ledger.post(
        kind=LedgerTransaction.Kind.PENSION,
        idempotency_key=estate_key(claim.pk),
        legs=legs,
        reference=reference,
        description=f"Pension owed at death, {first:%Y-%m} to {last:%Y-%m}, to the heirs "
        f"of {claim.reference}",
        actor=actor,
    )
    if not created:
        return None, payment_rules.EstateArrears(())
    this_month = timezone.localdate().replace(day=1)
    PensionPayment.objects.bulk_create(
        PensionPayment(
            claim=claim,
            month=row.month,
            basic=row.basic,
            personal_from_account=row.personal_from_account,
            personal_from_fund=row.personal_from_fund,
            total=row.total,
            transaction=txn,
            destination=Destination.ESTATE,
            payee=reference[:100],
            bank_name="",
            account_number="",
            back_pay=row.month < this_month,
        )
        for row in owed.months
    )
    return txn, owed
