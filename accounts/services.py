"""Every write of the accounts app: one function per use case, each one transaction."""

import hashlib
import logging
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import contribution_rules as rules
from accounts import extensions, ledger, record_fields
from accounts.exceptions import (
    AccountClosed,
    CardCancelled,
    CardholderDeceased,
    CardholderNotLiving,
    CardNotActive,
    CardNotReplaceable,
    CardReplaced,
    ContributionAfterDeath,
    ContributionWhileRetired,
    DomainError,
    Forbidden,
    IdempotencyConflict,
    InvalidInput,
    InvalidTransition,
    NoRateInForce,
    UnknownCard,
    UnknownScheme,
)
from accounts.ledger import Leg
from accounts.models import (
    CARD_TRANSITIONS,
    PERSONAL_SCHEMES,
    Account,
    Cardholder,
    CardStatusChange,
    Contribution,
    ContributionRate,
    Employer,
    EmployerLogin,
    LedgerTransaction,
    RecordChange,
    ReplacedCardNumber,
    Scheme,
    Settlement,
    card_allows,
)
from accounts.pii import id_digest, id_digests, normalise_typed_id
from accounts.selectors import retired_may_continue
from accounts.validators import is_card_number, parse_national_id

logger = logging.getLogger(__name__)

NATIONAL = rules.NATIONAL
first_of_month = rules.first_of_month


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
    """The rate rows for `scheme` on `month`: the region's own if it has any, else national
    (chosen by `contribution_rules.rates_in_force` among the rows that may apply)."""
    rows = ContributionRate.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=month),
        region__in=[region, NATIONAL],
        scheme=scheme,
        payer__in=payers,
        effective_from__lte=month,
    )
    return rules.rates_in_force(list(rows), region, scheme, month, payers)


def _scheme_ended(region, scheme, month):
    """Had `scheme` rates that ended before `month` (so it is collected no more, as
    opposed to a figure that is missing)?"""
    return ContributionRate.objects.filter(
        region__in=[region, NATIONAL], scheme=scheme, effective_to__lt=month
    ).exists()


@transaction.atomic
def contribution_post(*, cardholder, scheme, month, wage, employer=None, actor=None):
    """Post one month's contribution for one scheme (Social Insurance Law Art. 12).

    The employer's part goes to the pooled account and the employee's to the
    personal account (to the pool for schemes without one); a flexibly employed
    person pays both parts. The wage is clamped to the rate's bounds (the rules are
    `accounts.contribution_rules`). Posting the same (cardholder, scheme, month,
    payer) again changes nothing. Returns the Contribution rows, old or new; none for a
    scheme that is no longer collected on its own (its rates ended).
    """
    if scheme not in Scheme.values:
        raise UnknownScheme(field="scheme")
    wage = ledger.to_money(wage, field="wage", allow_zero=True)
    month = first_of_month(month)
    may_continue = retired_may_continue(cardholder.region)
    refusal = rules.contribution_refusal(
        month,
        date_of_death=cardholder.date_of_death,
        employment_status=cardholder.employment_status,
        retired_may_continue=may_continue,
    )
    if refusal == ContributionAfterDeath.code:
        raise ContributionAfterDeath(field="month")
    if refusal == ContributionWhileRetired.code:
        raise ContributionWhileRetired(field="cardholder")
    # Where the region lets the retired continue, they pay as the flexibly employed do.
    flexible = cardholder.employment_status == Cardholder.EmploymentStatus.FLEXIBLE or (
        cardholder.employment_status == Cardholder.EmploymentStatus.RETIRED and may_continue
    )
    payers = rules.payers(flexible)
    parts = rules.parts(
        rates_in_force(cardholder.region, scheme, month, payers),
        cardholder.region,
        scheme,
        month,
        flexible=flexible,
    )
    if not parts:
        if _scheme_ended(cardholder.region, scheme, month):
            return []  # e.g. maternity, merged into medical from 2020: nothing owed
        raise NoRateInForce(field="scheme")
    accounts = {account.kind: account for account in cardholder.accounts.filter(scheme=scheme)}
    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED)
    results = [
        _post_payer_part(cardholder, month, wage, employer, actor, part, accounts, received)
        for part in parts
    ]
    return [row for row in results if row is not None]


