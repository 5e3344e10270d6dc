"""Withdrawal claims over the API: the heir's and the emigrant's journeys, the staff
decisions, and who may read or change what."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Account, LedgerTransaction
from tests.factories import CardholderFactory, death_claim, fund, pdf_bytes
from withdrawals.models import WithdrawalApplication

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def bank(holder="Harry Heir"):
    return {
        "bank_name": "Bank of Example",
        # The applicant's own name: an heir's, or the emigrating cardholder's.
        "bank_account_holder": holder,
        "bank_account_number": "6222 0202 0011 2233 445",
    }


@pytest.fixture
def deceased(cast):
    card = CardholderFactory(name="Wang Fang")
    fund(card, "pension", "1000.00")
    fund(card, "medical", "200.00")
    return card


def block(card):
    return {"national_id": card.national_id, "name": card.name, "card_number": card.card_number}


def upload(client, application_id, kind):
    file = SimpleUploadedFile("scan.pdf", pdf_bytes(), content_type="application/pdf")
    return client.post(
        f"{V1}/withdrawals/{application_id}/documents/",
        {"kind": kind, "file": file},
        format="multipart",
    )


def test_heir_journey_from_draft_to_approved(cast, deceased, django_capture_on_commit_callbacks):
    harry = cast.client("harry")

    check = harry.post(
        f"{V1}/eligibility/",
        {"reason": "death", "cardholder": block(deceased), "relationship": "child"},
        format="json",
    )
    assert check.status_code == 200
    assert check.json()["allowed"] is True

    created = harry.post(
        f"{V1}/withdrawals/",
        {"reason": "death", "cardholder": block(deceased), "relationship": "child", **bank()},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft"
    assert body["reference"].startswith("WD-")
    assert sorted(body["accounts"]) == ["medical", "pension"]
    assert body["amount"] is None
    assert body["bank_account_number"] == "****3445"
    assert {r["document"] for r in body["reasons"]} == {
        "death_certificate",
        "heirship_proof",
        "applicant_id",
    }
    app_id = body["id"]

    early = harry.post(f"{V1}/withdrawals/{app_id}/submit/")
    assert early.status_code == 422
    assert early.json()["code"] == "not_eligible"
    assert {r["code"] for r in early.json()["reasons"]} == {"missing_document"}

    for kind in ("death_certificate", "heirship_proof", "applicant_id"):
        response = upload(harry, app_id, kind)
        assert response.status_code == 201, response.json()
        assert response.json()["kind"] == kind
        assert response.json()["finding"] == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        submitted = harry.post(f"{V1}/withdrawals/{app_id}/submit/")
    assert submitted.status_code == 200, submitted.json()

    detail = harry.get(f"{V1}/withdrawals/{app_id}/").json()
    assert detail["status"] == "awaiting_decision"
    assert all(doc["finding"] == "passed" for doc in detail["documents"])
    assert [event["new_status"] for event in detail["timeline"]][:2] == ["draft", "draft"]

    queue = cast.client("ruth").get(f"{V1}/review/queue/").json()
    assert [row["id"] for row in queue["results"]] == [app_id]

    verified = cast.client("ruth").post(
        f"{V1}/withdrawals/{app_id}/verify-death/",
        {"date_of_death": "2026-01-10", "certificate_number": "DC-2026-001"},
        format="json",
    )
    assert verified.status_code == 200, verified.json()
    checked = cast.client("ruth").post(f"{V1}/withdrawals/{app_id}/verify-applicant/")
    assert checked.status_code == 200, checked.json()

    # The reviewer who verified may not approve (and lacks the right anyway).
    assert cast.client("ruth").post(f"{V1}/withdrawals/{app_id}/approve/").status_code == 403
    assert cast.client("audrey").post(f"{V1}/withdrawals/{app_id}/approve/").status_code == 403

    approved = cast.client("amos").post(f"{V1}/withdrawals/{app_id}/approve/")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert approved.json()["amount"] == "1200.00"

    again = cast.client("amos").post(f"{V1}/withdrawals/{app_id}/approve/")
    assert again.status_code == 409
    assert again.json()["code"] == "already_decided"
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    pension = deceased.accounts.get(scheme="pension", kind=Account.Kind.PERSONAL)
    assert pension.balance == Decimal("0.00")
    assert pension.status == "closed"


def test_cardholder_applying_for_death_is_refused_with_the_rule(cast):
    response = cast.client("alice").post(
        f"{V1}/withdrawals/", {"reason": "death", "relationship": "self", **bank()}, format="json"
    )

    assert response.status_code == 422
    codes = {r["code"] for r in response.json()["reasons"]}
    assert "applicant_is_cardholder" in codes


def test_eligibility_explains_that_unemployment_does_not_qualify(cast):
    response = cast.client("alice").post(
        f"{V1}/eligibility/", {"reason": "unemployment"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is False
    assert body["rules_version"]
    reason = next(r for r in body["reasons"] if r["code"] == "reason_not_allowed")
    assert "Art. 14" in reason["legal_basis"]
    assert reason["message"]


def test_eligibility_for_a_pooled_only_scheme_says_why(cast):
    response = cast.client("alice").post(
        f"{V1}/eligibility/",
        {"reason": "emigration", "accounts": ["unemployment"]},
        format="json",
    )

    codes = {r["code"] for r in response.json()["reasons"]}
    assert "scheme_has_no_personal_account" in codes


def test_emigrant_confirms_the_notice(cast):
    created = cast.client("alice").post(
        f"{V1}/withdrawals/", {"reason": "emigration", **bank("Alice An")}, format="json"
    )
    assert created.status_code == 201, created.json()
    app_id = created.json()["id"]
    assert created.json()["needs_notice"] is True

    wrong = cast.client("alice").post(
        f"{V1}/withdrawals/{app_id}/confirm-notice/", {"full_name": "Someone Else"}, format="json"
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "name_mismatch"
    assert "full_name" in wrong.json()["fields"]

    right = cast.client("alice").post(
        f"{V1}/withdrawals/{app_id}/confirm-notice/", {"full_name": "Alice An"}, format="json"
    )
    assert right.status_code == 200
    assert right.json()["notice_confirmed_at"]


def test_wrong_identification_is_one_generic_answer(cast, deceased):
    harry = cast.client("harry")
    answers = []
    for change in ("national_id", "name", "card_number"):
        named = block(deceased) | {change: "11010519491231002X" if change == "national_id" else "x"}
        response = harry.post(
            f"{V1}/eligibility/", {"reason": "death", "cardholder": named}, format="json"
        )
        answers.append((response.status_code, response.json()["code"], response.json()["message"]))

    assert len(set(answers)) == 1
    assert answers[0][1] == "identification_failed"


def test_identification_is_throttled(cast, deceased, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        | {"identification": "2/hour"},
    }
    cache.clear()
    harry = cast.client("harry")
    body = {"reason": "death", "cardholder": block(deceased) | {"name": "nobody"}, **bank()}

    statuses = [
        harry.post(
            f"{V1}/withdrawals/", body | {"relationship": "child"}, format="json"
        ).status_code
        for _ in range(3)
    ]

    assert statuses == [400, 400, 429]
    assert harry.get(f"{V1}/withdrawals/").status_code == 200


def test_a_user_without_a_card_must_name_one(cast):
    response = cast.client("harry").post(
        f"{V1}/withdrawals/", {"reason": "emigration", **bank("Alice An")}, format="json"
    )

    assert response.status_code == 400
    assert "cardholder" in response.json()["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "bored"}, "reason"),
        ({"bank_account_number": "12"}, "bank_account_number"),
        ({"accounts": ["lottery"]}, "accounts.0"),
        ({"bank_name": ""}, "bank_name"),
    ],
)
def test_bad_create_bodies_name_the_field(cast, body, field):
    response = cast.client("alice").post(
        f"{V1}/withdrawals/", {"reason": "emigration", **bank("Alice An"), **body}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_wrong_file_is_refused_with_its_reason(cast):
    app_id = (
        cast.client("alice")
        .post(f"{V1}/withdrawals/", {"reason": "emigration", **bank("Alice An")}, format="json")
        .json()["id"]
    )
    fake = SimpleUploadedFile("evil.pdf", b"<html><script>x</script></html>", "application/pdf")

    response = cast.client("alice").post(
        f"{V1}/withdrawals/{app_id}/documents/",
        {"kind": "exit_certificate", "file": fake},
        format="multipart",
    )

    assert response.status_code == 400
    assert "file" in response.json()["fields"]


# --- the permission matrix -------------------------------------------------------------------

APPLICANT_ACTIONS = [
    ("get", "", None),
    ("post", "documents/", None),
    ("post", "submit/", None),
    ("post", "withdraw/", None),
    ("post", "confirm-notice/", {"full_name": "x"}),
]
STAFF_ACTIONS = [
    ("post", "verify-death/", {"date_of_death": "2026-01-10", "certificate_number": "D1"}),
    (
        "post",
        "verify-emigration/",
        {
            "date": "2026-01-10",
            "country": "NZ",
            "certificate_number": "E1",
            "nationality_given_up": True,
        },
    ),
    ("post", "request-documents/", {"message": "Please"}),
    ("post", "approve/", None),
    ("post", "reject/", {"reason": "No"}),
]


@pytest.fixture
def harrys_claim(cast, deceased):
    return death_claim(cardholder=deceased, heir=cast.harry, pension=None, medical=None)


def call(client, method, url, body):
    if method == "get":
        return client.get(url)
    if url.endswith("/documents/"):
        return client.post(url, {"kind": "other"}, format="multipart")
    return client.post(url, body or {}, format="json")


@pytest.mark.parametrize(("method", "action", "body"), APPLICANT_ACTIONS + STAFF_ACTIONS)
@pytest.mark.parametrize("who", ["alice", "bob"])
def test_other_cardholders_get_404_and_change_nothing(
    cast, harrys_claim, who, method, action, body
):
    before = WithdrawalApplication.objects.values().get(pk=harrys_claim.pk)

    response = call(cast.client(who), method, f"{V1}/withdrawals/{harrys_claim.pk}/{action}", body)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert WithdrawalApplication.objects.values().get(pk=harrys_claim.pk) == before


@pytest.mark.parametrize(("method", "action", "body"), APPLICANT_ACTIONS + STAFF_ACTIONS)
def test_anonymous_and_institutions_get_401(cast, harrys_claim, method, action, body):
    for who in ("anonymous", "institution"):
        response = call(
            cast.client(who), method, f"{V1}/withdrawals/{harrys_claim.pk}/{action}", body
        )
        assert response.status_code == 401, (who, action)


@pytest.mark.parametrize(("method", "action", "body"), STAFF_ACTIONS)
def test_the_applicant_cannot_decide_their_own_claim(cast, harrys_claim, method, action, body):
    before = WithdrawalApplication.objects.values().get(pk=harrys_claim.pk)

    response = call(
        cast.client("harry"), method, f"{V1}/withdrawals/{harrys_claim.pk}/{action}", body
    )

    assert response.status_code == 403
    assert WithdrawalApplication.objects.values().get(pk=harrys_claim.pk) == before


@pytest.mark.parametrize(("method", "action", "body"), APPLICANT_ACTIONS[1:])
@pytest.mark.parametrize("who", ["ruth", "amos", "audrey"])
def test_staff_cannot_act_as_the_applicant(cast, harrys_claim, who, method, action, body):
    before = WithdrawalApplication.objects.values().get(pk=harrys_claim.pk)

    response = call(cast.client(who), method, f"{V1}/withdrawals/{harrys_claim.pk}/{action}", body)

    assert response.status_code in (400, 403)
    assert WithdrawalApplication.objects.values().get(pk=harrys_claim.pk) == before


@pytest.mark.parametrize(("method", "action", "body"), STAFF_ACTIONS)
def test_the_auditor_reads_but_changes_nothing(cast, harrys_claim, method, action, body):
    auditor = cast.client("audrey")
    assert auditor.get(f"{V1}/withdrawals/{harrys_claim.pk}/").status_code == 200
    before = WithdrawalApplication.objects.values().get(pk=harrys_claim.pk)

    response = call(auditor, method, f"{V1}/withdrawals/{harrys_claim.pk}/{action}", body)

    assert response.status_code == 403
    assert WithdrawalApplication.objects.values().get(pk=harrys_claim.pk) == before


def test_lists_hold_only_my_applications(cast, harrys_claim):
    assert cast.client("harry").get(f"{V1}/withdrawals/").json()["count"] == 1
    assert cast.client("alice").get(f"{V1}/withdrawals/").json()["count"] == 0


@pytest.mark.parametrize("who", ["alice", "harry"])
def test_only_staff_see_the_queue(cast, who):
    assert cast.client(who).get(f"{V1}/review/queue/").status_code == 403


def test_money_in_applications_is_a_string(cast, harrys_claim):
    WithdrawalApplication.objects.filter(pk=harrys_claim.pk).update(amount=Decimal("1200.5"))

    body = cast.client("harry").get(f"{V1}/withdrawals/{harrys_claim.pk}/").json()

    assert body["amount"] == "1200.50"


def test_a_claimed_account_is_no_longer_withdrawable(cast, django_capture_on_commit_callbacks):
    app_id = (
        cast.client("alice")
        .post(
            f"{V1}/withdrawals/",
            {"reason": "emigration", "accounts": ["medical"], **bank("Alice An")},
            format="json",
        )
        .json()["id"]
    )
    for kind in ("exit_certificate", "applicant_id"):
        assert upload(cast.client("alice"), app_id, kind).status_code == 201
    assert cast.client("alice").post(f"{V1}/withdrawals/{app_id}/submit/").status_code == 200

    rows = cast.client("alice").get(f"{V1}/accounts/").json()["results"]

    by_key = {(row["scheme"], row["kind"]): row["withdrawable"] for row in rows}
    assert by_key[("medical", "personal")] is False
    assert by_key[("pension", "personal")] is True
