"""The pensions app's endpoints of the REST API (mounted under /api/v1/)."""

from django.urls import path

from pensions import api, living_check_api

urlpatterns = [
    path("pension/", api.PensionView.as_view(), name="pension"),
    path("pension/forecast/", api.ForecastView.as_view(), name="pension-forecast"),
    path(
        "pension/living-check/",
        living_check_api.LivingCheckView.as_view(),
        name="pension-living-check",
    ),
]