def _post_payer_part(cardholder, month, wage, employer, actor, part, accounts, received):
    existing = Contribution.objects.filter(
        cardholder=cardholder, scheme=part.scheme, month=month, payer=part.payer
    ).first()
    if existing:
        return existing
    split = part.split(wage)
    if split.total == 0:
        return None
    legs = [Leg(received.id, -split.total)]
    if split.to_pooled:
        legs.append(Leg(accounts[Account.Kind.POOLED].id, split.to_pooled))
    if split.to_personal:
        legs.append(Leg(accounts[Account.Kind.PERSONAL].id, split.to_personal))
    reference = rules.reference(month)
    contribution = Contribution(
        cardholder=cardholder,
        employer=employer,
        scheme=part.scheme,
        month=month,
        payer=part.payer,
        wage_base_declared=wage,
        wage_base=split.wage_base,
        to_pooled=split.to_pooled,
        to_personal=split.to_personal,
    )
    txn, created = ledger.post(
        kind=LedgerTransaction.Kind.CONTRIBUTION,
        idempotency_key=rules.idempotency_key(cardholder.pk, part.scheme, reference, part.payer),
        legs=legs,
        reference=reference,
        description=rules.description(part.scheme, reference, part.payer),
        actor=actor,
        posted_at=timezone.now(),
        record=contribution,
    )
    # Posted meanwhile by someone else: theirs is the row.
    return contribution if created else Contribution.objects.get(transaction=txn)


# --- medical settlements -----------------------------------------------------


def settlement_fingerprint(card_number, amount, description):
    """What makes two settlement requests "the same" for an idempotency key."""
    return hashlib.sha256(f"{card_number}|{amount}|{description}".encode()).hexdigest()


LEDGER_KEY_LENGTH = 200  # LedgerTransaction.idempotency_key
IDEMPOTENCY_KEY_LENGTH = 200  # what the API documents and Settlement stores


def settlement_ledger_key(institution, key):
    """The ledger's idempotency key of a settlement. A client's key may take all 200
    characters the API allows; with the prefix it would overflow the ledger's column,
    so a key that does not fit is replaced by its SHA-256 (keys that fit keep their
    old form, so a retry of an earlier purchase still finds its transaction)."""
    plain = f"settlement:{institution.pk}:{key}"
    if len(plain) <= LEDGER_KEY_LENGTH:
        return plain
    return f"settlement:{institution.pk}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def _replay(institution, idempotency_key, fingerprint):
    existing = Settlement.objects.filter(
        institution=institution, idempotency_key=idempotency_key
    ).first()
    if existing is None:
        return None
    if existing.request_fingerprint != fingerprint:
        raise IdempotencyConflict(field="idempotency_key")
    return existing


def settlement_create(*, institution, card_number, amount, description, idempotency_key):
    """A hospital or pharmacy purchase paid from the cardholder's personal medical account.

    Returns (settlement, created). Guarantees: the account never goes below zero,
    even under concurrent purchases (the ledger locks the account row); a lost,
    frozen or cancelled card, a cardholder who died or settled abroad, and a frozen
    or closed account are refused and nothing moves; repeating a request with the
    same (institution, idempotency key) and the same body returns the first
    settlement, with a different body raises IdempotencyConflict.
    """
    amount = ledger.to_money(amount, field="amount")
    card_number = str(card_number or "").strip().upper()
    description = str(description or "").strip()
    idempotency_key = str(idempotency_key or "").strip()
    if not idempotency_key or len(idempotency_key) > IDEMPOTENCY_KEY_LENGTH:
        raise InvalidInput(
            _("An idempotency key of 1 to 200 characters is required."),
            code="invalid_idempotency_key",
            field="idempotency_key",
        )
    if len(description) > 255:
        raise InvalidInput(
            _("The description may be at most 255 characters long."),
            code="invalid_description",
            field="description",
        )
    if not card_number or len(card_number) > 20:
        raise UnknownCard(field="card_number")
    fingerprint = settlement_fingerprint(card_number, amount, description)
    try:
        return _settlement_create(
            institution, card_number, amount, description, idempotency_key, fingerprint
        )
    except IntegrityError:
        # A concurrent identical request won the unique (institution, key) race.
        existing = _replay(institution, idempotency_key, fingerprint)
        if existing is None:
            raise
        return existing, False


