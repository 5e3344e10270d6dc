"""``/api/v1/employer/``: the employer login's API, mirroring its pages: file a
work-injury recognition for one of its own workers (WIR Art. 17), add the documents,
submit it, and follow its own filings. Any other login gets 403; another employer's
filing, or a worker the employer pays no contributions for, is not found."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import employer_for_user
from casework import selectors as case_selectors
from casework import services as casework
from core.errors import InvalidInput, NotFound
from workinjury import eligibility, services
from workinjury.models import Filer, InjuryRecognition


class IsEmployerLogin(permissions.BasePermission):
    """The caller acts for an employer (accounts.EmployerLogin)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        request.employer = employer_for_user(user)
        return request.employer is not None


class EmployerRecognitionSerializer(serializers.Serializer):
    accident_date = serializers.DateField()
    description = serializers.CharField(max_length=services.MAX_DESCRIPTION)
    worker_national_id = serializers.CharField(max_length=18)
    worker_name = serializers.CharField(max_length=100)


def _body(claim, *, documents=True):
    """What the employer's page shows of its filing: never the worker's full ID
    number nor their benefits. The list leaves the documents out (one query each)."""
    refusal = eligibility.refusal(claim.refusal_code) if claim.refusal_code else None
    body = {
        "id": claim.pk,
        "reference": claim.reference,
        "status": claim.status,
        "status_label": claim.get_status_display(),
        "worker": claim.cardholder.masked_national_id,
        "accident_date": claim.accident_date.isoformat(),
        "description": claim.description,
        "submitted_at": claim.submitted_at.isoformat() if claim.submitted_at else None,
        "decide_by": claim.decide_by.isoformat() if claim.decide_by else None,
        "decided_at": claim.decided_at.isoformat() if claim.decided_at else None,
        "request_message": claim.request_message or None,
        "next_step": str(claim.workflow.next_steps.get(claim.status, "")),
        "refusal": None
        if refusal is None
        else {
            "code": refusal.code,
            "message": refusal.message,
            "legal_basis": refusal.legal_basis,
            "how_to_contest": refusal.how_to_contest,
            "reason": claim.rejection_reason,
        },
    }
    if documents:
        body["documents"] = [
            {"id": d.pk, "kind": d.kind, "name": d.original_name}
            for d in case_selectors.documents_of(claim)
        ]
    return body


def _filings(request):
    return (
        InjuryRecognition.objects.filter(applicant_id=request.user.pk)
        .select_related("cardholder")
        .order_by("-id")
    )


def _own(request, pk):
    claim = _filings(request).filter(pk=pk).first()
    if claim is None:
        raise NotFound(field="recognition")
    return claim


class EmployerRecognitionListView(APIView):
    """``GET``: the employer's own filings, newest first (at most 200). ``POST``: file a
    recognition for one of its workers: ``accident_date``, ``description``,
    ``worker_national_id``, ``worker_name`` (201, or 422 with every reason, e.g.
    ``injury_filed_too_late`` after the employer's 30 days)."""

    permission_classes = [IsEmployerLogin]

    @extend_schema(
        operation_id="employer_injuries_list",
        responses={200: {"type": "array", "items": {"type": "object"}}},
    )
    def get(self, request):
        return Response([_body(claim, documents=False) for claim in _filings(request)[:200]])

    @extend_schema(request=EmployerRecognitionSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        form = EmployerRecognitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        claim = services.recognition_start(
            applicant=request.user,
            filer=Filer.EMPLOYER,
            today=timezone.localdate(),
            **form.validated_data,
        )
        return Response(_body(claim), status=status.HTTP_201_CREATED)


class EmployerRecognitionDetailView(APIView):
    """One of the employer's own filings."""

    permission_classes = [IsEmployerLogin]

    @extend_schema(operation_id="employer_injuries_detail", responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        return Response(_body(_own(request, pk)))


class EmployerRecognitionDocumentView(APIView):
    """``POST`` (multipart): ``kind`` (application_form, labour_relationship_proof,
    diagnosis, other) and ``file`` (PDF, JPEG or PNG)."""

    permission_classes = [IsEmployerLogin]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk):
        claim = _own(request, pk)
        uploaded = request.FILES.get("file")
        if uploaded is None:
            raise InvalidInput(code="required", field="file")
        casework.document_add(
            case=claim,
            kind=request.data.get("kind", ""),
            uploaded_file=uploaded,
            uploader=request.user,
        )
        return Response(_body(claim), status=status.HTTP_201_CREATED)


class EmployerRecognitionSubmitView(APIView):
    """``POST``: send the filing for the document check (422 with every reason when
    the documents or the time limit are not right)."""

    permission_classes = [IsEmployerLogin]

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk):
        claim = services.recognition_submit(_own(request, pk), actor=request.user)
        return Response(_body(claim))
