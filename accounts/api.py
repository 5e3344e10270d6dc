"""REST endpoints of the accounts app: login tokens, the card, balances, history,
contributions and medical settlements. Thin: parse, call a selector or service,
shape the answer."""

from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import extensions, read_models, selectors, services, staff_otp
from accounts.authentication import InstitutionKeyAuthentication
from accounts.exceptions import DomainError
from accounts.models import InstitutionAPIKey, Settlement
from accounts.serializers import (
    AccountSerializer,
    ContributionQuerySerializer,
    ContributionSerializer,
    HistoryQuerySerializer,
    MeSerializer,
    SettlementRequestSerializer,
    SettlementSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    TransactionPageSerializer,
)
from core.api import error_body
from sscard.security import is_locked_out, lockout_response

# --- authentication ---------------------------------------------------------------


class TokenView(generics.GenericAPIView):
    """Exchange a username (the national ID for cardholders and heirs) and password
    for a token, sent afterwards as ``Authorization: Token <token>``."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    serializer_class = TokenRequestSerializer
    throttle_scope = "token"

    @extend_schema(responses={200: TokenSerializer}, auth=[])
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if is_locked_out(request):
                return lockout_response(request)
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        # A token is a login: recorded like one (last login, axes' access log).
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        device = serializer.validated_data.get("device")
        if device is not None:
            token = staff_otp.staff_token_issue(user, device)
        else:
            token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


# --- the caller ---------------------------------------------------------------------


class MeView(APIView):
    """The logged-in user and, for a cardholder, their card."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        cardholder = selectors.cardholder_for_user(request.user)
        data = MeSerializer({"user": request.user, "cardholder": cardholder}).data
        return Response(data)


class AccountListView(generics.ListAPIView):
    """The caller's own accounts: personal and pooled, per scheme."""

    serializer_class = AccountSerializer

    def get_queryset(self):
        # A handful of rows in one query (with the claims that hold them, when a claims
        # app provides the read), as a list the paginator counts in memory.
        return extensions.own_account_rows(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        # The serializer reads plain dicts (see AccountSerializer.to_representation).
        rows = [vars(row) for row in page]
        return self.get_paginated_response(AccountSerializer(rows, many=True).data)


class TransactionListView(APIView):
    """One page of an account's entries, newest first. Follow ``next`` (or pass
    ``cursor=next_cursor``) for the following page; filters stay as given."""

    @extend_schema(
        parameters=[
            HistoryQuerySerializer,
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
        ],
        responses=TransactionPageSerializer,
    )
    def get(self, request, pk):
        # The cardholder's own account: kept while the account is unchanged, as the
        # history page is (accounts.read_models); entries never change once posted.
        state = read_models.kept_state(request, pk)
        if state is None:
            return Response(self._page(request, pk))
        data = read_models.cached_data(
            request,
            name=f"transactions:{pk}",
            state=state,
            build=lambda: self._page(request, pk),
            modules=(__name__, "accounts.serializers", "accounts.selectors"),
        )
        return Response(data)

    def _page(self, request, pk):
        account = selectors.account_get_for_user(request.user, pk)
        query = HistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        page = selectors.account_history(
            account,
            cursor=params.get("cursor") or None,
            year=params.get("year"),
            kind=params.get("kind"),
            limit=params.get("page_size", 20),
        )
        next_url = None
        if page.next_cursor:
            next_url = request.build_absolute_uri(
                request.path
                + "?"
                + _query_with(request.query_params, cursor=page.next_cursor).urlencode()
            )
        results = [
            {
                "id": entry.id,
                "posted_at": entry.posted_at,
                "kind": entry.kind,
                "amount": entry.amount,
                "balance_after": entry.balance_after,
                "description": selectors.describe_entry(entry),
            }
            for entry in page.entries
        ]
        return dict(
            TransactionPageSerializer(
                {"next": next_url, "next_cursor": page.next_cursor, "results": results}
            ).data
        )


def _query_with(params, **changes):
    query = params.copy()
    for key, value in changes.items():
        query[key] = value
    return query


class ContributionListView(generics.ListAPIView):
    """The caller's monthly contributions, newest month first."""

    serializer_class = ContributionSerializer

    @extend_schema(parameters=[ContributionQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = ContributionQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        cardholder = selectors.cardholder_for_user(self.request.user)
        if cardholder is None:
            return []
        return selectors.contribution_history(
            cardholder,
            scheme=query.validated_data.get("scheme"),
            year=query.validated_data.get("year"),
        )


# --- medical settlements ---------------------------------------------------------------


class IsInstitution(permissions.BasePermission):
    message = _("Only a medical institution's API key may settle purchases.")

    def has_permission(self, request, view):
        return isinstance(request.auth, InstitutionAPIKey)


IDEMPOTENCY_HEADER = "Idempotency-Key"


class SettlementCreateView(generics.GenericAPIView):
    """A purchase at a hospital or pharmacy, paid from the cardholder's personal
    medical account. Send a fresh ``Idempotency-Key`` per purchase; repeating the same
    key with the same body returns the same 201 response and moves nothing again; the
    same key with another body is refused with 409."""

    authentication_classes = [InstitutionKeyAuthentication]
    permission_classes = [IsInstitution]
    serializer_class = SettlementRequestSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="1 to 200 characters, unique per purchase for this institution.",
            )
        ],
        responses={201: SettlementSerializer},
    )
    def post(self, request):
        key = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
        if not key or len(key) > 200:
            message = _("An Idempotency-Key header of 1 to 200 characters is required.")
            return Response(
                error_body("invalid_idempotency_key", message, {IDEMPOTENCY_HEADER: [message]}),
                status=status.HTTP_400_BAD_REQUEST,
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            settlement, _created = services.settlement_create(
                institution=request.auth.institution,
                card_number=data["card_number"],
                amount=data["amount"],
                description=data.get("description", ""),
                idempotency_key=key,
            )
        except DomainError as exc:
            if exc.field == "idempotency_key":
                exc.field = IDEMPOTENCY_HEADER
            raise
        settlement = Settlement.objects.select_related("institution", "cardholder").get(
            pk=settlement.pk
        )
        # A replay answers exactly as the first request did.
        return Response(SettlementSerializer(settlement).data, status=status.HTTP_201_CREATED)
