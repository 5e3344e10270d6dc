"""``POST /api/v1/me/card/replacement/``: the caller asks for a replacement card with
their password (counted like a login); the answer is the card as
``GET /api/v1/me/card/`` shows it, with ``replacement`` filled in."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import reauth
from accounts.card_api import MyCardSerializer, card_body, own_cardholder
from cards import services
from cards.models import Why
from sscard.security import lockout_response


class ReplacementRequestSerializer(serializers.Serializer):
    why = serializers.ChoiceField(choices=Why.choices, help_text="lost or damaged")
    password = serializers.CharField(
        max_length=128,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="The caller's own login password, to confirm it is them.",
    )


class MeCardReplacementView(APIView):
    """Ask for a new card because the card is lost (it is reported lost at once) or
    damaged. A wrong password answers 400 naming ``password`` and counts as a failed
    login (past the limit, 429); a cancelled card (death, settlement abroad) answers
    422 ``replacement_card_cancelled``, a frozen one ``replacement_card_frozen``, a
    second open request ``replacement_request_open``, each with its legal basis and
    how to contest."""

    @extend_schema(request=ReplacementRequestSerializer, responses={201: MyCardSerializer})
    def post(self, request):
        cardholder = own_cardholder(request)
        serializer = ReplacementRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not reauth.password_confirms(
            request, request.user, serializer.validated_data["password"]
        ):
            if reauth.locked_out(request):
                return lockout_response(request._request)
            raise exceptions.ValidationError({"password": [reauth.WRONG_PASSWORD]})
        services.replacement_request(applicant=request.user, why=serializer.validated_data["why"])
        cardholder.refresh_from_db()
        return Response(card_body(cardholder), status=status.HTTP_201_CREATED)
