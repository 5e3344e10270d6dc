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
]
