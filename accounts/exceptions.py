"""Refusals of the accounts app, each with a stable code. The base and the generic
errors come from `core.errors` and are re-exported here."""

from django.utils.translation import gettext_lazy as _

from core.errors import (
    DomainError,
    Forbidden,
    IdempotencyConflict,
    InvalidCursor,
    InvalidInput,
    InvalidTransition,
    NotFound,
)

__all__ = [
    "AccountClosed",
    "AccountFrozen",
    "CardCancelled",
    "CardNotActive",
    "CardNotReplaceable",
    "CardReplaced",
    "CardholderNotLiving",
    "ContributionAfterDeath",
    "ContributionWhileRetired",
    "DomainError",
    "Forbidden",
    "IdempotencyConflict",
    "InsufficientBalance",
    "InterestYearNotComplete",
    "InvalidAmount",
    "InvalidCursor",
    "InvalidInput",
    "InvalidKind",
    "InvalidTransition",
    "InvalidYear",
    "NoInterestRate",
    "NoRateInForce",
    "NotFound",
    "UnbalancedTransaction",
    "UnknownCard",
    "UnknownRegion",
    "UnknownScheme",
]


class InvalidAmount(DomainError):
    code = "invalid_amount"
    default_message = _("The amount must be a positive sum of yuan with at most two decimals.")
    status = 400


class UnknownScheme(DomainError):
    code = "unknown_scheme"
    default_message = _("There is no such insurance scheme.")
    status = 400


class InsufficientBalance(DomainError):
    code = "insufficient_balance"
    default_message = _("The account balance is not enough for this payment.")


class AccountClosed(DomainError):
    code = "account_closed"
    default_message = _("The account is closed and takes no further postings.")


class AccountFrozen(DomainError):
    code = "account_frozen"
    default_message = _("The account is frozen; no money can leave it.")


class CardNotActive(DomainError):
    code = "card_not_active"
    default_message = _("The card is not active (reported lost, frozen or cancelled).")


class CardCancelled(InvalidTransition):
    code = "card_cancelled"
    default_message = _(
        "The card is cancelled and cannot be used again. A service centre can tell you "
        "what happens next."
    )
    status = 409


class UnbalancedTransaction(DomainError):
    code = "unbalanced_transaction"
    default_message = _("A ledger transaction's entries must sum to zero.")
    status = 500


class NoRateInForce(DomainError):
    code = "no_rate_in_force"
    default_message = _("No contribution rate is in force for this scheme, region and month.")


class NoInterestRate(DomainError):
    code = "no_interest_rate"
    default_message = _("No interest rate is published for this year and region.")


class InterestYearNotComplete(DomainError):
    code = "interest_year_not_complete"
    default_message = _("Interest is credited only for a year that has ended.")
    status = 400


class UnknownRegion(DomainError):
    code = "unknown_region"
    default_message = _("There is no such pooling region.")
    status = 400


class InvalidKind(DomainError):
    code = "invalid_kind"
    default_message = _("There is no such kind of transaction.")
    status = 400


class InvalidYear(DomainError):
    code = "invalid_year"
    default_message = _("The year is not valid.")
    status = 400


class UnknownCard(DomainError):
    code = "unknown_card"
    default_message = _("There is no card with this number.")


class CardReplaced(DomainError):
    """A settlement with a card number that a replacement cancelled."""

    code = "card_replaced"
    default_message = _(
        "This card was replaced by a new card and is cancelled; it can no longer be used "
        "for payments. Ask the cardholder for the new card."
    )


class CardNotReplaceable(InvalidTransition):
    """A card cancelled after a death or a paid-out emigration is never replaced."""

    code = "card_not_replaceable"
    default_message = _(
        "The card was cancelled after a death or a settlement abroad and cannot be replaced."
    )
    status = 409


class CardholderNotLiving(DomainError):
    code = "cardholder_not_living"
    default_message = _(
        "The cardholder has died or settled abroad; the card can no longer be used for payments."
    )


class CardholderDeceased(CardholderNotLiving):
    code = "cardholder_deceased"
    default_message = _(
        "The cardholder died before the date of this purchase; the card can no longer be "
        "used for payments."
    )


class ContributionAfterDeath(DomainError):
    code = "contribution_after_death"
    default_message = _(
        "The cardholder died before this month; no contribution is owed for months after "
        "the month of death."
    )


class ContributionWhileRetired(DomainError):
    code = "contribution_while_retired"
    default_message = _(
        "The cardholder is retired and draws a pension; employee and employer "
        "contributions are no longer paid."
    )
