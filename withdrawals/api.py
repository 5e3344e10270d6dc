"""REST endpoints of withdrawal claims: the applicant's journey and the staff's
decisions. Permissions and the state rules live in the services; these views find
the application the caller may see (anything else is 404) and call one service."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as account_selectors
from core.http import client_ip
from sscard.api import IdentificationThrottle, ScopedRateThrottle
from withdrawals import claims_about_me, eligibility, heir_services, selectors, services
from withdrawals.models import Relationship
from withdrawals.serializers import (
    ApplicationCreateSerializer,
    ApplicationListSerializer,
    ApplicationSerializer,
    ClaimAboutMeSerializer,
    ConfirmNoticeSerializer,
    ContestSerializer,
    DecisionSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    EligibilityRequestSerializer,
    HeirsDeclareSerializer,
    InvitationSerializer,
    JoinSerializer,
    QueueItemSerializer,
    RejectSerializer,
    RequestDocumentsSerializer,
    ResolveContestSerializer,
    VerifyApplicantSerializer,
    VerifyDeathSerializer,
    VerifyEmigrationSerializer,
    decision_data,
)


def application_response(application, status_code=status.HTTP_200_OK, reader=None):
    """The application as `reader` may see it: staff get the whole timeline and the
    staff facts (contest, identity check, re-used certificates); anyone else the
    applicant's timeline."""
    application = selectors.application_for_response(application.pk)
    reasons = ()
    if application.is_editable:
        decision = selectors.application_decision(application, eligibility.SUBMISSION)
        reasons = decision.reasons
    staff = staff_reader(reader, application)
    timeline = (
        selectors.timeline(application) if staff else selectors.timeline_for_applicant(application)
    )
    context = {
        "timelines": {application.pk: timeline},
        "reasons": {application.pk: reasons},
    }
    data = ApplicationSerializer(application, context=context).data
    if staff:
        data["staff"] = staff_facts(application)
    return Response(data, status=status_code)


def identified_cardholder(request, block):
    """The cardholder a request is about: the one an heir names, or the caller's own card."""
    if block:
        return services.cardholder_identify(
            national_id=block["national_id"],
            name=block["name"],
            card_number=block["card_number"],
            requester=request.user,
        )
    cardholder = account_selectors.cardholder_for_user(request.user)
    if cardholder is None:
        raise exceptions.ValidationError(
            {
                "cardholder": [
                    _(
                        "You have no card of your own: name the cardholder (national ID, "
                        "full name and card number)."
                    )
                ]
            }
        )
    return cardholder


# --- the applicant ----------------------------------------------------------------------


class EligibilityView(generics.GenericAPIView):
    """Could this claim be made? Every reason that stands in the way, with its law.
    Nothing is written."""

    serializer_class = EligibilityRequestSerializer
    throttle_classes = [ScopedRateThrottle, IdentificationThrottle]
    throttle_scope = "eligibility"

    @extend_schema(responses=DecisionSerializer)
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        block = data.get("cardholder")
        cardholder = identified_cardholder(request, block)
        relationship = data.get("relationship") or (
            Relationship.OTHER_HEIR if block else Relationship.SELF
        )
        decision = selectors.precheck(
            applicant=request.user,
            cardholder=cardholder,
            reason=data["reason"],
            relationship=relationship,
            schemes=data.get("accounts"),
        )
        return Response(DecisionSerializer(decision_data(decision)).data)


class ApplicationListCreateView(generics.ListCreateAPIView):
    """My applications; or start one (a draft), named by the cardholder block when an
    heir applies."""

    throttle_classes = [IdentificationThrottle]

    def get_serializer_class(self):
        if self.request.method == "POST":
            return ApplicationCreateSerializer
        return ApplicationListSerializer

    def get_queryset(self):
        return selectors.applications_for_user(self.request.user)

    @extend_schema(request=ApplicationCreateSerializer, responses={201: ApplicationSerializer})
    def post(self, request):
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        block = data.get("cardholder")
        relationship = data.get("relationship")
        if not relationship:
            if block:
                raise exceptions.ValidationError(
                    {"relationship": [_("Choose your relationship to the cardholder.")]}
                )
            relationship = Relationship.SELF
        cardholder = identified_cardholder(request, block)
        application = services.application_create_draft(
            applicant=request.user,
            cardholder=cardholder,
            reason=data["reason"],
            relationship=relationship,
            schemes=data.get("accounts"),
            bank_name=data["bank_name"],
            bank_account_holder=data["bank_account_holder"],
            bank_account_number=data["bank_account_number"],
            heirs=data.get("heirs"),
            proofs=data.get("proofs"),
            claims_survivor_benefits=data.get("claims_survivor_benefits", False),
        )
        return application_response(application, status.HTTP_201_CREATED, reader=request.user)


class InvitationsView(generics.ListAPIView):
    """The death claims naming the caller as a co-heir: the claim, the heirs and their
    shares, and whether the caller has joined."""

    serializer_class = InvitationSerializer
    pagination_class = None

    def get_queryset(self):
        return heir_services.invitations(self.request.user)


