"""``POST /api/v1/pension/living-check/``: the pensioner confirms their own yearly
living check with their login password again (counted like a login), as lifting a
card loss report does."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import reauth
from accounts.selectors import cardholder_for_user
from core.errors import NotFound
from pensions import living_check_services, selectors
from pensions.exceptions import NotInPayment
from sscard.security import lockout_response


class LivingCheckRequestSerializer(serializers.Serializer):
    password = serializers.CharField(
        max_length=128,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="The caller's own login password, to confirm it is them.",
    )


class LivingCheckView(APIView):
    """Confirm the caller's living check: 200 with the next due date. A caller with no
    pension in payment answers 409 naming ``claim``; a wrong password 400 naming
    ``password`` (counted as a failed login; past the limit, 429). Confirming twice on
    a day changes nothing."""

    @extend_schema(
        request=LivingCheckRequestSerializer,
        responses={
            200: inline_serializer(
                "LivingCheckConfirmed", {"next_living_check_due": serializers.DateField()}
            )
        },
    )
    def post(self, request):
        cardholder = cardholder_for_user(request.user)
        if cardholder is None:
            raise NotFound(field="cardholder")
        if selectors.claim_in_payment(cardholder) is None:
            raise NotInPayment(field="claim")
        serializer = LivingCheckRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not reauth.password_confirms(
            request, request.user, serializer.validated_data["password"]
        ):
            if reauth.locked_out(request):
                return lockout_response(request._request)
            raise exceptions.ValidationError({"password": [reauth.WRONG_PASSWORD]})
        confirmation = living_check_services.living_check_confirm_online(
            cardholder=cardholder, actor=request.user
        )
        claim = confirmation.claim
        return Response({"next_living_check_due": selectors.living_check_due(claim).isoformat()})