@transaction.atomic
def _settlement_create(institution, card_number, amount, description, key, fingerprint):
    existing = _replay(institution, key, fingerprint)
    if existing is not None:
        return existing, False
    if not institution.is_active:
        raise DomainError(
            _("This institution may not settle purchases."),
            code="institution_inactive",
            field="institution",
        )
    cardholder = Cardholder.objects.filter(card_number=card_number).first()
    if cardholder is None:
        if ReplacedCardNumber.objects.filter(card_number=card_number).exists():
            raise CardReplaced(field="card_number")
        raise UnknownCard(field="card_number")
    if cardholder.life_status != Cardholder.LifeStatus.LIVING:
        # A purchase is dated the day it is settled; after a verified death nothing is
        # spent from the account (what was, before the death was known, is listed by
        # selectors.settlements_to_recover).
        dated = timezone.localdate()
        deceased = cardholder.life_status == Cardholder.LifeStatus.DECEASED
        if deceased and cardholder.date_of_death and dated > cardholder.date_of_death:
            raise CardholderDeceased(field="card_number")
        raise CardholderNotLiving(field="card_number")
    if cardholder.card_status != Cardholder.CardStatus.ACTIVE:
        raise CardNotActive(field="card_number")
    account = cardholder.accounts.filter(scheme=Scheme.MEDICAL, kind=Account.Kind.PERSONAL).first()
    if account is None:
        raise AccountClosed(field="card_number")
    payable = ledger.system_account(Account.SystemCode.SETTLEMENTS_PAYABLE)
    txn, created = ledger.post(
        kind=LedgerTransaction.Kind.SETTLEMENT,
        idempotency_key=settlement_ledger_key(institution, key),
        legs=[Leg(account.id, -amount), Leg(payable.id, amount)],
        reference=key[:100],
        description=description or f"{institution.name}",
    )
    if not created:
        # The same key was posted while this request waited for the account lock.
        existing = _replay(institution, key, fingerprint)
        if existing is None:
            raise IdempotencyConflict(field="idempotency_key")
        return existing, False
    settlement = Settlement.objects.create(
        institution=institution,
        cardholder=cardholder,
        amount=amount,
        description=description,
        idempotency_key=key,
        request_fingerprint=fingerprint,
        transaction=txn,
    )
    return settlement, True


# --- card and account status -------------------------------------------------


OPEN_OR_FROZEN = (Account.Status.OPEN, Account.Status.FROZEN)


def _require_staff(actor):
    if actor is None or not actor.is_active or not actor.is_staff:
        raise Forbidden(field="actor")


def _set_status(model, pk, field, old_values, new_value, **extra):
    """Compare-and-set: True if this call made the change."""
    changed = model.objects.filter(pk=pk, **{f"{field}__in": old_values}).update(
        **{field: new_value}, **extra
    )
    return changed == 1


def _card_change(cardholder, reason, actor):
    """Make the card change `reason` along CARD_TRANSITIONS and write its history row,
    inside the caller's transaction. True if this call changed the card; False when
    the card is not in a status the change starts from (already done, or another
    request won)."""
    sources, target = CARD_TRANSITIONS[reason]
    current, number = (
        Cardholder.objects.select_for_update()
        .values_list("card_status", "card_number")
        .get(pk=cardholder.pk)
    )
    if current not in sources:
        return False
    now = timezone.now()
    # The row is locked; compare-and-set all the same, so the old status recorded is
    # the one replaced even where the database has no row locks (SQLite).
    if not _set_status(Cardholder, cardholder.pk, "card_status", [current], target, updated_at=now):
        return False
    CardStatusChange.objects.create(
        cardholder_id=cardholder.pk,
        from_status=current,
        to_status=target,
        reason=reason,
        actor=actor if actor is not None and actor.pk else None,
        at=now,
        card_number=number,
    )
    logger.info(
        "card of cardholder %s: %s -> %s (%s) by user %s",
        cardholder.pk,
        current,
        target,
        reason,
        getattr(actor, "pk", None),
    )
    return True


def _card_now(cardholder, wanted):
    """Re-read the card; refuse unless it is now `wanted` (a cancelled card says so)."""
    cardholder.refresh_from_db()
    if cardholder.card_status == wanted:
        return cardholder
    if cardholder.card_status == Cardholder.CardStatus.CANCELLED:
        raise CardCancelled(field="card_status")
    raise InvalidTransition(field="card_status")


