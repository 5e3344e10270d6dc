"""The replacement card's endpoint of the REST API (mounted under /api/v1/)."""

from django.urls import path

from cards import api

urlpatterns = [
    path(
        "me/card/replacement/",
        api.MeCardReplacementView.as_view(),
        name="me-card-replacement",
    ),
]
