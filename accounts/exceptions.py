"""Domain errors: a stable code for machines and tests, a message for people."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every refusal a service makes. Views and the API translate these."""

    code = "domain_error"
    default_message = _("The request could not be carried out.")
    status = 422

    def __init__(self, message=None, *, code=None, field=None, **params):
        self.code = code or self.code
        self.field = field
        self.params = params
        self.message = message or self.default_message
        super().__init__(str(self.message))


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


class UnbalancedTransaction(DomainError):
    code = "unbalanced_transaction"
    default_message = _("A ledger transaction's entries must sum to zero.")
    status = 500


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"
    default_message = _("This idempotency key was already used for a different request.")
    status = 409


class NoRateInForce(DomainError):
    code = "no_rate_in_force"
    default_message = _("No contribution rate is in force for this scheme, region and month.")


class NotFound(DomainError):
    code = "not_found"
    default_message = _("Not found.")
    status = 404


class InvalidCursor(DomainError):
    code = "invalid_cursor"
    default_message = _("The page cursor is not valid; start again from the first page.")
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


class InvalidTransition(DomainError):
    code = "invalid_transition"
    default_message = _("This change is not possible in the current state.")
    status = 409


class Forbidden(DomainError):
    code = "forbidden"
    default_message = _("You may not do this.")
    status = 403


class InvalidInput(DomainError):
    code = "invalid_input"
    default_message = _("The request is not valid.")
    status = 400
