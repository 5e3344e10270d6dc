"""``/api/v1/benefits/maternity/``: the caller's own maternity allowance claim."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import cardholder_for_user
from casework import services as casework
from core.errors import InvalidInput, NotFound
from maternity import selectors, services
from maternity.models import Event


class ClaimRequestSerializer(serializers.Serializer):
    event = serializers.ChoiceField(choices=Event.choices)
    date = serializers.DateField()
    babies = serializers.IntegerField(required=False, allow_null=True)
    difficult_birth = serializers.BooleanField(required=False, default=False)
    months = serializers.IntegerField(required=False, allow_null=True)
    bank_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    bank_account_number = serializers.CharField(required=False, allow_blank=True, max_length=40)


def _cardholder(user):
    cardholder = cardholder_for_user(user)
    if cardholder is None:
        raise NotFound(field="cardholder")
    return cardholder


def _own_claim(user):
    claim = selectors.claim_latest(_cardholder(user))
    if claim is None or claim.applicant_id != user.pk:
        raise NotFound(field="claim")
    return claim


class MaternityClaimView(APIView):
    """The caller's latest maternity claim (``GET``: status, average_wage, days,
    amount — as the data stands until approval fixes them) or a new one (``POST``)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(selectors.claim_body(_own_claim(request.user)))

    @extend_schema(request=ClaimRequestSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        cardholder = _cardholder(request.user)
        form = ClaimRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        claim = services.maternity_claim_start(
            applicant=request.user,
            cardholder=cardholder,
            event=data["event"],
            event_date=data["date"],
            babies=data.get("babies"),
            difficult_birth=data.get("difficult_birth", False),
            months=data.get("months"),
            bank_name=data.get("bank_name", ""),
            bank_account_number=data.get("bank_account_number", ""),
            today=timezone.localdate(),
        )
        return Response(selectors.claim_body(claim), status=status.HTTP_201_CREATED)


class MaternityClaimDocumentView(APIView):
    """Add the birth certificate or medical proof (multipart: ``kind``, ``file``)."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        claim = _own_claim(request.user)
        uploaded = request.FILES.get("file")
        if uploaded is None:
            raise InvalidInput(_("Choose a file to upload."), code="required", field="file")
        document = casework.document_add(
            case=claim,
            kind=request.data.get("kind", ""),
            uploaded_file=uploaded,
            uploader=request.user,
        )
        return Response({"id": document.pk, "kind": document.kind}, status=status.HTTP_201_CREATED)


class MaternityClaimSubmitView(APIView):
    """Submit the caller's claim once its proof and bank account are in."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        claim = services.maternity_claim_submit(_own_claim(request.user), actor=request.user)
        return Response(selectors.claim_body(claim))
