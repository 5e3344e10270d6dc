"""Whatever is typed or sent — amounts, ID numbers, dates, bank numbers, free text with
control characters, huge strings — every form and API body answers without a server
error. Hypothesis draws the values; a bounded number of examples keeps it quick."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.models import InstitutionAPIKey
from tests.api.conftest import staff_with_role
from tests.conftest import otp_login
from tests.factories import (
    CardholderFactory,
    InstitutionFactory,
    UserFactory,
    WithdrawalApplicationFactory,
    fund,
)

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\u202e11010519491231002X",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "NaN",
        "Infinity",
        "-0",
        "1e999",
        "9" * 40,
        "0.001",
        "-12.50",
        "12,50",
        "１２．５０",
        "2025-02-30",
        "0000-00-00",
        "9999-12-31",
        "11010519491231002x",
        "110105194912310020",
        "x" * 5000,
        "\r\n\t\x0b\x0c\x1b",
        "😀" * 50,
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=200), st.text(min_size=1000, max_size=3000))
AMOUNT = st.one_of(
    NASTY,
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
    st.floats().map(repr),
)
DATE = st.one_of(NASTY, st.dates().map(str), st.text(max_size=12))
ID = st.one_of(
    NASTY, st.from_regex(r"\A[0-9]{17}[0-9Xx]\Z"), st.text(alphabet="0123456789Xx ", max_size=25)
)
VALUE = st.one_of(TEXT, AMOUNT, DATE, ID, st.lists(st.text(max_size=10), max_size=3))


@pytest.fixture(autouse=True)
def _no_throttles(settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = dict.fromkeys(rest["DEFAULT_THROTTLE_RATES"], "100000/minute")
    settings.REST_FRAMEWORK = rest
    settings.AXES_FAILURE_LIMIT = 100000
    settings.SSCARD_LOGIN_ADDRESS_FAILURE_RATE = "100000/hour"
    settings.SSCARD_REGISTER_ADDRESS_RATE = "100000/hour"
    settings.SSCARD_REGISTER_ID_RATE = "100000/hour"


@pytest.fixture
def people():
    holder = CardholderFactory(user=UserFactory(), life_status="emigrated")
    fund(holder, "medical", "100.00")
    fund(holder, "pension", "100.00")
    application = WithdrawalApplicationFactory(
        cardholder=holder, applicant=holder.user, reason="emigration", relationship="self"
    )
    heir = UserFactory()
    reviewer = staff_with_role("fz_reviewer", "reviewer")
    approver = staff_with_role("fz_approver", "approver")
    _obj, key = InstitutionAPIKey.objects.create_key(name="t", institution=InstitutionFactory())
    return {
        "holder": holder,
        "application": application,
        "heir": heir,
        "reviewer": reviewer,
        "approver": approver,
        "key": key,
    }


def no_server_error(response, what):
    assert response.status_code < 500, f"{what}: {response.status_code}"


# --- pages -------------------------------------------------------------------------------

PAGE_FORMS = {
    "/login/": ["username", "password"],
    "/register/cardholder/": [
        "national_id",
        "name",
        "card_number",
        "email",
        "password1",
        "password2",
    ],
    "/register/heir/": ["national_id", "name", "email", "password1", "password2"],
    "/password-reset/": ["email"],
}
OWNER_FORMS = {
    "/withdrawals/check/": ["reason", "national_id", "name", "card_number", "relationship"],
    "/withdrawals/new/": ["national_id", "name", "card_number", "relationship"],
    "/withdrawals/new/emigration/": ["schemes", "bank_name", "bank_account_holder"],
    "/withdrawals/new/details/": [
        "relationship",
        "schemes",
        "bank_name",
        "bank_account_holder",
        "bank_account_number",
    ],
    "/withdrawals/{pk}/bank/": ["bank_name", "bank_account_holder", "bank_account_number"],
    "/withdrawals/{pk}/notice/": ["full_name", "confirm", "nationality_given_up"],
    "/withdrawals/{pk}/documents/upload/": ["kind"],
    "/card/report-lost/": ["confirm"],
    "/password/": ["old_password", "new_password1", "new_password2"],
}
OWNER_QUERIES = {
    "/contributions/": ["scheme", "year"],
    "/accounts/{account}/": ["year", "kind", "cursor"],
    "/withdrawals/": ["page"],
}


@EXAMPLES
@given(data=st.data())
def test_public_forms(client, data):
    for url, fields in PAGE_FORMS.items():
        body = {field: data.draw(VALUE, label=f"{url} {field}") for field in fields}
        no_server_error(client.post(url, body), url)


@EXAMPLES
@given(data=st.data())
def test_cardholder_forms_and_filters(client, people, data):
    holder = people["holder"]
    client.force_login(holder.user)
    names = {
        "pk": people["application"].pk,
        "account": holder.accounts.filter(kind="personal").first().pk,
    }
    for url, fields in OWNER_FORMS.items():
        body = {field: data.draw(VALUE, label=f"{url} {field}") for field in fields}
        no_server_error(client.post(url.format(**names), body), url)
    for url, fields in OWNER_QUERIES.items():
        query = {field: data.draw(TEXT, label=f"{url} {field}") for field in fields}
        no_server_error(client.get(url.format(**names), query), url)
    year = data.draw(st.integers(min_value=-10, max_value=10**12), label="year")
    no_server_error(client.get(f"/statement/{year}/"), "statement")


@EXAMPLES
@given(data=st.data())
def test_staff_admin_actions(client, people, data):
    otp_login(client, people["reviewer"])
    pk = people["application"].pk
    for action, fields in {
        "verify_death": [
            "verify_death-date_of_death",
            "verify_death-certificate_number",
            "verify_death-reuse_override_reason",
        ],
        "verify_emigration": ["verify_emigration-date", "verify_emigration-certificate_number"],
        "reject": ["reject-reason"],
        "request_documents": ["request_documents-message"],
        "verify_applicant": [],
        "resolve_contest": ["resolve_contest-outcome", "resolve_contest-reason"],
    }.items():
        body = {field: data.draw(VALUE, label=f"{action} {field}") for field in fields}
        url = f"/admin/withdrawals/withdrawalapplication/{pk}/action/{action}/"
        no_server_error(client.post(url, body), url)
    query = {"q": data.draw(TEXT, label="search"), "status": data.draw(TEXT, label="status")}
    no_server_error(client.get("/admin/withdrawals/withdrawalapplication/", query), "search")


# --- API -------------------------------------------------------------------------------------


def json_body(data, fields, strategy=VALUE):
    return {field: data.draw(strategy, label=field) for field in fields}


@EXAMPLES
@given(data=st.data())
def test_api_bodies(people, data):
    holder, pk = people["holder"], people["application"].pk
    anonymous = APIClient()
    no_server_error(
        anonymous.post(
            "/api/v1/auth/token/",
            json_body(data, ["username", "password", "otp_token"]),
            format="json",
        ),
        "token",
    )
    owner = APIClient()
    owner.force_authenticate(holder.user)
    heir = APIClient()
    heir.force_authenticate(people["heir"])
    block = json_body(data, ["national_id", "name", "card_number"], st.one_of(ID, TEXT))
    for client in (owner, heir):
        body = json_body(
            data,
            ["reason", "relationship", "bank_name", "bank_account_holder", "bank_account_number"],
        )
        body["cardholder"] = data.draw(st.one_of(st.just(block), VALUE), label="cardholder")
        body["accounts"] = data.draw(VALUE, label="accounts")
        no_server_error(client.post("/api/v1/withdrawals/", body, format="json"), "create")
        no_server_error(client.post("/api/v1/eligibility/", body, format="json"), "eligibility")
    no_server_error(
        owner.post(
            f"/api/v1/withdrawals/{pk}/confirm-notice/",
            json_body(data, ["full_name"]),
            format="json",
        ),
        "notice",
    )
    query = json_body(data, ["year", "kind", "cursor", "page_size"], TEXT)
    account = holder.accounts.filter(kind="personal").first().pk
    no_server_error(owner.get(f"/api/v1/accounts/{account}/transactions/", query), "history")
    no_server_error(
        owner.get("/api/v1/contributions/", json_body(data, ["scheme", "year"], TEXT)),
        "contributions",
    )

    institution = APIClient()
    institution.credentials(HTTP_AUTHORIZATION=f"Api-Key {people['key']}")
    body = json_body(data, ["card_number", "amount", "description"])
    key = data.draw(
        st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=300),
        label="key",
    )
    no_server_error(
        institution.post("/api/v1/settlements/", body, format="json", HTTP_IDEMPOTENCY_KEY=key),
        "settlement",
    )

    reviewer = APIClient()
    reviewer.force_authenticate(people["reviewer"])
    for action, fields in {
        "verify-death": ["date_of_death", "certificate_number"],
        "verify-emigration": ["date", "certificate_number", "nationality_given_up"],
        "request-documents": ["message"],
        "reject": ["reason"],
        "verify-applicant": [],
        "resolve-contest": ["outcome", "reason"],
    }.items():
        url = f"/api/v1/withdrawals/{pk}/{action}/"
        no_server_error(reviewer.post(url, json_body(data, fields), format="json"), url)


@EXAMPLES
@given(data=st.data())
def test_contest_bodies(client, people, data):
    """The person a claim names answers it: any note, by the API and the page."""
    holder = people["holder"]
    claim = WithdrawalApplicationFactory(
        cardholder=holder, applicant=people["heir"], reason="death", status="submitted"
    )
    api = APIClient()
    api.force_authenticate(holder.user)
    note = data.draw(VALUE, label="note")
    url = f"/api/v1/me/claims-about-me/{claim.pk}/contest/"
    no_server_error(api.post(url, {"note": note}, format="json"), url)
    no_server_error(api.get("/api/v1/me/claims-about-me/"), "claims about me")
    client.force_login(holder.user)
    page = f"/withdrawals/about-me/{claim.pk}/contest/"
    no_server_error(client.post(page, {"note": data.draw(VALUE, label="page note")}), page)


@EXAMPLES
@given(
    raw=st.binary(max_size=2000),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "text/plain",
            "multipart/form-data",
        ]
    ),
)
def test_api_survives_garbage_bodies(people, raw, content_type):
    client = APIClient()
    client.force_authenticate(people["holder"].user)
    for url in ("/api/v1/withdrawals/", "/api/v1/eligibility/", "/api/v1/auth/token/"):
        response = client.generic("POST", url, raw, content_type=content_type)
        no_server_error(response, url)


@pytest.mark.parametrize("query", ["?status=%00", "?q=a%00b", "?%00=1", "?year=2025%00"])
def test_a_nul_in_the_address_is_a_bad_request(client, people, query):
    otp_login(client, people["reviewer"])
    for url in ("/admin/withdrawals/withdrawalapplication/", "/contributions/", "/login/"):
        assert client.get(url + query).status_code == 400


# --- bodies that used to be server errors ------------------------------------------------


def nested(depth):
    return ("[" * depth + "]" * depth).encode()


def test_json_nested_5000_deep_is_a_400_with_a_code_anonymously_too(people):
    from tests.security.test_permission_matrix import ROUTES

    anonymous = APIClient()
    owner = APIClient()
    owner.force_authenticate(people["holder"].user)
    institution = APIClient()
    institution.credentials(HTTP_AUTHORIZATION=f"Api-Key {people['key']}")
    pk = people["application"].pk
    body = nested(5000)
    answered = 0
    for _name, path, params in ROUTES:
        if not path.startswith("api/v1/"):
            continue
        url = "/" + path
        for param in params:
            url = url.replace(f"<int:{param}>", str(pk))
        for client in (anonymous, owner, institution):
            response = client.generic(
                "POST", url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="deep"
            )
            assert response.status_code < 500, (url, response.status_code)
            if response.status_code == 400:
                assert response.json()["code"] in {"invalid_json", "invalid_idempotency_key"}
                answered += 1
    assert answered  # some endpoints did read the body
    response = anonymous.generic(
        "POST", "/api/v1/auth/token/", body, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_json"
    response = owner.generic("POST", "/api/v1/withdrawals/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_json"


@pytest.mark.parametrize("length", [188, 199, 200])
def test_long_documented_idempotency_keys_are_no_server_error(people, length):
    holder = people["holder"]
    holder.__class__.objects.filter(pk=holder.pk).update(life_status="living")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {people['key']}")
    response = client.post(
        "/api/v1/settlements/",
        {"card_number": holder.card_number, "amount": "1.00"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="x" * length,
    )
    assert response.status_code == 201, response.content
