"""The REST API, versioned under /api/v1/, and its OpenAPI description."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as accounts_api
from withdrawals import api as withdrawals_api

v1 = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("accounts/", accounts_api.AccountListView.as_view(), name="account-list"),
    path(
        "accounts/<int:pk>/transactions/",
        accounts_api.TransactionListView.as_view(),
        name="account-transactions",
    ),
    path("contributions/", accounts_api.ContributionListView.as_view(), name="contribution-list"),
    path("settlements/", accounts_api.SettlementCreateView.as_view(), name="settlement-create"),
    path("eligibility/", withdrawals_api.EligibilityView.as_view(), name="eligibility"),
    path(
        "withdrawals/",
        withdrawals_api.ApplicationListCreateView.as_view(),
        name="withdrawal-list",
    ),
    path(
        "withdrawals/<int:pk>/",
        withdrawals_api.ApplicationDetailView.as_view(),
        name="withdrawal-detail",
    ),
    path(
        "withdrawals/<int:pk>/documents/",
        withdrawals_api.DocumentUploadView.as_view(),
        name="withdrawal-documents",
    ),
    *[
        path(f"withdrawals/<int:pk>/{action}/", view.as_view(), name=f"withdrawal-{action}")
        for action, view in [
            ("submit", withdrawals_api.SubmitView),
            ("withdraw", withdrawals_api.WithdrawView),
            ("confirm-notice", withdrawals_api.ConfirmNoticeView),
            ("verify-death", withdrawals_api.VerifyDeathView),
            ("verify-emigration", withdrawals_api.VerifyEmigrationView),
            ("request-documents", withdrawals_api.RequestDocumentsView),
            ("approve", withdrawals_api.ApproveView),
            ("reject", withdrawals_api.RejectView),
            ("verify-applicant", withdrawals_api.VerifyApplicantView),
            ("resolve-contest", withdrawals_api.ResolveContestView),
        ]
    ],
    path(
        "me/claims-about-me/",
        withdrawals_api.ClaimsAboutMeView.as_view(),
        name="claims-about-me",
    ),
    path(
        "me/claims-about-me/<int:pk>/contest/",
        withdrawals_api.ClaimContestView.as_view(),
        name="claim-contest",
    ),
    path("review/queue/", withdrawals_api.ReviewQueueView.as_view(), name="review-queue"),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file (no inline script); the
    # Swagger UI page keeps one inline <style> block, allowed on this page only.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]
