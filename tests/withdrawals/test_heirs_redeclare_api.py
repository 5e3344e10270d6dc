"""The lead heir changes the heirs of a draft death claim over the API
(`PUT /api/v1/withdrawals/<id>/heirs/`): the new heirs replace the old, the rules refuse
before anything changes, and a co-heir who confirmed other shares confirms again."""

import pytest

from tests.api.conftest import client_for
from tests.factories import UserFactory
from tests.withdrawals.test_heirs_claim import (
    HALVES,
    LI_MEI_ID,
    LI_NA_ID,
    LI_WEI_ID,
    V1,
    Family,
    claim,
    heirs,
    join,
    upload,
)
from withdrawals.models import Heir

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def family():
    return Family()


THIRDS = heirs(
    (LI_NA_ID, "Li Na", "spouse", "1/3"),
    (LI_WEI_ID, "Li Wei", "child", "1/3"),
    (LI_MEI_ID, "Li Mei", "child", "1/3"),
)


def declare(family, pk, declared, who="li_na", **extra):
    return family.client(who).put(
        f"{V1}/withdrawals/{pk}/heirs/", {"heirs": declared, **extra}, format="json"
    )


def shares(body):
    return [(h["name"], h["relationship"], h["share"], h["joined"]) for h in body["heirs"]]


def test_declaring_again_replaces_the_heirs_and_their_shares(family):
    pk = claim(family).json()["id"]

    response = declare(family, pk, THIRDS, claims_survivor_benefits=True)

    assert response.status_code == 200, response.json()
    assert shares(response.json()) == [
        ("Li Na", "spouse", "1/3", True),
        ("Li Wei", "child", "1/3", False),
        ("Li Mei", "child", "1/3", False),
    ]
    assert response.json()["survivor_benefits"]["status"] == "pending"
    assert Heir.objects.filter(application_id=pk).count() == 3
    assert LI_MEI_ID not in str(response.json())


def test_a_co_heir_who_confirmed_other_shares_is_asked_again(family):
    pk = claim(family).json()["id"]
    assert join(family, pk).status_code == 200

    same = declare(family, pk, HALVES)
    assert shares(same.json())[1] == ("Li Wei", "child", "1/2", True)

    changed = declare(family, pk, THIRDS)
    assert shares(changed.json())[1] == ("Li Wei", "child", "1/3", False)
    invitation = family.client("li_wei").get(f"{V1}/withdrawals/invitations/").json()[0]
    assert (invitation["my_share"], invitation["joined"]) == ("1/3", False)


def test_a_refused_declaration_names_heirs_and_changes_nothing(family):
    pk = claim(family).json()["id"]
    wrong = heirs((LI_NA_ID, "Li Na", "spouse", "1/2"), (LI_WEI_ID, "Li Wei", "child", "1/3"))

    response = declare(family, pk, wrong)

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "shares_not_whole"
    assert "heirs" in response.json()["fields"]
    kept = family.client("li_na").get(f"{V1}/withdrawals/{pk}/").json()
    assert [h["share"] for h in kept["heirs"]] == ["1/2", "1/2"]


@pytest.mark.parametrize("body, field", [({}, "heirs"), ({"heirs": []}, "heirs")])
def test_a_body_without_heirs_is_a_400_naming_the_field(family, body, field):
    pk = claim(family).json()["id"]
    response = family.client("li_na").put(f"{V1}/withdrawals/{pk}/heirs/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_only_the_lead_heir_changes_the_heirs(family):
    pk = claim(family).json()["id"]

    by_co_heir = declare(family, pk, THIRDS, who="li_wei")
    stranger = UserFactory(username="stranger")
    by_stranger = client_for(stranger).put(
        f"{V1}/withdrawals/{pk}/heirs/", {"heirs": THIRDS}, format="json"
    )

    assert by_co_heir.status_code == 404  # a co-heir follows the claim from the invitations
    assert by_stranger.status_code == 404
    assert Heir.objects.filter(application_id=pk).count() == 2


def test_a_submitted_claim_keeps_its_heirs(family, django_capture_on_commit_callbacks):
    pk = claim(family).json()["id"]
    for kind in ("death_certificate", "heirship_proof", "applicant_id", "heirs_agreement"):
        upload(family.client("li_na"), pk, kind)
    with django_capture_on_commit_callbacks(execute=True):
        assert family.client("li_na").post(f"{V1}/withdrawals/{pk}/submit/").status_code == 200

    response = declare(family, pk, THIRDS)

    assert response.status_code == 409, response.json()
    assert Heir.objects.filter(application_id=pk).count() == 2
