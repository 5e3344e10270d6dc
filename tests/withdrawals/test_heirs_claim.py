"""A death claim with several heirs over the API: the declaration and its refusals, one
claim per estate, co-heirs joining, approval by share (an insured heir's medical share
into their own account), survivor benefits from the pension fund, and the bank's files."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.audit import run_audit
from accounts.models import Account, LedgerTransaction, fund_code
from accounts.validators import generate_national_id
from tests.api.conftest import client_for, contribute, staff_with_role
from tests.factories import CardholderFactory, UserFactory, fund, pdf_bytes
from withdrawals import payout_files
from withdrawals.models import Heir, HeirPayout, SurvivorBenefitParameters, WithdrawalApplication

pytestmark = pytest.mark.django_db
V1 = "/api/v1"

LI_NA_ID = generate_national_id("110105", date(1960, 3, 1), 11, "F")
LI_WEI_ID = generate_national_id("110105", date(1988, 6, 1), 12, "M")
LI_MEI_ID = generate_national_id("110105", date(1990, 6, 1), 14, "F")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Family:
    """Wang Fang died; Li Na (spouse) applies, Li Wei (child, himself insured) joins."""

    def __init__(self):
        self.deceased = CardholderFactory(name="Wang Fang")
        contribute(self.deceased, months=3)
        fund(self.deceased, "pension", "1000.00")
        fund(self.deceased, "medical", "200.00")
        self.li_na = UserFactory(username=LI_NA_ID, first_name="Li Na")
        self.li_wei = UserFactory(username=LI_WEI_ID, first_name="Li Wei")
        self.li_wei_card = CardholderFactory(name="Li Wei", national_id=LI_WEI_ID)
        self.ruth = staff_with_role("ruth", "reviewer")
        self.amos = staff_with_role("amos", "approver")

    def client(self, who):
        return client_for(getattr(self, who))


@pytest.fixture
def family():
    return Family()


def block(card):
    return {"national_id": card.national_id, "name": card.name, "card_number": card.card_number}


def bank(holder):
    return {
        "bank_name": "Bank of Example",
        "bank_account_holder": holder,
        "bank_account_number": "6222 0202 0011 2233 445",
    }


def heirs(*rows):
    return [
        {"national_id": number, "name": name, "relationship": relationship, "share": share}
        for number, name, relationship, share in rows
    ]


HALVES = heirs((LI_NA_ID, "Li Na", "spouse", "1/2"), (LI_WEI_ID, "Li Wei", "child", "1/2"))


def claim(family, declared=HALVES, **extra):
    return family.client("li_na").post(
        f"{V1}/withdrawals/",
        {
            "reason": "death",
            "cardholder": block(family.deceased),
            "relationship": "spouse",
            **bank("Li Na"),
            "heirs": declared,
            **extra,
        },
        format="json",
    )


def upload(client, pk, kind):
    file = SimpleUploadedFile("scan.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(
        f"{V1}/withdrawals/{pk}/documents/", {"kind": kind, "file": file}, format="multipart"
    )
    assert response.status_code == 201, response.json()


def join(family, pk, who="li_wei", holder="Li Wei", **extra):
    return family.client(who).post(
        f"{V1}/withdrawals/{pk}/join/",
        {**bank(holder), "confirm_shares": True, **extra},
        format="json",
    )


def submitted(family, capture, pk):
    for kind in ("death_certificate", "heirship_proof", "applicant_id", "heirs_agreement"):
        upload(family.client("li_na"), pk, kind)
    with capture(execute=True):
        response = family.client("li_na").post(f"{V1}/withdrawals/{pk}/submit/")
    assert response.status_code == 200, response.json()
    ruth = family.client("ruth")
    verified = ruth.post(
        f"{V1}/withdrawals/{pk}/verify-death/",
        {"date_of_death": "2026-01-10", "certificate_number": "DC-2026-777"},
        format="json",
    )
    assert verified.status_code == 200, verified.json()


def survivor_figures(region="000000"):
    return SurvivorBenefitParameters.objects.create(
        region=region,
        effective_from=date(2025, 1, 1),
        monthly_disposable_income=Decimal("4000.00"),
        funeral_grant_months=2,
        base_months=2,
        threshold_years=15,
        months_per_further_year=1,
        max_months=20,
        source="DEMO: illustrative figures",
    )


# --- declaration --------------------------------------------------------------------------


def test_declared_heirs_and_shares_are_shown_with_the_national_id_masked(family):
    response = claim(family, claims_survivor_benefits=True)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(h["name"], h["relationship"], h["share"], h["joined"]) for h in body["heirs"]] == [
        ("Li Na", "spouse", "1/2", True),
        ("Li Wei", "child", "1/2", False),
    ]
    assert LI_WEI_ID not in str(body)
    assert body["heirs"][1]["masked_national_id"].endswith(LI_WEI_ID[-4:])
    assert body["heirs"][1]["payouts"] == []
    assert body["survivor_benefits"] == {
        "funeral_grant": None,
        "survivors_pension": None,
        "status": "pending",
    }
    stored = Heir.objects.get(relationship="child")
    assert stored.national_id == LI_WEI_ID  # decrypted on read, stored encrypted


@pytest.mark.parametrize(
    "declared, code",
    [
        (
            heirs((LI_NA_ID, "Li Na", "spouse", "1/2"), (LI_WEI_ID, "Li Wei", "child", "1/3")),
            "shares_not_whole",
        ),
        (
            heirs((LI_NA_ID, "Li Na", "spouse", "1/2"), (LI_NA_ID, "Li Na", "child", "1/2")),
            "heir_declared_twice",
        ),
        (
            heirs((LI_NA_ID, "Li Na", "spouse", "1/2"), (LI_MEI_ID, "Li Mei", "sibling", "1/2")),
            "second_order_beside_first",
        ),
        (heirs((LI_WEI_ID, "Li Wei", "child", "1")), "applicant_not_among_heirs"),
    ],
)
def test_a_declaration_the_law_refuses_is_a_400_naming_heirs_and_writes_nothing(
    family, declared, code
):
    response = claim(family, declared)

    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == code
    assert "heirs" in body["fields"]
    assert code in {r["code"] for r in body["reasons"]}
    assert all(r["legal_basis"].startswith("Civil Code") for r in body["reasons"])
    assert WithdrawalApplication.objects.count() == 0
    assert Heir.objects.count() == 0


def test_the_deceased_named_as_heir_is_refused(family):
    declared = heirs(
        (LI_NA_ID, "Li Na", "spouse", "1/2"),
        (family.deceased.national_id, "Wang Fang", "parent", "1/2"),
    )
    response = claim(family, declared)
    assert response.status_code == 400
    assert "heir_is_deceased" in {r["code"] for r in response.json()["reasons"]}


def test_a_bad_share_names_its_field(family):
    declared = heirs((LI_NA_ID, "Li Na", "spouse", "half"))
    response = claim(family, declared)
    assert response.status_code == 400
    assert response.json()["code"] == "share_invalid"
    assert "heirs[0].share" in response.json()["fields"]


def test_a_renunciation_declared_lets_the_second_order_inherit(family):
    declared = heirs((LI_NA_ID, "Li Na", "sibling", "1/2"), (LI_MEI_ID, "Li Mei", "sibling", "1/2"))
    response = claim(family, declared, proofs=["renunciation"])
    assert response.status_code == 201, response.json()


def test_a_second_heir_is_pointed_to_the_estates_claim(family):
    first = claim(family).json()

    second = family.client("li_wei").post(
        f"{V1}/withdrawals/",
        {
            "reason": "death",
            "cardholder": block(family.deceased),
            "relationship": "child",
            **bank("Li Wei"),
        },
        format="json",
    )

    assert second.status_code == 409, second.json()
    assert second.json()["code"] == "estate_already_claimed"
    assert second.json()["claim"] == first["reference"]
    assert WithdrawalApplication.objects.count() == 1


# --- joining ------------------------------------------------------------------------------


def test_a_co_heir_sees_the_invitation_and_joins_with_an_account_in_their_own_name(family):
    pk = claim(family).json()["id"]

    invitations = family.client("li_wei").get(f"{V1}/withdrawals/invitations/").json()
    assert [(i["id"], i["my_share"], i["joined"]) for i in invitations] == [(pk, "1/2", False)]
    assert [h["name"] for h in invitations[0]["heirs"]] == ["Li Na", "Li Wei"]
    assert family.client("li_na").get(f"{V1}/withdrawals/invitations/").json() == []

    not_mine = join(family, pk, holder="Li Na")
    assert not_mine.status_code == 400
    assert "bank_account_holder" in not_mine.json()["fields"]
    unconfirmed = join(family, pk, confirm_shares=False)
    assert unconfirmed.status_code == 400
    assert "confirm_shares" in unconfirmed.json()["fields"]

    joined = join(family, pk)
    assert joined.status_code == 200, joined.json()
    assert joined.json()["joined"] is True
    assert join(family, pk).json()["code"] == "already_joined"


def test_someone_not_named_cannot_join(family):
    pk = claim(family).json()["id"]
    stranger = UserFactory(username=LI_MEI_ID, first_name="Li Mei")
    response = client_for(stranger).post(
        f"{V1}/withdrawals/{pk}/join/",
        {**bank("Li Mei"), "confirm_shares": True},
        format="json",
    )
    assert response.status_code == 404


# --- approval by share ----------------------------------------------------------------------


def test_approval_waits_for_every_heir_then_pays_each_share_once(
    family, django_capture_on_commit_callbacks
):
    pk = claim(family, claims_survivor_benefits=True).json()["id"]
    submitted(family, django_capture_on_commit_callbacks, pk)
    ruth, amos = family.client("ruth"), family.client("amos")
    assert ruth.post(f"{V1}/withdrawals/{pk}/verify-applicant/").status_code == 200

    waiting = amos.post(f"{V1}/withdrawals/{pk}/approve/")
    assert waiting.status_code == 422
    assert "heir_not_joined" in {r["code"] for r in waiting.json()["reasons"]}

    assert join(family, pk).status_code == 200
    unchecked = amos.post(f"{V1}/withdrawals/{pk}/approve/")
    assert "heir_identity_not_verified" in {r["code"] for r in unchecked.json()["reasons"]}
    checked = ruth.post(
        f"{V1}/withdrawals/{pk}/verify-applicant/", {"national_id": LI_WEI_ID}, format="json"
    )
    assert checked.status_code == 200, checked.json()

    missing = amos.post(f"{V1}/withdrawals/{pk}/approve/")
    assert missing.status_code == 422
    assert missing.json()["code"] == "survivor_parameters_missing"
    assert "000000" in missing.json()["message"]
    assert LedgerTransaction.objects.filter(kind="payout").count() == 0  # nothing half-written

    survivor_figures()
    personal = {
        a.scheme: a.balance for a in family.deceased.accounts.filter(kind=Account.Kind.PERSONAL)
    }
    own_medical = family.li_wei_card.accounts.get(kind="personal", scheme="medical")
    before = own_medical.balance

    approved = amos.post(f"{V1}/withdrawals/{pk}/approve/")

    assert approved.status_code == 200, approved.json()
    body = approved.json()
    assert body["status"] == "approved"
    assert body["survivor_benefits"] == {
        "funeral_grant": "8000.00",
        "survivors_pension": "8000.00",
        "status": "awarded",
    }
    li_na, li_wei = body["heirs"]
    half_medical = personal["medical"] / 2
    assert {p["scheme"]: (p["destination"], p["status"]) for p in li_wei["payouts"]} == {
        "pension": ("bank", "pending"),
        "medical": ("own_medical_account", "paid"),
        "funeral_grant": ("bank", "pending"),
        "survivors_pension": ("bank", "pending"),
    }
    assert {p["scheme"]: p["destination"] for p in li_na["payouts"]}["medical"] == "bank"
    assert sum(Decimal(p["amount"]) for h in body["heirs"] for p in h["payouts"]) == (
        personal["pension"] + personal["medical"] + Decimal("16000.00")
    )
    own_medical.refresh_from_db()
    assert own_medical.balance == before + half_medical.quantize(Decimal("0.01"))
    for account in family.deceased.accounts.filter(kind=Account.Kind.PERSONAL):
        assert (account.balance, account.status) == (Decimal("0.00"), "closed")
    fund_account = Account.objects.get(system_code=fund_code("pension", family.deceased.region))
    # The fund paid the survivor benefits; it took back the deceased's pooled record.
    returned = sum(
        fund_account.entries.filter(kind="pooled_to_fund").values_list("amount", flat=True),
        Decimal("0.00"),
    )
    assert fund_account.balance == returned - Decimal("16000.00")

    assert amos.post(f"{V1}/withdrawals/{pk}/approve/").status_code == 409
    assert HeirPayout.objects.count() == 8

    # The bank's batch: one line per bank share, then every share confirmed.
    out = io.StringIO()
    sent = payout_files.export_batch(out)
    assert len(sent) == 7
    lines = out.getvalue().splitlines()[1:]
    assert all(line.split(",")[0].startswith(body["reference"] + "/") for line in lines)
    results = [f"{line.split(',')[0]},paid," for line in lines]
    counts, problems = payout_files.import_results(results)
    assert (counts["paid"], problems) == (7, [])
    detail = family.client("li_na").get(f"{V1}/withdrawals/{pk}/").json()
    assert detail["status"] == "paid"
    assert {p["status"] for h in detail["heirs"] for p in h["payouts"]} == {"paid"}
    again, _problems = payout_files.import_results(results)
    assert again["skipped"] == 7
    browser = Client()
    browser.force_login(family.li_na)
    page = browser.get(f"/withdrawals/{pk}/").content.decode()
    assert "The heirs and their shares" in page
    assert "The heir&#x27;s own medical personal account" in page
    assert "funeral grant" in page
    assert run_audit().violations == []


def test_no_survivor_benefits_after_a_work_related_death(
    family, django_capture_on_commit_callbacks
):
    pk = claim(family, claims_survivor_benefits=True).json()["id"]
    WithdrawalApplication.objects.filter(pk=pk).update(death_work_related=True)
    submitted(family, django_capture_on_commit_callbacks, pk)
    join(family, pk)
    ruth = family.client("ruth")
    ruth.post(f"{V1}/withdrawals/{pk}/verify-applicant/")
    ruth.post(f"{V1}/withdrawals/{pk}/verify-applicant/", {"national_id": LI_WEI_ID}, format="json")
    survivor_figures()

    approved = family.client("amos").post(f"{V1}/withdrawals/{pk}/approve/")

    assert approved.status_code == 200, approved.json()
    assert approved.json()["survivor_benefits"]["status"] == "not_covered"
    assert not HeirPayout.objects.filter(scheme="funeral_grant").exists()


def test_a_claim_without_heirs_still_pays_the_applicant_alone(
    family, django_capture_on_commit_callbacks
):
    harry = UserFactory(username="harry", first_name="Harry Heir")
    created = client_for(harry).post(
        f"{V1}/withdrawals/",
        {
            "reason": "death",
            "cardholder": block(family.deceased),
            "relationship": "child",
            **bank("Harry Heir"),
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["heirs"] == []
    assert created.json()["survivor_benefits"]["status"] == "not_claimed"
    assert Heir.objects.count() == 0


# --- the browser page --------------------------------------------------------------------


def test_the_invitation_page_lists_the_claim_and_joins_with_the_form(family, client):
    pk = claim(family).json()["id"]
    client.force_login(family.li_wei)

    index = client.get("/withdrawals/").content.decode()
    assert "A claim names you as an heir." in index
    page = client.get("/withdrawals/invitations/").content.decode()
    assert f'data-testid="invitation-{pk}"' in page
    assert "Li Na" in page and "1/2" in page
    assert LI_WEI_ID not in page

    response = client.post(
        f"/withdrawals/invitations/{pk}/join/", {**bank("Li Wei"), "confirm_shares": "on"}
    )

    assert response.status_code == 302
    after = client.get(response["Location"]).content.decode()
    assert "You have joined the claim" in after
    assert "You have confirmed the shares." in after
    assert Heir.objects.get(relationship="child").joined_at is not None


def test_a_death_while_drawing_unemployment_benefit_is_paid_by_the_unemployment_fund(
    family, django_capture_on_commit_callbacks
):
    """SIL Art. 49: the unemployment fund pays the funeral subsidy and the survivors'
    pension of a person who died drawing benefit, instead of the pension fund."""
    from benefits.models import UnemploymentClaim, UnemploymentRegistration

    registration = UnemploymentRegistration.objects.create(
        cardholder=family.deceased,
        job_ended_on=date(2025, 10, 31),
        how_ended="employer_terminated",
        seeking_work=True,
        registered_on=date(2025, 11, 3),
    )
    benefit = UnemploymentClaim.objects.create(
        reference="BU-2025-000001",
        cardholder=family.deceased,
        applicant=UserFactory(username="wang-fang"),
        status="in_payment",
        registration=registration,
        contribution_months=84,
        months_entitled=18,
        monthly_amount=Decimal("1800.00"),
        amount_region="000000",
        amount_year=2025,
        starts_on=date(2025, 11, 1),
    )
    pk = claim(family, claims_survivor_benefits=True).json()["id"]
    submitted(family, django_capture_on_commit_callbacks, pk)  # the death, 10 January 2026
    benefit.refresh_from_db()
    assert benefit.stop_reason == "deceased"
    join(family, pk)
    ruth = family.client("ruth")
    ruth.post(f"{V1}/withdrawals/{pk}/verify-applicant/")
    ruth.post(f"{V1}/withdrawals/{pk}/verify-applicant/", {"national_id": LI_WEI_ID}, format="json")
    survivor_figures()

    approved = family.client("amos").post(f"{V1}/withdrawals/{pk}/approve/")

    assert approved.status_code == 200, approved.json()
    assert approved.json()["survivor_benefits"]["status"] == "awarded"
    region = family.deceased.region
    unemployment = Account.objects.get(system_code=fund_code("unemployment", region))
    paid = unemployment.entries.filter(transaction__kind="survivor_benefit")
    assert sum(paid.values_list("amount", flat=True)) == Decimal("-16000.00")
    pension = Account.objects.get(system_code=fund_code("pension", region))
    assert not pension.entries.filter(transaction__kind="survivor_benefit").exists()
    browser = Client()
    browser.force_login(family.li_na)
    page = browser.get(f"/withdrawals/{pk}/").content.decode()
    assert 'data-fund="unemployment"' in page and "Art. 49" in page
    assert run_audit().violations == []
