"""The employer's login: what it may open (its own pages only), its work-injury
filings for its own workers within 30 days (WIR Art. 17), and its payroll and
average-wage files through the same importers, another employer's rows rejected by
line number."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from accounts import services as accounts
from accounts.models import Contribution, EmployerLogin, Scheme
from core.errors import InvalidInput
from maternity.models import EmployerAverageWage
from tests.factories import CardholderFactory, EmployerFactory, UserFactory, upload
from workinjury.models import InjuryRecognition

pytestmark = pytest.mark.django_db


def last_month():
    today = timezone.localdate()
    first = today.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


@pytest.fixture
def acme(db):
    return EmployerFactory(name="Acme Tools Ltd")


@pytest.fixture
def beta(db):
    return EmployerFactory(name="Beta Works Ltd")


@pytest.fixture
def boss(acme):
    call_command("setup_roles", stdout=io.StringIO())
    user = UserFactory(username="acme-hr", first_name="")
    accounts.employer_login_link(user=user, credit_code=acme.credit_code)
    return type(user).objects.get(pk=user.pk)


def worker_of(employer, name):
    user = UserFactory()
    holder = CardholderFactory(user=user, name=name)
    accounts.contribution_post(
        cardholder=holder,
        scheme=Scheme.PENSION,
        month=last_month(),
        wage=Decimal("8000.00"),
        employer=employer,
    )
    return holder


@pytest.fixture
def boss_client(client, boss):
    client.force_login(boss)
    return client


# --- who opens what ---------------------------------------------------------------------


def test_the_employer_login_sees_its_pages_and_no_cardholder_page(boss_client, acme):
    home = boss_client.get("/employer/")
    assert home.status_code == 200
    assert acme.credit_code in home.content.decode()
    assert boss_client.get("/")["Location"] == "/employer/"
    for url in ("/record/", "/contributions/", "/card/", "/maternity/", "/withdrawals/"):
        assert boss_client.get(url).status_code == 403, url
    assert boss_client.get("/contact/").status_code == 200


def test_a_cardholder_or_staff_member_cannot_open_the_employer_pages(client, acme):
    holder = worker_of(acme, "Wu Lan")
    client.force_login(holder.user)
    for url in ("/employer/", "/employer/payroll/", "/employer/injuries/new/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/record/").status_code == 200


def test_only_a_plain_login_can_act_for_an_employer(acme):
    holder = CardholderFactory(user=UserFactory())
    with pytest.raises(InvalidInput) as caught:
        accounts.employer_login_link(user=holder.user, credit_code=acme.credit_code)
    assert caught.value.field == "user"
    with pytest.raises(InvalidInput) as caught:
        accounts.employer_login_link(user=UserFactory(), credit_code="91110108MA00000000")
    assert caught.value.field == "credit_code"
    assert not EmployerLogin.objects.exists()


# --- work-injury recognitions -------------------------------------------------------------


def file(client, holder, days_ago=5):
    return client.post(
        "/employer/injuries/new/",
        {
            "worker_national_id": holder.national_id,
            "worker_name": holder.name,
            "accident_date": (timezone.localdate() - timedelta(days=days_ago)).isoformat(),
            "description": "Caught a hand in the press.",
        },
    )


def test_the_employer_files_for_its_own_worker_as_the_employer(
    boss_client, acme, django_capture_on_commit_callbacks
):
    holder = worker_of(acme, "Wu Lan")
    response = file(boss_client, holder)
    claim = InjuryRecognition.objects.get()
    assert response["Location"] == f"/employer/injuries/{claim.pk}/"
    assert (claim.filer, claim.employer, claim.cardholder) == ("employer", acme, holder)
    for kind in ("application_form", "labour_relationship_proof", "diagnosis"):
        added = boss_client.post(
            f"/employer/injuries/{claim.pk}/documents/", {"kind": kind, "file": upload()}
        )
        assert added.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        boss_client.post(f"/employer/injuries/{claim.pk}/submit/")
    claim.refresh_from_db()
    assert claim.status == "awaiting_decision"
    page = boss_client.get(f"/employer/injuries/{claim.pk}/").content.decode()
    assert 'data-testid="timeline"' in page and claim.reference in page


def test_another_employers_worker_is_not_found(boss_client, beta):
    stranger = worker_of(beta, "Zhao Ming")
    response = file(boss_client, stranger)
    assert response.status_code == 400
    assert "No insured person has this ID number and name." in response.content.decode()
    assert not InjuryRecognition.objects.exists()


def test_after_30_days_the_employer_cannot_file(boss_client, acme):
    holder = worker_of(acme, "Wu Lan")
    response = file(boss_client, holder, days_ago=31)
    assert response.status_code == 422
    assert 'data-code="injury_filed_too_late"' in response.content.decode()
    assert not InjuryRecognition.objects.exists()


def test_the_employer_cannot_open_recognitions_it_did_not_file(boss_client, acme, client):
    holder = worker_of(acme, "Wu Lan")
    from workinjury import services

    own = services.recognition_start(
        applicant=holder.user,
        accident_date=timezone.localdate() - timedelta(days=3),
        description="Slipped.",
    )
    assert boss_client.get(f"/employer/injuries/{own.pk}/").status_code == 404


# --- the files ---------------------------------------------------------------------------


def csv_upload(text):
    return SimpleUploadedFile("file.csv", text.encode("utf-8"), content_type="text/csv")


def test_the_payroll_posts_its_own_rows_and_rejects_another_employers_by_line(
    boss_client, acme, beta
):
    mine = CardholderFactory()
    theirs = CardholderFactory()
    month = f"{last_month():%Y-%m}"
    text = (
        "employer_credit_code,national_id,month,wage_base\n"
        f"{acme.credit_code},{mine.national_id},{month},9000.00\n"
        f"{beta.credit_code},{theirs.national_id},{month},9000.00\n"
        f"{acme.credit_code},{mine.national_id},2020-13,9000.00\n"
    )
    response = boss_client.post("/employer/payroll/", {"file": csv_upload(text)})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<tr data-line="3" data-code="other_employer">' in html
    assert '<tr data-line="4" data-code="invalid_month">' in html
    assert Contribution.objects.filter(cardholder=mine, employer=acme).exists()
    assert not Contribution.objects.filter(cardholder=theirs).exists()


def test_the_average_wages_are_written_for_its_own_credit_code_only(boss_client, acme, beta):
    year = timezone.localdate().year - 1
    text = (
        "employer_credit_code,year,average_monthly_wage,source\n"
        f"{beta.credit_code},{year},7000.00,payroll\n"
        f"{acme.credit_code},{year},9500.00,payroll {year}\n"
    )
    response = boss_client.post("/employer/average-wages/", {"file": csv_upload(text)})
    assert response.status_code == 200
    assert '<tr data-line="2" data-code="other_employer">' in response.content.decode()
    assert list(EmployerAverageWage.objects.values_list("employer", "year", "amount")) == [
        (acme.pk, year, Decimal("9500.00"))
    ]


def test_a_file_with_a_wrong_header_is_a_form_error(boss_client):
    response = boss_client.post("/employer/payroll/", {"file": csv_upload("a,b\n1,2\n")})
    assert response.status_code == 400
    assert "The file cannot be read" in response.content.decode()


def test_the_demo_has_the_zhongguancun_employer_login(db):
    from accounts import demo

    logins = demo.seed(today=date(2026, 12, 3))
    assert ("zhongguancun", demo.EMPLOYERS["zhongguancun"][0], "employer") in logins
    link = EmployerLogin.objects.select_related("user", "employer").get()
    assert link.user.username == "zhongguancun"
    assert link.employer.credit_code == "91110108MA01A2B3CF"
    assert link.user.check_password(demo.DEMO_PASSWORD)
    assert link.user.groups.filter(name="employer").exists()
