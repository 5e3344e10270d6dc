"""API shapes of the accounts app. Money is always a string with two decimals."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts import ledger
from accounts.exceptions import InvalidAmount
from accounts.models import MONEY, Account, Cardholder, LedgerTransaction, Scheme
from accounts.pii import login_username
from accounts.validators import mask_card_number


def Money(**kwargs):
    return serializers.DecimalField(**MONEY, **kwargs)


# --- authentication -------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(
        max_length=150, help_text=_("The national ID number for cardholders and heirs.")
    )
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    otp_token = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        help_text=_("Staff only: the 6-digit code from the authenticator app."),
    )

    def validate(self, attrs):
        # authenticate() with the request: django-axes counts the attempt and
        # refuses a username locked out from this address.
        user = authenticate(
            self.context.get("request"),
            username=login_username(attrs["username"]),
            password=attrs["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                _("The ID number or password is not right."), code="invalid_credentials"
            )
        if user.is_staff or user.is_superuser:
            # A staff token reaches the review endpoints: it needs the second factor,
            # and carries the device that gave it (accounts.staff_otp).
            from django_otp import match_token

            token = (attrs.get("otp_token") or "").strip()
            device = match_token(user, token) if token else None
            if device is None or not getattr(device, "confirmed", False):
                raise serializers.ValidationError(
                    _("Staff need the current code from their authenticator app (otp_token)."),
                    code="otp_required",
                )
            attrs["device"] = device
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


# --- me ---------------------------------------------------------------------------


class CardSerializer(serializers.ModelSerializer):
    masked_national_id = serializers.CharField(read_only=True)
    masked_card_number = serializers.CharField(read_only=True)

    class Meta:
        model = Cardholder
        fields = [
            "name",
            "masked_national_id",
            "masked_card_number",
            "card_status",
            "card_financial_activated",
            "life_status",
            "employment_status",
        ]
        read_only_fields = fields


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.SerializerMethodField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.EmailField()
    is_staff = serializers.BooleanField()
    roles = serializers.SerializerMethodField()

    def get_username(self, user) -> str:
        return user.masked_login

    def get_roles(self, user) -> list[str]:
        return sorted(group.name for group in user.groups.all())


class MeSerializer(serializers.Serializer):
    user = UserSerializer()
    cardholder = CardSerializer(allow_null=True)


# --- accounts and history ------------------------------------------------------------


# The money field's formatting, for representations written out by hand.
_MONEY = Money()


class AccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scheme = serializers.ChoiceField(choices=Scheme.choices)
    kind = serializers.ChoiceField(choices=[Account.Kind.PERSONAL, Account.Kind.POOLED])
    balance = Money()
    status = serializers.ChoiceField(choices=Account.Status.choices)
    withdrawable = serializers.BooleanField(
        help_text=_(
            "Whether this balance could be paid out after a death or emigration: an open "
            "personal account with money in it that no other claim holds. Pooled money never is."
        )
    )

    def to_representation(self, row):
        # Every account-list call formats these few plain values: straight from the row
        # and through the money field's own formatting, without DRF's per-call copy of
        # every field (the output is the same).
        return {
            "id": int(row["id"]),
            "scheme": str(row["scheme"]),
            "kind": str(row["kind"]),
            "balance": _MONEY.to_representation(row["balance"]),
            "status": str(row["status"]),
            "withdrawable": bool(row["withdrawable"]),
        }


_MOMENT = serializers.DateTimeField()


class TransactionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    posted_at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=LedgerTransaction.Kind.choices)
    amount = Money(help_text=_("Signed: positive credits the account, negative debits it."))
    balance_after = Money()
    description = serializers.CharField()

    def to_representation(self, row):
        # Twenty rows a page, on every call: each value through its field's own
        # formatting (the output is the same), without DRF's per-row walk of the fields.
        return {
            "id": int(row["id"]),
            "posted_at": _MOMENT.to_representation(row["posted_at"]),
            "kind": str(row["kind"]),
            "amount": _MONEY.to_representation(row["amount"]),
            "balance_after": _MONEY.to_representation(row["balance_after"]),
            "description": str(row["description"]),
        }


class TransactionPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    next_cursor = serializers.CharField(allow_null=True)
    results = TransactionSerializer(many=True)

    def to_representation(self, page):
        row = TransactionSerializer()
        return {
            "next": page["next"],
            "next_cursor": page["next_cursor"],
            "results": [row.to_representation(result) for result in page["results"]],
        }


class HistoryQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, allow_blank=True, max_length=32)
    year = serializers.IntegerField(required=False, min_value=1900, max_value=9998)
    kind = serializers.ChoiceField(choices=LedgerTransaction.Kind.choices, required=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class ContributionSerializer(serializers.Serializer):
    month = serializers.DateField(help_text=_("The first day of the month paid for."))
    scheme = serializers.ChoiceField(choices=Scheme.choices)
    employer = serializers.CharField()
    wage_base = Money()
    to_pooled = Money()
    to_personal = Money()
    total = Money()


class ContributionQuerySerializer(serializers.Serializer):
    scheme = serializers.ChoiceField(choices=Scheme.choices, required=False)
    year = serializers.IntegerField(required=False, min_value=1900, max_value=9998)


# --- settlements ---------------------------------------------------------------------


class SettlementRequestSerializer(serializers.Serializer):
    card_number = serializers.CharField(max_length=20)
    amount = serializers.RegexField(
        r"^\s*\d{1,12}(\.\d{1,2})?\s*$",
        max_length=20,
        help_text=_('Yuan, a positive string with at most two decimals, e.g. "12.50".'),
        error_messages={"invalid": InvalidAmount.default_message},
    )
    description = serializers.CharField(max_length=255, required=False, allow_blank=True)

    def validate_amount(self, value):
        try:
            return ledger.to_money(value)
        except InvalidAmount as exc:
            raise serializers.ValidationError(str(exc.message), code=exc.code) from None


class SettlementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    institution = serializers.CharField(source="institution.code")
    card_number = serializers.SerializerMethodField()
    amount = Money()
    description = serializers.CharField()
    idempotency_key = serializers.CharField()
    transaction = serializers.IntegerField(source="transaction_id")
    created_at = serializers.DateTimeField()

    def get_card_number(self, settlement) -> str:
        return mask_card_number(settlement.cardholder.card_number)
