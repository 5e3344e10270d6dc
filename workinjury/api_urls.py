"""The work-injury endpoints of the REST API (mounted under /api/v1/)."""

from django.urls import path

from workinjury import api

urlpatterns = [
    path("benefits/work-injury/", api.RecognitionView.as_view(), name="work-injury"),
    path(
        "benefits/work-injury/<int:pk>/submit/",
        api.RecognitionSubmitView.as_view(),
        name="work-injury-submit",
    ),
    path(
        "benefits/work-injury/<int:pk>/documents/",
        api.RecognitionDocumentView.as_view(),
        name="work-injury-documents",
    ),
    path(
        "benefits/work-injury/<int:pk>/appraisal/",
        api.AppraisalView.as_view(),
        name="work-injury-appraisal",
    ),
]
