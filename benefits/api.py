"""REST endpoints of the benefits app. Thin: parse, call a selector or service, shape
the answer."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import cardholder_for_user
from benefits import selectors, services
from benefits.exceptions import NotFound
from benefits.serializers import RegistrationRequestSerializer, RegistrationSerializer


def _own_cardholder(user):
    cardholder = cardholder_for_user(user)
    if cardholder is None:
        raise NotFound(field="cardholder")
    return cardholder


class RegistrationView(APIView):
    """The caller's unemployment registration (SIL Art. 50)."""

    @extend_schema(responses=RegistrationSerializer)
    def get(self, request):
        registration = selectors.current_registration(_own_cardholder(request.user))
        if registration is None:
            raise NotFound(field="registration")
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(request=RegistrationRequestSerializer, responses=RegistrationSerializer)
    def post(self, request):
        cardholder = _own_cardholder(request.user)
        form = RegistrationRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        registration = services.registration_create(
            cardholder=cardholder, actor=request.user, **form.validated_data
        )
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)


class EligibilityView(APIView):
    """Whether the caller may claim the unemployment benefit now (SIL Art. 45-47)."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        from django.utils import timezone

        decision = selectors.eligibility(_own_cardholder(request.user), timezone.localdate())
        return Response(
            {
                "allowed": decision.allowed,
                "months_entitled": decision.months_entitled,
                "monthly_amount": (
                    None if decision.monthly_amount is None else f"{decision.monthly_amount:.2f}"
                ),
                "reasons": [
                    {"code": r.code, "message": r.message, "legal_basis": r.legal_basis}
                    for r in decision.reasons
                ],
                "how_to_contest": decision.how_to_contest,
            }
        )
