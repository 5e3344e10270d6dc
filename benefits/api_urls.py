"""The benefits app's endpoints of the REST API (mounted under /api/v1/)."""

from django.urls import path

from benefits import api

urlpatterns = [
    path(
        "unemployment/registration/",
        api.RegistrationView.as_view(),
        name="unemployment-registration",
    ),
    path(
        "benefits/unemployment/eligibility/",
        api.EligibilityView.as_view(),
        name="unemployment-eligibility",
    ),
    path("benefits/unemployment/", api.UnemploymentClaimView.as_view(), name="unemployment"),
    *[
        path(f"benefits/unemployment/{action}/", view.as_view(), name=f"unemployment-{action}")
        for action, view in [
            ("documents", api.UnemploymentDocumentView),
            ("submit", api.UnemploymentSubmitView),
            ("withdraw", api.UnemploymentWithdrawView),
            ("reemployed", api.UnemploymentReemployedView),
        ]
    ],
]