@transaction.atomic
def card_report_lost(*, cardholder, actor):
    """The cardholder (or staff for them) reports the card lost: no purchase is
    accepted until the cardholder lifts the report or staff reactivate the card.
    Reporting twice changes nothing (and writes no second history row)."""
    if actor is None or not (actor.is_staff or actor.pk == cardholder.user_id):
        raise Forbidden(field="actor")
    _card_change(cardholder, CardStatusChange.Reason.REPORTED_LOST, actor)
    return _card_now(cardholder, Cardholder.CardStatus.REPORTED_LOST)


@transaction.atomic
def card_lift_loss_report(*, cardholder, actor):
    """The cardholder found their card and lifts their own loss report: it pays again.

    Only the cardholder themselves, after re-entering their password (the page and
    the API check it with accounts.reauth, counted like a login). A cancelled card
    stays cancelled (CardCancelled); a frozen one only a service centre frees.
    Lifting twice changes nothing."""
    if actor is None or not actor.is_active or actor.pk != cardholder.user_id:
        raise Forbidden(field="actor")
    _card_change(cardholder, CardStatusChange.Reason.LOSS_REPORT_LIFTED, actor)
    cardholder.refresh_from_db()
    if cardholder.card_status == Cardholder.CardStatus.FROZEN:
        raise InvalidTransition(
            _("The card is frozen; only a service centre can put it back in use."),
            field="card_status",
        )
    return _card_now(cardholder, Cardholder.CardStatus.ACTIVE)


def _card_cancel(cardholder, reason, actor):
    _card_change(cardholder, reason, actor)
    cardholder.card_status = Cardholder.CardStatus.CANCELLED
    return cardholder


@transaction.atomic
def card_cancel_on_death(*, cardholder, actor=None):
    """Cancel the card of a person whose death is verified (RULES §4): it pays for
    nothing again. Called inside the verifying transaction; `actor` is the staff
    member who verified. A card already cancelled stays so, with no second row."""
    return _card_cancel(cardholder, CardStatusChange.Reason.DEATH_VERIFIED, actor)


@transaction.atomic
def pooled_accounts_close_on_death(*, cardholder, actor=None):
    """Close the pooled accounts of a person whose death is verified (RULES §4).

    A pooled account records money that always belonged to the fund, so its balance
    goes back to the fund of its scheme and region by one posting and the account
    closes at zero: the history stays on the record, nothing is posted to it again and
    nothing is paid out. The personal accounts stay open until the death claim pays
    them out; purchases from them are refused by the life status. Called inside the
    verifying transaction."""
    pooled = Account.objects.filter(
        cardholder=cardholder, kind=Account.Kind.POOLED, status__in=OPEN_OR_FROZEN
    ).order_by("id")
    for account in pooled:
        if account.balance and account.status == Account.Status.OPEN:
            _pooled_to_fund(cardholder, account, actor)
        else:
            # Empty (or frozen by staff, left as it stands): closed where it is.
            Account.objects.filter(pk=account.pk).update(
                status=Account.Status.CLOSED, closed_at=timezone.now()
            )


def _pooled_to_fund(cardholder, account, actor):
    fund = ledger.fund_account_open(account.scheme, cardholder.region)
    ledger.post(
        kind=LedgerTransaction.Kind.POOLED_TO_FUND,
        idempotency_key=f"pooled-to-fund:{account.pk}",
        legs=[Leg(account.pk, -account.balance), Leg(fund.pk, account.balance)],
        close_accounts=[account.pk],
        reference=cardholder.card_number,
        description=f"Pooled {account.scheme} record returned to the fund on death",
        actor=actor,
    )


@transaction.atomic
def card_cancel_on_emigration(*, cardholder, actor=None):
    """Cancel the card of a person who settled abroad once their claimed personal
    accounts are paid out (the bank confirmed the payment). Called inside the
    confirming transaction; `actor` is None for a bank's result file."""
    return _card_cancel(cardholder, CardStatusChange.Reason.EMIGRATION_PAID, actor)


