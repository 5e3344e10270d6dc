"""``GET /api/v1/me/card/``: the caller's card with its history; and
``POST /api/v1/me/card/lift-loss-report/``: the cardholder lifts their own loss
report with their password (counted like a login). The page's facts, as JSON."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import reauth, selectors, services
from accounts.exceptions import CardCancelled
from accounts.models import Cardholder, CardStatusChange
from sscard.security import lockout_response


class CardChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    from_status = serializers.ChoiceField(choices=Cardholder.CardStatus.choices)
    to_status = serializers.ChoiceField(choices=Cardholder.CardStatus.choices)
    reason = serializers.ChoiceField(choices=CardStatusChange.Reason.choices)
    reason_label = serializers.CharField(help_text="The reason in the reader's language.")
    masked_card_number = serializers.CharField(
        help_text="The card the change concerned, masked (blank on older rows)."
    )


class CardReplacementSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField(help_text="The request's status code.")
    status_label = serializers.CharField(help_text="The status in the reader's language.")
    requested_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    refusal = serializers.DictField(
        allow_null=True, help_text="Where refused: code, message, legal_basis, how_to_contest."
    )


class MyCardSerializer(serializers.Serializer):
    masked_card_number = serializers.CharField()
    card_status = serializers.ChoiceField(choices=Cardholder.CardStatus.choices)
    card_financial_activated = serializers.BooleanField()
    can_report_lost = serializers.BooleanField()
    can_lift_loss_report = serializers.BooleanField()
    history = CardChangeSerializer(many=True, help_text="Newest first.")
    can_request_replacement = serializers.BooleanField()
    replacement = CardReplacementSerializer(
        allow_null=True, help_text="The latest request for a replacement card, if any."
    )


class LiftRequestSerializer(serializers.Serializer):
    password = serializers.CharField(
        max_length=128,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="The caller's own login password, to confirm it is them.",
    )


def card_body(cardholder):
    card = selectors.card_overview(cardholder)
    card["card_financial_activated"] = card["financial_function_activated"]
    card["history"] = [
        {
            "at": change.at,
            "from_status": change.from_status,
            "to_status": change.to_status,
            "reason": change.reason,
            "reason_label": change.get_reason_display(),
            "masked_card_number": change.masked_card_number,
        }
        for change in card["history"]
    ]
    replacement = card["replacement"]
    card["can_request_replacement"] = bool(replacement and replacement.can_request)
    card["replacement"] = (
        {
            "reference": replacement.reference,
            "status": replacement.status,
            "status_label": replacement.status_label,
            "requested_at": replacement.requested_at,
            "decided_at": replacement.decided_at,
            "refusal": replacement.refusal,
        }
        if replacement and replacement.reference
        else None
    )
    return MyCardSerializer(card).data


def own_cardholder(request):
    cardholder = selectors.cardholder_for_user(request.user)
    if cardholder is None:
        raise exceptions.NotFound()
    return cardholder


class MeCardView(APIView):
    """The caller's card: status, financial function, what may be done with it now,
    and its history of status changes, newest first."""

    @extend_schema(responses={200: MyCardSerializer})
    def get(self, request):
        return Response(card_body(own_cardholder(request)))


class MeCardLiftView(APIView):
    """Lift the caller's own loss report: send the login password again. A wrong one
    answers 400 naming ``password`` and counts as a failed login (past the limit, 429);
    a cancelled card answers 409. Lifting a card that is active changes nothing."""

    @extend_schema(request=LiftRequestSerializer, responses={200: MyCardSerializer})
    def post(self, request):
        cardholder = own_cardholder(request)
        serializer = LiftRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if cardholder.card_status == Cardholder.CardStatus.CANCELLED:
            raise CardCancelled(field="card_status")
        if not reauth.password_confirms(
            request, request.user, serializer.validated_data["password"]
        ):
            if reauth.locked_out(request):
                return lockout_response(request._request)
            raise exceptions.ValidationError({"password": [reauth.WRONG_PASSWORD]})
        services.card_lift_loss_report(cardholder=cardholder, actor=request.user)
        return Response(card_body(cardholder))
