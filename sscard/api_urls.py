"""The REST API, versioned under /api/v1/, and its OpenAPI description."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Each app lists its own endpoints; the names stay in the v1 namespace (v1:token,
# v1:withdrawal-list, ...).
v1 = [
    path("", include("accounts.api_urls")),
    path("", include("withdrawals.api_urls")),
    path("", include("pensions.api_urls")),
    path("", include("benefits.api_urls")),
    path("", include("maternity.api_urls")),
    path("", include("workinjury.api_urls")),
    path("", include("cards.api_urls")),
    path("", include("corrections.api_urls")),
    path("", include("employer.api_urls")),
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