def card_number_check_free(number, *, field="card_number"):
    """The number a service centre is about to issue, normalised: one capital letter
    and eight digits, never issued before (to anyone, nor cancelled by a replacement).
    InvalidInput naming `field` otherwise."""
    number = "".join(str(number or "").split()).upper()
    if not is_card_number(number):
        raise InvalidInput(
            _("A card number is one capital letter and eight digits, e.g. A10000011."),
            code="card_number_malformed",
            field=field,
        )
    taken = (
        Cardholder.objects.filter(card_number=number).exists()
        or ReplacedCardNumber.objects.filter(card_number=number).exists()
    )
    if taken:
        raise InvalidInput(
            _("This card number is already issued or was cancelled; it is never issued again."),
            code="card_number_taken",
            field=field,
        )
    return number


@transaction.atomic
def card_replace(*, cardholder, new_card_number, actor, reference=""):
    """A service centre issues a new card to a living cardholder whose card was lost
    or damaged: the old number is cancelled (history row "replaced"; it is kept so
    that settlements with it are refused with `card_replaced` and it is never issued
    again) and the person's card, now the new number, is active, in one transaction.
    A card cancelled after a death or a paid-out emigration is never replaced
    (CardNotReplaceable); a frozen one is freed by a service centre first."""
    _require_staff(actor)
    number = card_number_check_free(new_card_number, field="new_card_number")
    locked = Cardholder.objects.select_for_update().get(pk=cardholder.pk)
    status = locked.card_status
    living = locked.life_status == Cardholder.LifeStatus.LIVING
    if not living or status == Cardholder.CardStatus.CANCELLED:
        raise CardNotReplaceable(field="card_status")
    if not card_allows(status, CardStatusChange.Reason.REPLACED):
        raise InvalidTransition(
            _("The card is frozen; a service centre frees it before it is replaced."),
            code="card_frozen",
            field="card_status",
        )
    try:
        with transaction.atomic():
            # The history row names the old number: it is written before the change.
            _card_change(locked, CardStatusChange.Reason.REPLACED, actor)
            ReplacedCardNumber.objects.create(
                card_number=locked.card_number,
                cardholder=locked,
                replaced_by=number,
                reference=reference[:20],
            )
            # The unique column settles two staff issuing the same number at once.
            Cardholder.objects.filter(pk=locked.pk).update(
                card_number=number, updated_at=timezone.now()
            )
    except IntegrityError:
        raise InvalidInput(
            _("This card number is already issued or was cancelled; it is never issued again."),
            code="card_number_taken",
            field="new_card_number",
        ) from None
    logger.info("card of cardholder %s replaced (%s) by user %s", locked.pk, reference, actor.pk)
    cardholder.refresh_from_db()
    return cardholder


@transaction.atomic
def card_reactivate(*, cardholder, actor):
    """Staff put a lost or frozen card back in use. A cancelled card stays cancelled."""
    _require_staff(actor)
    _card_change(cardholder, CardStatusChange.Reason.REACTIVATED, actor)
    return _card_now(cardholder, Cardholder.CardStatus.ACTIVE)


def _account_status(account, actor, old, new):
    _require_staff(actor)
    if account.kind == Account.Kind.SYSTEM:
        raise InvalidTransition(field="account")
    if _set_status(Account, account.pk, "status", [old], new):
        logger.info("account %s %s -> %s by user %s", account.pk, old, new, actor.pk)
    account.refresh_from_db()
    if account.status == Account.Status.CLOSED:
        raise AccountClosed(field="account")
    if account.status != new:
        raise InvalidTransition(field="account")
    return account


@transaction.atomic
def account_freeze(*, account, actor):
    """Staff freeze a holder account: money may still come in, none may leave."""
    return _account_status(account, actor, Account.Status.OPEN, Account.Status.FROZEN)


@transaction.atomic
def account_unfreeze(*, account, actor):
    """Staff lift a freeze. A closed account stays closed."""
    return _account_status(account, actor, Account.Status.FROZEN, Account.Status.OPEN)


@transaction.atomic
def correction_post(*, original, actor, reason):
    """Correct a posted transaction by a reversing one (the ledger is append-only).

    Returns (correction, created); correcting the same transaction twice returns
    the first correction. A reversal that would overdraw an account is refused.
    """
    _require_staff(actor)
    reason = str(reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Give the reason for the correction."), code="reason_required", field="reason"
        )
    if original.kind == LedgerTransaction.Kind.CORRECTION:
        raise InvalidTransition(
            _("A correction is not corrected again; post the right transaction instead."),
            field="original",
        )
    return ledger.reverse(original, actor=actor, reason=reason)


# --- people ------------------------------------------------------------------


