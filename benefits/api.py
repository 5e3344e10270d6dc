"""REST endpoints of the benefits app. Thin: parse, call a selector or service, shape
the answer."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import cardholder_for_user
from benefits import selectors, services
from benefits.exceptions import NotFound
from benefits.serializers import (
    ClaimDocumentUploadSerializer,
    ReemployedSerializer,
    RegistrationRequestSerializer,
    RegistrationSerializer,
)
from casework import selectors as case_selectors
from casework import services as casework


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


def _own_claim(user):
    claim = selectors.claim_latest(_own_cardholder(user))
    if claim is None or claim.applicant_id != user.pk:
        raise NotFound(field="claim")
    return claim


def claim_body(cardholder, claim=None):
    """The status body, with the claim's documents and timeline as the person sees it."""
    body = selectors.unemployment_status(cardholder)
    claim = claim or selectors.claim_latest(cardholder)
    if claim is not None:
        timeline = case_selectors.timeline(claim)
        body["next_step"] = str(timeline.next_step or "")
        body["documents"] = [
            {"id": d.pk, "kind": d.kind, "name": d.original_name, "finding": d.finding}
            for d in case_selectors.documents_of(claim)
        ]
        body["timeline"] = [
            {
                "at": e.created_at.isoformat(),
                "status": e.new_status,
                "note": e.applicant_note,
            }
            for e in timeline.events
            if not e.staff_only
        ]
    return body


class UnemploymentClaimView(APIView):
    """The caller's unemployment benefit: status, months entitled, paid and left, the
    monthly amount and the payments (GET); or start a claim on the registration (POST:
    refused, 422, with every reason the rules give)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(claim_body(_own_cardholder(request.user)))

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        cardholder = _own_cardholder(request.user)
        claim = services.claim_start(applicant=request.user, cardholder=cardholder)
        return Response(claim_body(cardholder, claim), status=status.HTTP_201_CREATED)


class UnemploymentDocumentView(APIView):
    """Attach a document to the claim (multipart ``kind`` and ``file``)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ClaimDocumentUploadSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        claim = _own_claim(request.user)
        form = ClaimDocumentUploadSerializer(data=request.data)
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


class UnemploymentSubmitView(APIView):
    """Send the claim for review; refused (422) with every reason if the rules do."""

    throttle_scope = "submission"

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        claim = _own_claim(request.user)
        services.claim_submit(claim, actor=request.user)
        return Response(claim_body(claim.cardholder, claim))


class UnemploymentWithdrawView(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        claim = _own_claim(request.user)
        services.claim_withdraw(claim, actor=request.user)
        return Response(claim_body(claim.cardholder, claim))


class UnemploymentReemployedView(APIView):
    """The person found work: the benefit stops (SIL Art. 51(1))."""

    @extend_schema(request=ReemployedSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        claim = _own_claim(request.user)
        form = ReemployedSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.benefit_declare_reemployed(
            claim, actor=request.user, started_on=form.validated_data.get("started_on")
        )
        return Response(claim_body(claim.cardholder, claim))
