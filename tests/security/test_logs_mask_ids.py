"""No full national ID number reaches the logs: a realistic run (logins, a failed login,
a settlement through the API, a withdrawal draft) logged at DEBUG through the project's
configured formatter leaves only masked numbers."""

import io
import logging
import re

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import InstitutionAPIKey
from tests.factories import PASSWORD, CardholderFactory, InstitutionFactory, UserFactory, fund

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


@pytest.fixture
def configured_log():
    """Everything logged, at DEBUG, through the formatter settings.LOGGING configures."""
    spec = settings.LOGGING["formatters"]["plain"]
    factory = spec["()"]
    if isinstance(factory, str):
        from django.utils.module_loading import import_string

        factory = import_string(factory)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(factory(fmt=spec["format"]))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    previous = root.level
    quiet = {name: logging.getLogger(name).level for name in ("django.db.backends",)}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in quiet:  # SQL would log ids in parameters at DEBUG; production keeps WARNING
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)


def test_a_full_run_logs_no_full_id_number(client, configured_log):
    holder = CardholderFactory(national_id="11010519491231002X", card_number="A10000009")
    holder.user = UserFactory(username=holder.national_id)
    holder.save(update_fields=["user"])
    fund(holder, "medical", "500.00")
    fund(holder, "pension", "900.00")
    heir = UserFactory(username="110105198503150019")

    # Logins with the ID number: a failure (typed with a lower-case x), then a success.
    client.post("/login/", {"username": holder.national_id.lower(), "password": "nope"})
    assert (
        client.post("/login/", {"username": holder.national_id, "password": PASSWORD}).status_code
        == 302
    )
    client.get("/")
    client.post("/logout/")
    APIClient().post(
        "/api/v1/auth/token/", {"username": heir.national_id, "password": PASSWORD}, format="json"
    )

    # A settlement through the API, and a refused one.
    pharmacy = InstitutionFactory()
    _obj, key = InstitutionAPIKey.objects.create_key(name="till", institution=pharmacy)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    body = {"card_number": holder.card_number, "amount": "12.50", "description": "aspirin"}
    assert (
        api.post("/api/v1/settlements/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code
        == 201
    )
    api.post(
        "/api/v1/settlements/",
        {**body, "amount": "99999.00"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k2",
    )

    # An heir's withdrawal draft naming the cardholder by ID number, and a wrong one.
    heir_api = APIClient()
    heir_api.force_authenticate(heir)
    draft = {
        "reason": "death",
        "relationship": "child",
        "cardholder": {
            "national_id": holder.national_id,
            "name": holder.name,
            "card_number": holder.card_number,
        },
        "bank_name": "Bank of Example",
        "bank_account_holder": "Heir Example",
        "bank_account_number": "6222020200112233445",
    }
    response = heir_api.post("/api/v1/withdrawals/", draft, format="json")
    assert response.status_code in (201, 422), response.content
    heir_api.post(
        "/api/v1/withdrawals/",
        {**draft, "cardholder": {**draft["cardholder"], "name": "Somebody Else"}},
        format="json",
    )
    # A page that 404s with the ID number in its address.
    client.get(f"/withdrawals/{holder.national_id}/")

    text = configured_log.getvalue()
    assert "AXES" in text  # the run was really logged (axes names the username it counts)
    assert FULL_ID.findall(text) == []
    assert holder.national_id not in text and heir.national_id not in text
    assert holder.national_id.lower() not in text


def test_the_run_log_scan_finds_a_full_number_and_ignores_look_alikes():
    from tests.conftest import full_id_numbers_in

    lines = [
        "INFO accounts login 110105********002X ok\n",
        "WARNING django.request Not Found: /cardholders/11010519491231002X/\n",
        "DEBUG job 123456789012345678 finished\n",  # 18 digits, not a valid ID number
    ]
    assert full_id_numbers_in(lines) == [(2, "110105********002X")]