@transaction.atomic
def cardholder_create(**fields):
    """Register an insured person and open their seven accounts.

    Gender and date of birth default to what the ID number says; any disagreement
    or bad field raises ValidationError naming the field. Nothing is half-written.
    """
    national_id = fields.get("national_id")
    try:
        parsed = parse_national_id(national_id)
    except ValidationError:
        parsed = None
    if parsed is not None:
        fields["national_id"] = parsed.number
        fields.setdefault("gender", parsed.gender)
        fields.setdefault("date_of_birth", parsed.birth_date)
    cardholder = Cardholder(**fields)
    cardholder.full_clean()
    cardholder.save()
    cardholder_open_accounts(cardholder)
    return cardholder


REGISTRATION_MISMATCH = _(
    "The ID number, name and card number do not match our records, or this card already "
    "has an online account."
)


ALREADY_REGISTERED = _("This ID number is already registered; sign in instead.")


def _same_name(a, b):
    return " ".join(str(a).split()).casefold() == " ".join(str(b).split()).casefold()


@transaction.atomic
def user_register(*, national_id, password, name, email, card_number=""):
    """Create a login for a cardholder (linked through their card) or for an heir.

    The username is the ID number's look-up digest (accounts.pii). With a card
    number, the ID, name and card must match a living cardholder that has no login
    yet; every mismatch gives the same message so nothing about other people leaks.
    Raises ValidationError with field names.
    """
    user_model = get_user_model()
    errors = {}
    name = " ".join(str(name or "").split())
    email = str(email or "").strip()
    card_number = str(card_number or "").strip().upper()
    try:
        number = parse_national_id(normalise_typed_id(national_id)).number
    except ValidationError as exc:
        errors["national_id"] = exc.messages
        number = ""
    if not name:
        errors["name"] = [_("Enter your name.")]
    elif len(name) > 150:
        errors["name"] = [_("The name is too long.")]
    try:
        validate_email(email)
    except ValidationError as exc:
        errors["email"] = exc.messages
    try:
        validate_password(password, user=user_model(username=number, email=email, first_name=name))
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    if user_model.objects.filter(username__in=id_digests(number)).exists():
        raise ValidationError(
            {"national_id": [ValidationError(ALREADY_REGISTERED, code="already_registered")]}
        )

    cardholder = None
    if card_number:
        cardholder = (
            Cardholder.objects.select_for_update()
            .with_national_id(number)
            .filter(card_number=card_number, user__isnull=True)
            .filter(life_status=Cardholder.LifeStatus.LIVING)
            .first()
        )
        if cardholder is None or not _same_name(cardholder.name, name):
            raise ValidationError(
                {NON_FIELD_ERRORS: [ValidationError(REGISTRATION_MISMATCH, code="mismatch")]}
            )
    elif Cardholder.objects.with_national_id(number).exists():
        # An insured person links their record through the card, not as an heir.
        raise ValidationError(
            {
                "card_number": [
                    ValidationError(
                        _("Enter your social security card number as well."),
                        code="card_required",
                    )
                ]
            }
        )

    try:
        with transaction.atomic():
            user = user_model.objects.create_user(
                username=id_digest(number),
                national_id=number,
                email=email,
                password=password,
                first_name=name,
            )
    except IntegrityError:
        raise ValidationError(
            {"national_id": [ValidationError(ALREADY_REGISTERED, code="already_registered")]}
        ) from None
    if cardholder is not None:
        linked = Cardholder.objects.filter(pk=cardholder.pk, user__isnull=True).update(
            user=user, updated_at=timezone.now()
        )
        if linked != 1:
            raise ValidationError(
                {NON_FIELD_ERRORS: [ValidationError(REGISTRATION_MISMATCH, code="mismatch")]}
            )
    return user


# Refusals that depend on other people's records, not on what was typed: the pages
# never show them (the registration pages would otherwise say who is insured or
# registered); the truth goes to the e-mail address given.
QUIET_REFUSALS = {"already_registered", "card_required", "mismatch"}


def registration_refusal(exc):
    """The code of a ValidationError of user_register that is about other people's
    records (QUIET_REFUSALS), or None when it is about what was typed."""
    errors = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    for field_errors in errors.values():
        for error in field_errors:
            if error.code in QUIET_REFUSALS:
                return error.code
    return None


