"""``/api/v1/benefits/work-injury/``: filing a recognition and following it."""

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
from workinjury import appraisal_rules, selectors, services
from workinjury.models import AppraisalRound, Filer, InjuryRecognition


class RecognitionRequestSerializer(serializers.Serializer):
    accident_date = serializers.DateField()
    description = serializers.CharField(max_length=services.MAX_DESCRIPTION)
    filer = serializers.ChoiceField(choices=Filer.choices, required=False, default=Filer.WORKER)
    relationship = serializers.CharField(required=False, allow_blank=True, max_length=40)
    worker_national_id = serializers.CharField(required=False, allow_blank=True, max_length=18)
    worker_name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class RecognitionView(APIView):
    """``GET``: the latest recognition the caller filed or that is about them (status,
    grade, own_wage, one_time_subsidy, monthly_allowance, payments — null and empty
    until an appraisal exists). ``POST``: file one."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        claim = selectors.recognition_for_user(request.user, cardholder_for_user(request.user))
        if claim is None:
            raise NotFound(field="recognition")
        return Response(selectors.recognition_body(claim))

    @extend_schema(request=RecognitionRequestSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        form = RecognitionRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        claim = services.recognition_start(
            applicant=request.user, today=timezone.localdate(), **form.validated_data
        )
        return Response(selectors.recognition_body(claim), status=status.HTTP_201_CREATED)


def _own(user, pk):
    claim = InjuryRecognition.objects.filter(pk=pk, applicant_id=user.pk).first()
    if claim is None:
        raise NotFound(field="recognition")
    return claim


class RecognitionSubmitView(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk):
        claim = services.recognition_submit(_own(request.user, pk), actor=request.user)
        return Response(selectors.recognition_body(claim))


class RecognitionDocumentView(APIView):
    """Add a document (multipart: ``kind``, ``file``) while the recognition may change."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk):
        claim = _own(request.user, pk)
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


class AppraisalRequestSerializer(serializers.Serializer):
    round = serializers.ChoiceField(
        choices=AppraisalRound.choices, required=False, default=appraisal_rules.INITIAL
    )
    condition_stable = serializers.BooleanField(required=False, default=False)


def _about_me(user, pk):
    """A recognition the user filed or that is about them (the worker applies)."""
    cardholder = cardholder_for_user(user)
    claim = InjuryRecognition.objects.filter(pk=pk).first()
    if claim is None or (
        claim.applicant_id != user.pk
        and (cardholder is None or claim.cardholder_id != cardholder.pk)
    ):
        raise NotFound(field="recognition")
    return claim


class AppraisalView(APIView):
    """``POST``: apply for the labour-capacity appraisal (WIR Art. 21-28) of a
    recognised work injury: ``round`` ``initial`` (with ``condition_stable: true``),
    ``reappraisal`` (within 15 days of the conclusion) or ``review`` (a year after it).
    201 with the appraisal; 409 or 400 with a code when refused."""

    @extend_schema(request=AppraisalRequestSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk):
        claim = _about_me(request.user, pk)
        form = AppraisalRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        appraisal = services.appraisal_apply(
            claim, actor=request.user, today=timezone.localdate(), **form.validated_data
        )
        return Response(selectors.appraisal_body(appraisal), status=status.HTTP_201_CREATED)
