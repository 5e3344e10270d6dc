"""REST endpoints of the skill-upgrade subsidy and vocational training. Thin: parse,
call a selector or service, shape the answer."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from benefits import skill_selectors as selectors
from benefits import skill_services, training_services
from benefits.api import _own_cardholder
from benefits.exceptions import NotFound
from benefits.models import CertificateLevel, SkillDocumentKind
from casework import services as casework


class SkillClaimRequestSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=CertificateLevel.choices)
    certificate_number = serializers.CharField(max_length=40)
    issued_on = serializers.DateField()


class SkillDocumentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SkillDocumentKind.choices)
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class TrainingApplicationRequestSerializer(serializers.Serializer):
    course = serializers.IntegerField(min_value=1)


class SkillSubsidyView(APIView):
    """The caller's skill-upgrade subsidy claims (GET), or a new claim for one
    certificate (POST: refused, 422, with every reason the rules give)."""

    @extend_schema(
        operation_id="benefits_skill_subsidy_list",
        responses={200: {"type": "array", "items": {"type": "object"}}},
    )
    def get(self, request):
        cardholder = _own_cardholder(request.user)
        claims = selectors.skill_claims_of(cardholder, applicant=request.user)
        return Response([selectors.skill_claim_body(c) for c in claims])

    @extend_schema(request=SkillClaimRequestSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        cardholder = _own_cardholder(request.user)
        form = SkillClaimRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        claim = skill_services.skill_claim_start(
            applicant=request.user, cardholder=cardholder, **form.validated_data
        )
        return Response(selectors.skill_claim_body(claim), status=status.HTTP_201_CREATED)


def _own_claim(request, pk):
    claim = selectors.skill_claim_for(request.user, pk)
    if claim is None:
        raise NotFound(field="claim")
    return claim


class SkillSubsidyDetailView(APIView):
    @extend_schema(operation_id="benefits_skill_subsidy_detail", responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        return Response(selectors.skill_claim_body(_own_claim(request, pk)))


class SkillSubsidyDocumentView(APIView):
    """Attach a document to the claim (multipart ``kind`` and ``file``)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=SkillDocumentSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, pk):
        claim = _own_claim(request, pk)
        form = SkillDocumentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        document = casework.document_add(
            case=claim,
            kind=form.validated_data["kind"],
            uploaded_file=form.validated_data["file"],
            uploader=request.user,
        )
        return Response(
            {"id": document.pk, "kind": document.kind, "name": document.original_name},
            status=status.HTTP_201_CREATED,
        )


class SkillSubsidySubmitView(APIView):
    throttle_scope = "submission"

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk):
        claim = _own_claim(request, pk)
        skill_services.skill_claim_submit(claim, actor=request.user)
        return Response(selectors.skill_claim_body(claim))


class SkillSubsidyWithdrawView(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk):
        claim = _own_claim(request, pk)
        skill_services.skill_claim_withdraw(claim, actor=request.user)
        return Response(selectors.skill_claim_body(claim))


# --- vocational training -----------------------------------------------------------------


class TrainingCoursesView(APIView):
    """The courses open for applications: listed, not started, with places left."""

    @extend_schema(
        operation_id="training_courses_list",
        responses={200: {"type": "array", "items": {"type": "object"}}},
    )
    def get(self, request):
        courses = selectors.open_courses(timezone.localdate())
        return Response([selectors.course_body(c, c.taken) for c in courses])


class TrainingApplicationsView(APIView):
    """The caller's training applications (GET), or an application for a course
    (POST ``{course}``: refused, 422, with every reason)."""

    @extend_schema(
        operation_id="training_applications_list",
        responses={200: {"type": "array", "items": {"type": "object"}}},
    )
    def get(self, request):
        cardholder = _own_cardholder(request.user)
        applications = selectors.applications_of(cardholder, applicant=request.user)
        return Response([selectors.application_body(a) for a in applications])

    @extend_schema(
        request=TrainingApplicationRequestSerializer, responses={201: OpenApiTypes.OBJECT}
    )
    def post(self, request):
        cardholder = _own_cardholder(request.user)
        form = TrainingApplicationRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        application = training_services.training_apply(
            applicant=request.user, cardholder=cardholder, course=form.validated_data["course"]
        )
        return Response(selectors.application_body(application), status=status.HTTP_201_CREATED)


def _own_application(request, pk):
    application = selectors.application_get_for(request.user, pk)
    if application is None:
        raise NotFound(field="application")
    return application


class TrainingApplicationDetailView(APIView):
    @extend_schema(operation_id="training_applications_detail", responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        return Response(selectors.application_body(_own_application(request, pk)))


class TrainingApplicationWithdrawView(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk):
        application = _own_application(request, pk)
        training_services.training_withdraw(application, actor=request.user)
        return Response(selectors.application_body(application))
