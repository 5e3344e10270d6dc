"""The record correction endpoints of the REST API (mounted under /api/v1/)."""

from django.urls import path

from corrections import api

urlpatterns = [
    path(
        "me/record/corrections/",
        api.CorrectionListView.as_view(),
        name="record-corrections",
    ),
    path(
        "me/record/corrections/<int:pk>/",
        api.CorrectionDetailView.as_view(),
        name="record-correction-detail",
    ),
]