class HeirRegistration:
    CREATED = "created"
    ALREADY_REGISTERED = "already_registered"
    INSURED = "card_required"


def heir_register(*, national_id, password, name, email):
    """Self-registration of an heir, answering the same whoever the ID number belongs
    to: returns the outcome (HeirRegistration) for the e-mail, never for the page.

    A new ID number gets an account (the heir's own ID number, encrypted, and name as
    on the ID card: accounts.selectors.applicant_identity). One already registered, or
    belonging to an insured person (who registers with the card), creates nothing; the
    address given is told which by e-mail, and the password is hashed all the same so
    the answer takes as long. Field errors about what was typed raise ValidationError.
    """
    from django.contrib.auth.hashers import make_password

    try:
        user_register(
            national_id=national_id, password=password, name=name, email=email, card_number=""
        )
    except ValidationError as exc:
        outcome = registration_refusal(exc)
        if outcome is None:
            raise
        make_password(password)
    else:
        outcome = HeirRegistration.CREATED
    email = str(email or "").strip()
    transaction.on_commit(lambda: registration_mail(outcome, email))
    return outcome


def registration_mail(outcome, email):
    """Tell the address given at registration what happened (bilingual, no ID number)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    body = render_to_string("registration/register_outcome_email.txt", {"outcome": outcome})
    try:
        send_mail(
            "注册 / Registration", body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=False
        )
    except Exception:  # a mail outage must not undo the registration
        logger.exception("registration e-mail not sent")


# --- staff status and roles ------------------------------------------------------------


MOBILE_NUMBER = re.compile(r"1[3-9][0-9]{9}")


def user_update_contact(*, user, email, mobile, preferred_language, password=""):
    """Change where and in which language the user's notices go. A new e-mail address
    or mobile number needs the current password (so a left-open session cannot redirect
    a person's notices); the language alone does not. Raises ValidationError with field
    names; nothing is saved unless everything is valid."""
    errors = {}
    email = str(email or "").strip()
    mobile = "".join(str(mobile or "").split()).removeprefix("+86")
    language = str(preferred_language or "")
    try:
        validate_email(email)
    except ValidationError as exc:
        errors["email"] = exc.messages
    if mobile and not MOBILE_NUMBER.fullmatch(mobile):
        errors["mobile"] = [
            _("Enter an 11-digit mobile number starting with 1, or leave it empty.")
        ]
    if language and language not in dict(settings.LANGUAGES):
        errors["preferred_language"] = [_("Choose one of the languages offered.")]
    if (email != user.email or mobile != user.mobile) and not user.check_password(password):
        errors["password"] = [_("Enter your current password to change where notices go.")]
    if errors:
        raise ValidationError(errors)
    get_user_model().objects.filter(pk=user.pk).update(
        email=email, mobile=mobile, preferred_language=language
    )
    user.email, user.mobile, user.preferred_language = email, mobile, language
    logger.info("contact details of user %s changed", user.pk)
    return user


@transaction.atomic
def user_end_logins(*, user):
    """End every session and API token of `user`: the auth epoch moves on (sessions
    carry it in their hash, staff tokens in their proof) and the tokens are deleted.
    The person logs in again, with the second factor if they are staff."""
    from rest_framework.authtoken.models import Token

    user_model = get_user_model()
    user_model.objects.filter(pk=user.pk).update(auth_epoch=F("auth_epoch") + 1)
    Token.objects.filter(user_id=user.pk).delete()
    user.auth_epoch = user_model.objects.values_list("auth_epoch", flat=True).get(pk=user.pk)
    user.__dict__.pop("_role_group_ids", None)
    logger.info("sessions and tokens of user %s ended", user.pk)
    return user


@transaction.atomic
def staff_roles_set(*, user, actor, is_staff=None, is_superuser=None, groups=None):
    """Change whether `user` is staff or superuser, and their groups (roles). Any real
    change ends their sessions and tokens, so new powers are only ever used after a
    fresh login with the second factor, and lost ones at once. Only a superuser or a
    holder of accounts.change_user may do it; a superuser flag only a superuser."""
    if actor is None or not actor.is_active or not actor.has_perm("accounts.change_user"):
        raise Forbidden(field="actor")
    if is_superuser is not None and not actor.is_superuser:
        raise Forbidden(field="is_superuser")
    user_model = get_user_model()
    locked = user_model.objects.select_for_update().get(pk=user.pk)
    changed = []
    for name, value in (("is_staff", is_staff), ("is_superuser", is_superuser)):
        if value is not None and getattr(locked, name) != bool(value):
            setattr(locked, name, bool(value))
            changed.append(name)
    if changed:
        locked.save(update_fields=changed)
    if groups is not None:
        wanted = {group.pk for group in groups}
        if set(locked.groups.values_list("pk", flat=True)) != wanted:
            locked.groups.set(list(groups))
            changed.append("groups")
    if changed:
        user_end_logins(user=locked)
        logger.info("roles of user %s changed by user %s: %s", locked.pk, actor.pk, changed)
    for name in ("is_staff", "is_superuser", "auth_epoch"):
        setattr(user, name, getattr(locked, name))
    user.__dict__.pop("_role_group_ids", None)
    return changed


@transaction.atomic
def employment_status_set(*, cardholder, status, actor=None):
    """Record the person's employment status (staff, or a service acting on the
    person's own declaration). Returns the cardholder as stored."""
    if status not in Cardholder.EmploymentStatus.values:
        raise InvalidInput(field="employment_status")
    previous = (
        Cardholder.objects.filter(pk=cardholder.pk)
        .values_list("employment_status", flat=True)
        .first()
    )
    Cardholder.objects.filter(pk=cardholder.pk).update(
        employment_status=status, updated_at=timezone.now()
    )
    cardholder.refresh_from_db()
    logger.info("employment status of cardholder %s set to %s", cardholder.pk, status)
    if status == Cardholder.EmploymentStatus.RETIRED and previous != status:
        extensions.life_event(
            cardholder_id=cardholder.pk,
            event=extensions.PENSION_STARTED,
            on=timezone.localdate(),
            actor=actor,
        )
    return cardholder


# --- corrections of the record ----------------------------------------------------------


class RecordChanged(InvalidTransition):
    code = "record_changed_meanwhile"
    default_message = _(
        "The record no longer holds the value the correction was asked against; ask again."
    )


@transaction.atomic
def cardholder_record_correct(*, cardholder, field, old_value, new_value, actor, source):
    """Change one identity field of the record (accounts.record_fields) from
    `old_value` (as the request saw it) to `new_value`, and keep both on the audit
    trail (`RecordChange`) with who decided it and in which case (`source`).

    Under the cardholder's row lock, compare-and-set: when the record no longer holds
    `old_value` nothing is written and RecordChanged is raised. Returns the change."""
    spec = record_fields.record_field(field)
    value = record_fields.parse_value(field, record_fields.as_text(new_value))
    if actor is None or not actor.is_active:
        raise Forbidden()
    locked = Cardholder.objects.select_for_update().get(pk=cardholder.pk)
    current = record_fields.as_text(getattr(locked, spec.attribute))
    if current != record_fields.as_text(old_value):
        raise RecordChanged()
    Cardholder.objects.filter(pk=locked.pk).update(
        **{spec.attribute: value, "updated_at": timezone.now()}
    )
    change = RecordChange.objects.create(
        cardholder=locked,
        field=spec.name,
        old_value=current,
        new_value=record_fields.as_text(value),
        source=str(source)[:40],
        actor=actor,
    )
    cardholder.refresh_from_db()
    logger.info("record of cardholder %s: %s corrected in %s", locked.pk, spec.name, source)
    return change


# --- employers' logins ------------------------------------------------------------------

EMPLOYER_GROUP = "employer"


@transaction.atomic
def employer_login_link(*, user, credit_code):
    """Let `user` act for the employer with `credit_code` (and no other): the link and
    the employer role. A staff member or a cardholder cannot be an employer login."""
    from django.contrib.auth.models import Group

    employer = Employer.objects.filter(credit_code=str(credit_code or "").strip().upper()).first()
    if employer is None:
        raise InvalidInput(_("No employer has this credit code."), field="credit_code")
    if user.is_staff or user.is_superuser or Cardholder.objects.filter(user=user).exists():
        raise InvalidInput(
            _("A staff or cardholder login cannot act for an employer."), field="user"
        )
    link, _created = EmployerLogin.objects.update_or_create(
        user=user, defaults={"employer": employer}
    )
    group, _created = Group.objects.get_or_create(name=EMPLOYER_GROUP)
    user.groups.add(group)
    return link
