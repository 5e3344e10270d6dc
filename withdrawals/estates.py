"""An estate without heirs (Civil Code of the PRC, Art. 1160; RULES.md §4).

When nobody comes forward as heir of a deceased person within the notice period of
their pooling region (a regional figure, `HeirNoticePeriod`), a member of staff
records it (:func:`no_heir_record`) and a second member of staff confirms it
(:func:`no_heir_confirm`). The confirmation moves the deceased's personal balances
into the pooled fund of each scheme and region by one ledger posting and closes the
accounts; the record and its legal basis show on the deceased's record.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import extensions, ledger
from accounts.exceptions import DomainError
from accounts.ledger import Leg
from accounts.models import Account, Cardholder, LedgerTransaction
from withdrawals import eligibility
from withdrawals.exceptions import AlreadyDecided, Forbidden, SamePerson
from withdrawals.models import (
    WORKFLOW,
    HeirNoticePeriod,
    NoHeirRecord,
    Status,
    WithdrawalApplication,
)

LAW_NO_HEIR = "Civil Code of the PRC, Art. 1160"
LAW_NO_HEIR_TEXT = gettext_lazy(
    "Civil Code of the PRC, Art. 1160: an estate that nobody inherits or receives as a "
    "legacy goes to the State for public welfare (to the collective if the deceased was "
    "a member of a collective economic organisation); here the personal balances go to "
    "the social insurance fund."
)

# Stable refusal codes.
NOT_DECEASED = "death_not_verified"
NOTICE_PERIOD_MISSING = "heir_notice_period_missing"
NOTICE_PERIOD_RUNNING = "heir_notice_period_running"
HEIR_CAME_FORWARD = "heir_came_forward"
ALREADY_RECORDED = "no_heir_already_recorded"
ACCOUNT_FROZEN = "account_frozen"

OPEN_OR_FROZEN = (Account.Status.OPEN, Account.Status.FROZEN)


def notice_period(region, on):
    """The notice period in force for `region` on `on`, or None."""
    return (
        HeirNoticePeriod.objects.filter(region=region, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def _require(actor, codename):
    if actor is None or not actor.has_perm(WORKFLOW.perm(codename)):
        raise Forbidden()


def _claim_on_estate(cardholder):
    """A death claim by someone who came forward as heir, still going or paid."""
    return (
        WithdrawalApplication.objects.filter(cardholder=cardholder, reason=eligibility.DEATH)
        .exclude(status__in=[Status.WITHDRAWN, Status.REJECTED, Status.DRAFT])
        .order_by("pk")
        .first()
    )


def _refuse_if_heir_came_forward(cardholder):
    claim = _claim_on_estate(cardholder)
    if claim is not None:
        raise DomainError(
            _(
                "An heir came forward: claim %(reference)s is on this estate. Decide that "
                "claim instead."
            )
            % {"reference": claim.reference},
            code=HEIR_CAME_FORWARD,
            field="cardholder",
        )


@transaction.atomic
def no_heir_record(cardholder, *, actor, note="", today=None):
    """Staff record that no heir came forward within the region's notice period.
    Refused unless the death is verified, the region's notice period is recorded (the
    refusal names the region) and over, and no heir claims the estate. Nothing moves
    until a second member of staff confirms."""
    _require(actor, "review_application")
    today = today or timezone.localdate()
    locked = Cardholder.objects.select_for_update().get(pk=cardholder.pk)
    if locked.life_status != Cardholder.LifeStatus.DECEASED or locked.date_of_death is None:
        raise DomainError(
            _("The death of this person is not verified: verify it first."),
            code=NOT_DECEASED,
            field="cardholder",
        )
    if NoHeirRecord.objects.filter(cardholder=locked).exists():
        raise DomainError(
            _("That no heir came forward is already recorded for this person."),
            code=ALREADY_RECORDED,
            field="cardholder",
        )
    period = notice_period(locked.region, locked.date_of_death)
    if period is None:
        raise DomainError(
            _(
                "The heir notice period of region %(region)s on %(date)s is not recorded. "
                "Staff must enter it (Heir notice periods) before an estate there can go "
                "to the fund."
            )
            % {"region": locked.region, "date": locked.date_of_death.isoformat()},
            code=NOTICE_PERIOD_MISSING,
            field="cardholder",
        )
    ends = locked.date_of_death + timedelta(days=period.days)
    if today < ends:
        raise DomainError(
            _(
                "The notice period for heirs runs until %(date)s (%(days)d days from the "
                "death, region %(region)s). Heirs may still come forward."
            )
            % {"date": ends.isoformat(), "days": period.days, "region": locked.region},
            code=NOTICE_PERIOD_RUNNING,
            field="cardholder",
        )
    _refuse_if_heir_came_forward(locked)
    return NoHeirRecord.objects.create(
        cardholder=locked,
        notice_days=period.days,
        notice_ended_on=ends,
        notice_source=period.source,
        note=str(note or "")[:2000],
        recorded_by=actor,
    )


def _personal_accounts(cardholder):
    return list(
        Account.objects.select_for_update()
        .filter(cardholder=cardholder, kind=Account.Kind.PERSONAL, status__in=OPEN_OR_FROZEN)
        .order_by("id")
    )


@transaction.atomic
def no_heir_confirm(record, *, actor):
    """A second member of staff confirms: the personal balances go to the pooled fund
    of their scheme and region by one ledger posting (kind ESTATE_TO_FUND), the
    accounts close. Exactly once: the record's row is locked, a second confirmation is
    refused, and the posting's key is the record's."""
    _require(actor, "approve_application")
    locked = NoHeirRecord.objects.select_for_update().select_related("cardholder").get(pk=record.pk)
    if locked.confirmed:
        raise AlreadyDecided(_("That no heir came forward is already confirmed."))
    if locked.recorded_by_id == actor.pk:
        raise SamePerson(
            _("A second member of staff confirms what you recorded."), field="confirmed_by"
        )
    cardholder = Cardholder.objects.select_for_update().get(pk=locked.cardholder_id)
    _refuse_if_heir_came_forward(cardholder)
    accounts = _personal_accounts(cardholder)
    if any(a.status == Account.Status.FROZEN for a in accounts):
        raise DomainError(
            _("A personal account of this person is frozen: unfreeze it first."),
            code=ACCOUNT_FROZEN,
            field="cardholder",
        )
    with_money = [a for a in accounts if a.balance > 0]
    total = sum((a.balance for a in with_money), Decimal("0.00"))
    txn = None
    if with_money:
        legs = []
        for account in with_money:
            fund = ledger.fund_account_open(account.scheme, cardholder.region)
            legs += [Leg(account.pk, -account.balance), Leg(fund.pk, account.balance)]
        txn, _created = ledger.post(
            kind=LedgerTransaction.Kind.ESTATE_TO_FUND,
            idempotency_key=f"estate-to-fund:{locked.pk}",
            legs=legs,
            close_accounts=[a.pk for a in with_money],
            reference=cardholder.card_number,
            description="No heir (Civil Code Art. 1160): "
            + ", ".join(f"{a.scheme} personal {a.balance}" for a in with_money),
            actor=actor,
        )
    empty = [a.pk for a in accounts if a.balance <= 0]
    if empty:
        Account.objects.filter(pk__in=empty).update(
            status=Account.Status.CLOSED, closed_at=timezone.now()
        )
    NoHeirRecord.objects.filter(pk=locked.pk).update(
        confirmed_by=actor, confirmed_at=timezone.now(), amount=total, transaction=txn
    )
    locked.refresh_from_db()
    return locked


def basis_text(record):
    """The legal basis as the record shows it: the Civil Code and the local rule."""
    return _("%(law)s Local rule: notice period of %(days)d days (%(source)s), ended %(date)s.") % {
        "law": LAW_NO_HEIR_TEXT,
        "days": record.notice_days,
        "source": record.notice_source,
        "date": record.notice_ended_on.isoformat(),
    }


def record_lines(cardholder):
    """The deceased's record shows the confirmed posting to the fund, with its basis."""
    record = (
        NoHeirRecord.objects.filter(cardholder=cardholder, confirmed_at__isnull=False)
        .select_related("transaction")
        .first()
    )
    if record is None:
        return []
    return [
        extensions.RecordLine(
            kind="estate_to_fund",
            title=_("No heir came forward: %(amount)s of personal balances went to the fund")
            % {"amount": f"{record.amount or 0:.2f}"},
            on=timezone.localdate(record.confirmed_at),
            reference=str(record.transaction_id or ""),
            detail=basis_text(record),
        )
    ]
