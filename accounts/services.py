"""Every write of the accounts app: one function per use case, each one transaction."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import ledger
from accounts.exceptions import NoRateInForce, UnknownScheme
from accounts.ledger import CENT, Leg
from accounts.models import (
    PERSONAL_SCHEMES,
    Account,
    Cardholder,
    Contribution,
    ContributionRate,
    LedgerTransaction,
    Scheme,
)

NATIONAL = "000000"
Payer = ContributionRate.Payer
Destination = ContributionRate.Destination


def first_of_month(value):
    return date(value.year, value.month, 1)


def cardholder_open_accounts(cardholder):
    """Give a cardholder their seven accounts (idempotent): personal for pension and
    medical, pooled for all five schemes."""
    wanted = [(scheme, Account.Kind.POOLED) for scheme in Scheme.values]
    wanted += [(scheme, Account.Kind.PERSONAL) for scheme in PERSONAL_SCHEMES]
    have = set(cardholder.accounts.values_list("scheme", "kind"))
    Account.objects.bulk_create(
        [
            Account(cardholder=cardholder, scheme=scheme, kind=kind)
            for scheme, kind in wanted
            if (scheme, kind) not in have
        ]
    )


def rates_in_force(region, scheme, month, payers):
    """The rate rows for `scheme` on `month`: the region's own if it has any, else national."""
    rows = list(
        ContributionRate.objects.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=month),
            region__in=[region, NATIONAL],
            scheme=scheme,
            payer__in=payers,
            effective_from__lte=month,
        ).order_by("-effective_from")
    )
    regional = [row for row in rows if row.region == region]
    rows = regional or [row for row in rows if row.region == NATIONAL]
    # The newest start wins for each (payer, destination).
    latest = {}
    for row in rows:
        latest.setdefault((row.payer, row.destination), row)
    return list(latest.values())


def clamp(wage, rate_row):
    return min(max(wage, rate_row.wage_base_floor), rate_row.wage_base_ceiling)


def part(wage, rate_row):
    return (clamp(wage, rate_row) * rate_row.rate).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def contribution_post(*, cardholder, scheme, month, wage, employer=None, actor=None):
    """Post one month's contribution for one scheme (Social Insurance Law Art. 12).

    The employer's part goes to the pooled account and the employee's to the
    personal account (to the pool for schemes without one); a flexibly employed
    person pays both parts. The wage is clamped to the rate's bounds. Posting the
    same (cardholder, scheme, month, payer) again changes nothing. Returns the
    Contribution rows, old or new.
    """
    if scheme not in Scheme.values:
        raise UnknownScheme(field="scheme")
    wage = ledger.to_money(wage, field="wage", allow_zero=True)
    month = first_of_month(month)
    flexible = cardholder.employment_status == Cardholder.EmploymentStatus.FLEXIBLE
    payers = [Payer.FLEXIBLE] if flexible else [Payer.EMPLOYER, Payer.EMPLOYEE]
    rates = rates_in_force(cardholder.region, scheme, month, payers)
    if not rates:
        raise NoRateInForce(field="scheme")
    accounts = {account.kind: account for account in cardholder.accounts.filter(scheme=scheme)}
    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED)
    results = []
    for payer in payers:
        payer_rates = [row for row in rates if row.payer == payer]
        if not payer_rates:
            continue
        results.append(
            _post_payer_part(
                cardholder,
                scheme,
                month,
                wage,
                employer,
                actor,
                payer,
                payer_rates,
                accounts,
                received,
            )
        )
    return [row for row in results if row is not None]


def _post_payer_part(
    cardholder, scheme, month, wage, employer, actor, payer, rates, accounts, received
):
    existing = Contribution.objects.filter(
        cardholder=cardholder, scheme=scheme, month=month, payer=payer
    ).first()
    if existing:
        return existing
    to_pooled = sum(
        (part(wage, r) for r in rates if r.destination == Destination.POOLED), Decimal("0.00")
    )
    to_personal = sum(
        (part(wage, r) for r in rates if r.destination == Destination.PERSONAL), Decimal("0.00")
    )
    total = to_pooled + to_personal
    if total == 0:
        return None
    legs = [Leg(received.id, -total)]
    if to_pooled:
        legs.append(Leg(accounts[Account.Kind.POOLED].id, to_pooled))
    if to_personal:
        legs.append(Leg(accounts[Account.Kind.PERSONAL].id, to_personal))
    key = f"contribution:{cardholder.pk}:{scheme}:{month:%Y-%m}:{payer}"
    txn, _ = ledger.post(
        kind=LedgerTransaction.Kind.CONTRIBUTION,
        idempotency_key=key,
        legs=legs,
        reference=f"{month:%Y-%m}",
        description=f"{scheme} contribution {month:%Y-%m} paid by {payer}",
        actor=actor,
        posted_at=timezone.now(),
    )
    return Contribution.objects.create(
        cardholder=cardholder,
        employer=employer,
        scheme=scheme,
        month=month,
        payer=payer,
        wage_base_declared=wage,
        wage_base=clamp(wage, rates[0]),
        to_pooled=to_pooled,
        to_personal=to_personal,
        transaction=txn,
    )
