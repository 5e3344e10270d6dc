"""The OpenAPI description: served, valid, with local docs, and true to the API.

Schemathesis generates requests from /api/schema/ for the read endpoints and the
withdrawal endpoints and checks every answer: never a 5xx, always matching the schema.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from sscard.wsgi import application
from tests.api.conftest import client_for, personal
from tests.factories import death_claim

pytestmark = pytest.mark.django_db


def test_schema_is_served_as_openapi_3(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/settlements/" in schema["paths"]
    settlement = schema["paths"]["/api/v1/settlements/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in settlement["parameters"])
    assert "institutionKey" in schema["components"]["securitySchemes"]


def test_docs_use_local_assets_only(db):
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    assert "/static/drf_spectacular_sidecar/" in html


READ_AND_WITHDRAWALS = r"^/api/v1/(me|accounts|contributions|eligibility|withdrawals|review)"


@pytest.fixture
def api_schema(cast, settings):
    # Rate limits would answer 429 to the generated traffic; they have their own tests.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(
            settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/minute"
        ),
    }
    # Requests go straight to the WSGI application: keep Django from closing the test's
    # database connection at the end of each one, as its own test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_api_answers_match_the_schema(cast, api_schema):
    claim = death_claim(heir=cast.harry)
    account = personal(cast.alice_card)
    tokens = {
        "alice": client_for(cast.alice)._credentials["HTTP_AUTHORIZATION"],
        "harry": client_for(cast.harry)._credentials["HTTP_AUTHORIZATION"],
    }
    operations = [
        result.ok()
        for result in api_schema.include(path_regex=READ_AND_WITHDRAWALS).get_all_operations()
    ]
    assert len(operations) >= 15
    seen = set()

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            withdrawals = case.path.startswith("/api/v1/withdrawals")
            if "{id}" in case.path and case.path_parameters.get("id", 0) % 2 == 0:
                # Half the time an object of the caller's, so more than 404 is exercised.
                case.path_parameters["id"] = claim.pk if withdrawals else account.pk
            response = case.call_and_validate(
                headers={"Authorization": tokens["harry" if withdrawals else "alice"]},
                checks=[not_a_server_error, response_schema_conformance],
            )
            seen.add((case.method.upper(), case.operation.path, response.status_code))

        check()

    # The generated traffic reached past the error paths.
    assert {("GET", "/api/v1/me/", 200), ("GET", "/api/v1/withdrawals/{id}/", 200)} <= seen
    assert any(status == 200 for method, path, status in seen if path == "/api/v1/eligibility/")