class JoinView(APIView):
    """A co-heir confirms the shares and gives a payee account in their own name."""

    throttle_scope = "submission"

    @extend_schema(request=JoinSerializer, responses=InvitationSerializer)
    def post(self, request, pk):
        # Whoever is not named gets 404 before any word about the body.
        heir_services.invitation_get(request.user, pk)
        serializer = JoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        heir = heir_services.heir_join(
            pk,
            actor=request.user,
            bank_name=data["bank_name"],
            bank_account_holder=data["bank_account_holder"],
            bank_account_number=data["bank_account_number"],
            confirm_shares=data["confirm_shares"],
            ip_address=client_ip(request),
        )
        return Response(InvitationSerializer(heir).data)


class HeirsDeclareView(APIView):
    """The lead heir declares the heirs of their draft death claim again (PUT): the
    rules refuse with every reason before anything changes; co-heirs who confirmed other
    shares are asked to confirm again."""

    throttle_scope = "submission"

    @extend_schema(request=HeirsDeclareSerializer, responses=ApplicationSerializer)
    def put(self, request, pk):
        application = selectors.application_get_for_reader(request.user, pk)
        serializer = HeirsDeclareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        heir_services.heirs_declare(
            application,
            data["heirs"],
            actor=request.user,
            proofs=data["proofs"],
            claims_survivor_benefits=data["claims_survivor_benefits"],
        )
        return application_response(application, reader=request.user)


class ApplicationDetailView(APIView):
    """One application: status, accounts, amount, reasons, documents, timeline."""

    @extend_schema(responses=ApplicationSerializer)
    def get(self, request, pk):
        return application_response(
            selectors.application_get_for_reader(request.user, pk), reader=request.user
        )


class DocumentUploadView(generics.GenericAPIView):
    """Attach a document (multipart ``kind`` and ``file``): PDF, JPEG or PNG only."""

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = DocumentUploadSerializer

    @extend_schema(responses={201: DocumentSerializer})
    def post(self, request, pk):
        application = selectors.application_get_for_reader(request.user, pk)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = services.document_add(
            application=application,
            kind=serializer.validated_data["kind"],
            uploaded_file=serializer.validated_data["file"],
            uploader=request.user,
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class ApplicationActionView(APIView):
    """Base of the POST actions on one application: find it, call the service, answer
    with the application as it now is."""

    request_serializer = None
    staff_action = False

    def act(self, request, application, data):
        raise NotImplementedError

    def post(self, request, pk):
        application = selectors.application_get_for_reader(
            request.user, pk, staff_action=self.staff_action
        )
        data = {}
        if self.request_serializer is not None:
            serializer = self.request_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        self.act(request, application, data)
        return application_response(application, reader=request.user)


def action_schema(request_serializer=None):
    return extend_schema(request=request_serializer, responses=ApplicationSerializer)


class SubmitView(ApplicationActionView):
    """Send the application for review; refused (422) with every reason if the rules do."""

    throttle_scope = "submission"

    @action_schema()
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, request, application, data):
        services.application_submit(application, actor=request.user)


class WithdrawView(ApplicationActionView):
    """Withdraw the application, any time before it is approved."""

    @action_schema()
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, request, application, data):
        services.application_withdraw(application, actor=request.user)


class ConfirmNoticeView(ApplicationActionView):
    """Confirm in writing, by typing the full name, that the pension notice was read."""

    request_serializer = ConfirmNoticeSerializer

    @action_schema(ConfirmNoticeSerializer)
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, request, application, data):
        services.application_confirm_notice(
            application, actor=request.user, full_name=data["full_name"]
        )


# --- staff ---------------------------------------------------------------------------------


class ReviewQueueView(generics.ListAPIView):
    """Claims waiting for staff, oldest submission first."""

    serializer_class = QueueItemSerializer

    def get_queryset(self):
        if not selectors.is_staff_with(self.request.user, selectors.APPLICATION_STAFF_PERMS):
            raise exceptions.PermissionDenied(_("Only review staff see the queue."))
        return selectors.review_queue()


class VerifyDeathView(ApplicationActionView):
    """Record the verified death on the cardholder (reviewers)."""

    staff_action = True

    request_serializer = VerifyDeathSerializer

    @action_schema(VerifyDeathSerializer)
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, request, application, data):
        services.cardholder_verify_death(
            application,
            actor=request.user,
            date_of_death=data["date_of_death"],
            certificate_number=data["certificate_number"],
            ip_address=client_ip(request),
            reuse_override_reason=data.get("reuse_override_reason", ""),
            correction_reason=data.get("correction_reason", ""),
        )


