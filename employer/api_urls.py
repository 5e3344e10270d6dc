"""The employer login's endpoints of the REST API (mounted under /api/v1/)."""

from django.urls import path

from employer import api

urlpatterns = [
    path(
        "employer/injuries/",
        api.EmployerRecognitionListView.as_view(),
        name="employer-injuries",
    ),
    path(
        "employer/injuries/<int:pk>/",
        api.EmployerRecognitionDetailView.as_view(),
        name="employer-injury",
    ),
    path(
        "employer/injuries/<int:pk>/documents/",
        api.EmployerRecognitionDocumentView.as_view(),
        name="employer-injury-documents",
    ),
    path(
        "employer/injuries/<int:pk>/submit/",
        api.EmployerRecognitionSubmitView.as_view(),
        name="employer-injury-submit",
    ),
]
