"""The withdrawals app's endpoints of the REST API (mounted under /api/v1/)."""

from django.urls import path

from withdrawals import api

urlpatterns = [
    path("eligibility/", api.EligibilityView.as_view(), name="eligibility"),
    path("withdrawals/", api.ApplicationListCreateView.as_view(), name="withdrawal-list"),
    path("withdrawals/invitations/", api.InvitationsView.as_view(), name="withdrawal-invitations"),
    path("withdrawals/<int:pk>/", api.ApplicationDetailView.as_view(), name="withdrawal-detail"),
    path("withdrawals/<int:pk>/join/", api.JoinView.as_view(), name="withdrawal-join"),
    path("withdrawals/<int:pk>/heirs/", api.HeirsDeclareView.as_view(), name="withdrawal-heirs"),
    path(
        "withdrawals/<int:pk>/documents/",
        api.DocumentUploadView.as_view(),
        name="withdrawal-documents",
    ),
    *[
        path(f"withdrawals/<int:pk>/{action}/", view.as_view(), name=f"withdrawal-{action}")
        for action, view in [
            ("submit", api.SubmitView),
            ("withdraw", api.WithdrawView),
            ("confirm-notice", api.ConfirmNoticeView),
            ("verify-death", api.VerifyDeathView),
            ("verify-emigration", api.VerifyEmigrationView),
            ("request-documents", api.RequestDocumentsView),
            ("approve", api.ApproveView),
            ("reject", api.RejectView),
            ("verify-applicant", api.VerifyApplicantView),
            ("resolve-contest", api.ResolveContestView),
        ]
    ],
    path("me/claims-about-me/", api.ClaimsAboutMeView.as_view(), name="claims-about-me"),
    path(
        "me/claims-about-me/<int:pk>/contest/",
        api.ClaimContestView.as_view(),
        name="claim-contest",
    ),
    path("review/queue/", api.ReviewQueueView.as_view(), name="review-queue"),
]