class VerifyEmigrationView(ApplicationActionView):
    """Record the verified emigration on the cardholder (reviewers)."""

    staff_action = True

    request_serializer = VerifyEmigrationSerializer

    @action_schema(VerifyEmigrationSerializer)
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, request, application, data):
        services.cardholder_verify_emigration(
            application,
            actor=request.user,
            date=data["date"],
            country=data["country"],
            certificate_number=data["certificate_number"],
            nationality_given_up=data["nationality_given_up"],
            ip_address=client_ip(request),
            reuse_override_reason=data.get("reuse_override_reason", ""),
            correction_reason=data.get("correction_reason", ""),
        )


class RequestDocumentsView(ApplicationActionView):
    """Ask the applicant for more or better documents, with a message (reviewers)."""

    staff_action = True

    request_serializer = RequestDocumentsSerializer

    @action_schema(RequestDocumentsSerializer)
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, request, application, data):
        services.application_request_documents(
            application, actor=request.user, message=data["message"], ip_address=client_ip(request)
        )


class ApproveView(ApplicationActionView):
    """Approve and pay out, exactly once (approvers; not the person who verified or
    reviewed it). Approving again changes nothing and answers 409 already_decided."""

    staff_action = True

    @action_schema()
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, request, application, data):
        services.application_approve(application, actor=request.user, ip_address=client_ip(request))


class RejectView(ApplicationActionView):
    """Reject with a reason the applicant sees (reviewers). Nothing moves."""

    staff_action = True

    request_serializer = RejectSerializer

    @action_schema(RejectSerializer)
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, request, application, data):
        services.application_reject(
            application, actor=request.user, reason=data["reason"], ip_address=client_ip(request)
        )


# --- staff facts, claims about me, the applicant's identity ----------------------------------


STAFF_READER_PERMS = (*selectors.APPLICATION_STAFF_PERMS, "withdrawals.verify_life_event")


def staff_reader(user, application):
    """Whether `user` reads `application` as staff (never on their own claim)."""
    return (
        user is not None
        and application.applicant_id != getattr(user, "pk", None)
        and selectors.is_staff_with(user, STAFF_READER_PERMS)
    )


def staff_facts(application):
    """What staff see beside the applicant's view: the contest, the identity check,
    re-used certificates."""
    return {
        "contest": {
            "contested": application.contested_at is not None,
            "at": application.contested_at,
            "held_from": application.contested_from,
            "note": application.contest_note,
        },
        "applicant_identity_verified": application.applicant_verified_by_id is not None,
        "applicant_verified_at": application.applicant_verified_at,
        "verified_by": getattr(application.verified_by, "username", None),
        "certificate_reuses": [
            {
                "kind": reuse.kind,
                "number": reuse.number,
                "application": reuse.application.reference,
                "accepted": reuse.overridden_by_id is not None,
                "reason": reuse.override_reason,
            }
            for reuse in selectors.certificate_reuses(application)
        ],
    }


class ClaimsAboutMeView(generics.ListAPIView):
    """Every application naming the caller as the cardholder (a death claim by someone
    else): reference, reason, status, submission time, the applicant masked."""

    serializer_class = ClaimAboutMeSerializer
    pagination_class = None

    def get_queryset(self):
        return claims_about_me.claims_about_me(self.request.user)

    def list(self, request, *args, **kwargs):
        rows = [claims_about_me.claim_row(a) for a in self.get_queryset()]
        return Response(ClaimAboutMeSerializer(rows, many=True).data)


class ClaimContestView(APIView):
    """ "I am alive — this is not my death": the claim goes on hold for staff (200 with
    the status ``contested``; again changes nothing)."""

    throttle_scope = "submission"

    @extend_schema(request=ContestSerializer, responses=ClaimAboutMeSerializer)
    def post(self, request, pk):
        application = claims_about_me.claim_about_me_get(request.user, pk)
        serializer = ContestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claims_about_me.claim_contest(
            application,
            actor=request.user,
            note=serializer.validated_data.get("note", ""),
            ip_address=client_ip(request),
        )
        application = claims_about_me.claim_about_me_get(request.user, pk)
        return Response(ClaimAboutMeSerializer(claims_about_me.claim_row(application)).data)


class VerifyApplicantView(ApplicationActionView):
    """Record that the applicant's identity document matches the identity they
    registered with (reviewers). Needed before approval."""

    staff_action = True
    request_serializer = VerifyApplicantSerializer

    @action_schema(VerifyApplicantSerializer)
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, request, application, data):
        if data.get("national_id"):
            heir_services.heir_verify_identity(
                application,
                actor=request.user,
                national_id=data["national_id"],
                ip_address=client_ip(request),
            )
            return
        services.application_verify_applicant(
            application, actor=request.user, ip_address=client_ip(request)
        )


class ResolveContestView(ApplicationActionView):
    """Resolve a contested claim with a reason: back where it was, or rejected (reviewers)."""

    staff_action = True
    request_serializer = ResolveContestSerializer

    @action_schema(ResolveContestSerializer)
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, request, application, data):
        claims_about_me.claim_contest_resolve(
            application,
            actor=request.user,
            outcome=data["outcome"],
            reason=data["reason"],
            ip_address=client_ip(request),
        )
