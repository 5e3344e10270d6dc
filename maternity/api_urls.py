"""The maternity app's endpoints of the REST API (mounted under /api/v1/)."""

from django.urls import path

from maternity import api

urlpatterns = [
    path("benefits/maternity/", api.MaternityClaimView.as_view(), name="maternity-claim"),
    path(
        "benefits/maternity/documents/",
        api.MaternityClaimDocumentView.as_view(),
        name="maternity-claim-documents",
    ),
    path(
        "benefits/maternity/submit/",
        api.MaternityClaimSubmitView.as_view(),
        name="maternity-claim-submit",
    ),
]
