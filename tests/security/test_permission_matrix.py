"""Who may open what: every URL pattern (found by walking the resolver) × every role ×
GET and POST. Addresses naming cardholder A's things (account, application, document)
are refused to everyone else, and no answer to anyone else carries A's ID number, name
or balances. Public pages are listed explicitly: a new URL that answers an anonymous
visitor without being listed here fails the test. An applicant can never set the status,
amount or reviewer of a claim."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Account, InstitutionAPIKey
from tests.api.conftest import staff_with_role
from tests.conftest import otp_login
from tests.factories import (
    CardholderFactory,
    InstitutionFactory,
    SupportingDocumentFactory,
    UserFactory,
    WithdrawalApplicationFactory,
    fund,
    pdf_bytes,
)
from withdrawals.models import WithdrawalApplication

pytestmark = pytest.mark.django_db


def employer_login(username):
    """A login acting for an employer that pays nobody in this world."""
    from accounts.services import employer_login_link
    from tests.factories import EmployerFactory

    user = UserFactory(username=username)
    employer_login_link(user=user, credit_code=EmployerFactory().credit_code)
    return type(user).objects.get(pk=user.pk)


ROLES = [
    "anonymous",
    "cardholder_b",
    "heir_of_a",
    "emigrant",
    "reviewer",
    "approver",
    "auditor",
    "institution",
    "employer",
]
STAFF = {"reviewer", "approver", "auditor"}

# Routes anyone may open, and what an anonymous GET answers. Everything else must turn
# an anonymous visitor away (login redirect, 401, 403, 404 or 405).
PUBLIC = {
    "healthz": {200, 503},
    "accounts:login": {200},
    "accounts:logout": {405},  # POST only; logging out is harmless
    "accounts:register": {200},
    "accounts:register_cardholder": {200},
    "accounts:register_heir": {200},
    "accounts:password_reset": {200},
    "accounts:password_reset_done": {200},
    "accounts:password_reset_confirm": {200},  # says the link is not valid
    "accounts:password_reset_complete": {200},
    "set_language": {302},
    "api-schema": {200},
    "api-docs": {200},
    "v1:token": {405},  # POST with a password
    "admin:login": {200},
    "admin:logout": {405, 302},
    # Anyone holding a document can check it; a made-up code is not found.
    "verification:verify_form": {200},
    "verification:public_keys": {200},
    "verification:verify": {404},
}
# Routes review staff use for their work on any claim (their own role checks decide).
STAFF_WORK = {
    "withdrawals:document_download",
    "v1:withdrawal-detail",
    "v1:withdrawal-verify-death",
    "v1:withdrawal-verify-emigration",
    "v1:withdrawal-request-documents",
    "v1:withdrawal-approve",
    "v1:withdrawal-reject",
    "v1:withdrawal-verify-applicant",
    "v1:withdrawal-resolve-contest",
    "v1:review-queue",
}
DENIED = {401, 403, 404, 405}
# A POST the service refused on the rules (wrong state, not eligible) changed nothing
# either; the snapshot of A's data before and after proves it.
REFUSED_POST = {409, 422}
# Path parameters that name A's things (a year or a reset token does not).
OWNED_PARAMS = {"pk", "document_pk", "object_id", "id"}
LOGIN_PAGES = ("/login/", "/admin/login/")
TAMPER = {
    "status": "approved",
    "amount": "999999.00",
    "reviewed_by": "1",
    "approved_by": "1",
    "verified_by": "1",
    "balance": "999999.00",
    "user": "1",
}
# Well-formed bodies for every API action, so a refusal cannot hide behind a 400.
VALID = {
    "full_name": "Somebody Else",
    "date_of_death": "2025-01-01",
    "certificate_number": "DC-1",
    "date": "2025-01-01",
    "reason": "not eligible",
    "message": "more please",
    "kinds": ["death_certificate"],
    "documents": ["death_certificate"],
}


def walk(patterns, prefix="", namespace=""):
    """(name, regex-free example path pattern, parameter names) of every route."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            params = list(entry.pattern.regex.groupindex)
            name = f"{namespace}{entry.name}" if entry.name else None
            yield name, prefix + str(entry.pattern), params


ROUTES = sorted(
    {(n, p, tuple(a)) for n, p, a in walk(get_resolver().url_patterns)}, key=lambda r: r[1]
)


def test_every_route_outside_the_admin_has_a_name():
    # The admin's unnamed routes are its redirects (object → change page, catch-all);
    # any other unnamed route could not be listed as public.
    assert [p for n, p, _ in ROUTES if n is None and not p.startswith("admin/")] == []


def url_for(world, name, path, params):
    kwargs = world.kwargs(name, params)
    if name:
        return reverse(name, kwargs=kwargs)
    url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), path)
    return url.replace("(?P<url>.*)$", "no-such-page/")


class World:
    def __init__(self):
        self.a_user = UserFactory(username="110105198001010019")
        self.a = CardholderFactory(
            user=self.a_user, national_id="110105198001010019", name="Anneliese Quorvath"
        )
        fund(self.a, "pension", "4321.09")
        fund(self.a, "medical", "876.54")
        self.account = self.a.accounts.get(scheme="pension", kind=Account.Kind.PERSONAL)
        self.application = WithdrawalApplicationFactory(
            cardholder=self.a,
            applicant=self.a_user,
            reason="emigration",
            relationship="self",
            bank_account_holder="Anneliese Quorvath",
            bank_account_number="6217000099998888777",
        )
        self.document = SupportingDocumentFactory(
            application=self.application, uploaded_by=self.a_user, kind="applicant_id"
        )
        self.users = {
            "cardholder_b": CardholderFactory(user=UserFactory()).user,
            "emigrant": CardholderFactory(user=UserFactory(), life_status="emigrated").user,
            "heir_of_a": UserFactory(),
            "reviewer": staff_with_role("mx_reviewer", "reviewer"),
            "approver": staff_with_role("mx_approver", "approver"),
            "auditor": staff_with_role("mx_auditor", "auditor"),
            "employer": employer_login("mx_employer"),
        }
        WithdrawalApplicationFactory(cardholder=self.a, applicant=self.users["heir_of_a"])
        pharmacy = InstitutionFactory()
        _obj, self.api_key = InstitutionAPIKey.objects.create_key(name="t", institution=pharmacy)
        self.secrets = [
            self.a.national_id,
            self.a.name,
            "4321.09",
            "876.54",
            self.application.bank_account_number,
        ]

    def secrets_for(self, role):
        if role == "heir_of_a":
            # The heir's own claim is about A: A's name is theirs to see; A's full ID
            # number, A's own claim and A's balances (A's death is not verified) are not.
            return [
                self.a.national_id,
                self.application.bank_account_number,
                "4321.09",
                "876.54",
            ]
        return self.secrets

    def kwargs(self, name, params):
        values = {
            "pk": self.account.pk
            if name in ("accounts:account_detail", "v1:account-transactions")
            else self.application.pk,
            "document_pk": self.document.pk,
            "year": 2025,
            "uidb64": "MQ",
            "token": "set-password",
            "object_id": str(self.application.pk),
            "app_label": "withdrawals",
            "content_type_id": "1",
            "name": "approve",
            "url": "x",
        }
        return {p: values.get(p, self.application.pk) for p in params}

    def client(self, role, api):
        if role == "anonymous":
            return APIClient() if api else Client()
        if role == "institution":
            client = APIClient() if api else Client()
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {self.api_key}") if api else None
            return client
        user = self.users[role]
        if api:
            client = APIClient()
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            return client
        return otp_login(Client(), user)

    def snapshot(self):
        app = WithdrawalApplication.objects.get(pk=self.application.pk)
        balances = sorted(self.a.accounts.values_list("pk", "balance", "status"))
        self.a.refresh_from_db()
        return (
            app.status,
            app.amount,
            app.reviewed_by_id,
            app.approved_by_id,
            app.verified_by_id,
            app.bank_account_number,
            balances,
            self.a.card_status,
            self.document.__class__.objects.filter(pk=self.document.pk).exists(),
        )


@pytest.fixture
def world():
    return World()


def refused(response):
    if response.status_code in DENIED:
        return True
    return response.status_code == 302 and response["Location"].split("?")[0].endswith(LOGIN_PAGES)


def check(world, role, name, path, params, method):
    api = path.startswith("api/")
    admin = path.startswith("admin/")
    if admin and role in STAFF:
        return None  # staff in the admin: tests/admin covers each role's limits
    url = url_for(world, name, path, params)
    client = world.client(role, api)
    if method == "GET":
        response = client.get(url)
    elif api and name == "v1:withdrawal-documents":
        upload = SimpleUploadedFile("scan.pdf", pdf_bytes(), content_type="application/pdf")
        response = client.post(url, {"kind": "applicant_id", "file": upload}, format="multipart")
    elif api:
        response = client.post(url, {**TAMPER, **VALID}, format="json")
    else:
        response = client.post(url, TAMPER)
    problems = []
    if response.status_code >= 500:
        problems.append(f"{response.status_code}")
    body = b"".join(response) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    staff_work = role in STAFF and name in STAFF_WORK
    if not staff_work:
        leaked = [s for s in world.secrets_for(role) if s in text]
        if leaked:
            problems.append(f"leaks {leaked}")
        names_a = bool(OWNED_PARAMS & set(params)) and name not in PUBLIC
        refusal = refused(response) or (method == "POST" and response.status_code in REFUSED_POST)
        if names_a and not refusal:
            problems.append(f"not refused ({response.status_code})")
        if role == "anonymous" and name not in PUBLIC and not refused(response):
            problems.append(f"open to anonymous ({response.status_code})")
    if problems:
        return f"{role:>12} {method:<4} {url}: {', '.join(problems)}"
    return None


def test_nobody_reads_or_changes_what_is_not_theirs(world):
    before = world.snapshot()
    failures = []
    for name, path, params in ROUTES:
        for role in ROLES:
            for method in ("GET", "POST"):
                failure = check(world, role, name, path, params, method)
                if failure:
                    failures.append(failure)
    assert failures == [], "\n".join(failures)
    assert world.snapshot() == before


def test_public_routes_answer_anonymous_visitors_as_listed(world):
    names = {name for name, _, _ in ROUTES}
    assert set(PUBLIC) <= names, set(PUBLIC) - names
    for name, _path, params in ROUTES:
        if name in PUBLIC:
            response = Client().get(reverse(name, kwargs=world.kwargs(name, params)))
            assert response.status_code in PUBLIC[name], name


ALLOWED_BY_APPLICANT = {"draft", "submitted", "in_review", "awaiting_decision", "withdrawn"}


def test_an_applicant_can_never_set_status_amount_or_reviewer(world):
    """A posts the staff's fields to every claim form and API of their own claim."""
    staff = world.users["approver"]
    tamper = {**TAMPER, "reviewed_by": staff.pk, "approved_by": staff.pk, "verified_by": staff.pk}
    web = Client()
    web.force_login(world.a_user)
    api = APIClient()
    api.force_authenticate(world.a_user)
    for name, path, params in ROUTES:
        if not (name or "").startswith(("withdrawals:", "v1:withdrawal")):
            continue
        url = reverse(name, kwargs=world.kwargs(name, params))
        if path.startswith("api/"):
            for method in (api.post, api.put, api.patch):
                assert method(url, tamper, format="json").status_code < 500, url
        else:
            assert web.post(url, tamper).status_code < 500, url
        app = WithdrawalApplication.objects.get(pk=world.application.pk)
        assert app.status in ALLOWED_BY_APPLICANT, (url, app.status)
        assert app.amount != Decimal("999999.00")
        assert (app.reviewed_by_id, app.approved_by_id, app.verified_by_id) == (None, None, None)
    for app in WithdrawalApplication.objects.filter(applicant=world.a_user):
        assert app.status in ALLOWED_BY_APPLICANT
        assert app.amount != Decimal("999999.00")
        assert app.approved_by_id is None and app.reviewed_by_id is None


# --- each role's permissions: least privilege ---------------------------------------------

ROLE_PERMISSION_SETS = {
    "reviewer": {
        "withdrawals.view_withdrawalapplication",
        "withdrawals.view_supportingdocument",
        "withdrawals.view_applicationevent",
        "withdrawals.view_noheirrecord",
        "withdrawals.view_heirnoticeperiod",
        "accounts.view_cardholder",
        "accounts.view_account",
        "withdrawals.review_application",
        "withdrawals.verify_life_event",
        "pensions.view_retirementclaim",
        "pensions.review_retirementclaim",
        "pensions.view_livingcheckconfirmation",
        "pensions.view_relativelivingcheck",
        "pensions.record_livingcheck",
        "benefits.view_unemploymentclaim",
        "benefits.view_benefitpayment",
        "benefits.review_unemploymentclaim",
    },
    "approver": {
        "withdrawals.view_withdrawalapplication",
        "withdrawals.view_supportingdocument",
        "withdrawals.view_applicationevent",
        "withdrawals.view_noheirrecord",
        "withdrawals.view_heirnoticeperiod",
        "accounts.view_cardholder",
        "accounts.view_account",
        "withdrawals.approve_application",
        "withdrawals.manage_payouts",
        "pensions.view_retirementclaim",
        "pensions.approve_retirementclaim",
        "pensions.change_retirementclaim",
        "pensions.view_livingcheckconfirmation",
        "pensions.view_relativelivingcheck",
        "pensions.confirm_livingcheck",
        "benefits.view_unemploymentclaim",
        "benefits.view_benefitpayment",
        "benefits.approve_unemploymentclaim",
    },
    "auditor": {
        "withdrawals.view_withdrawalapplication",
        "withdrawals.view_supportingdocument",
        "withdrawals.view_applicationevent",
        "withdrawals.view_noheirrecord",
        "withdrawals.view_heirnoticeperiod",
        "accounts.view_cardholder",
        "accounts.view_account",
        "accounts.view_ledgertransaction",
        "accounts.view_ledgerentry",
        "accounts.view_contribution",
        "accounts.view_contributionrate",
        "accounts.view_settlement",
        "accounts.view_employer",
        "accounts.view_institution",
        "pensions.view_retirementclaim",
        "pensions.view_livingcheckconfirmation",
        "pensions.view_relativelivingcheck",
        "benefits.view_unemploymentclaim",
        "benefits.view_benefitpayment",
    },
}
# The maternity and work-injury kinds: every role reads them, reviewers verify and
# refuse, approvers decide.
KIND_VIEWS = {
    "maternity.view_maternityclaim",
    "maternity.view_employeraveragewage",
    "workinjury.view_injuryrecognition",
    "workinjury.view_labourcapacityappraisal",
    "workinjury.view_injuryallowancepayment",
    "cards.view_cardreplacement",
}
KIND_VIEWS |= {"corrections.view_recordcorrection"}
KIND_VIEWS |= {
    "benefits.view_skillsubsidyclaim",
    "benefits.view_trainingapplication",
    "benefits.view_trainingcourse",
    "benefits.view_subsidypayment",
    "benefits.view_qualification",
}
# Death at work (WIR Art. 39): every role reads it; the reviewer records the death with
# review_injuryrecognition, the approver decides with decide_injuryrecognition.
KIND_VIEWS |= {
    "workinjury.view_workdeathbenefit",
    "workinjury.view_workdeathdependant",
    "workinjury.view_workdeathpensionpayment",
    "workinjury.view_nationaldisposableincome",
}
ROLE_PERMISSION_SETS["reviewer"] |= KIND_VIEWS | {
    "maternity.review_maternityclaim",
    "workinjury.review_injuryrecognition",
    "cards.review_cardreplacement",
    "corrections.review_recordcorrection",
    "benefits.review_skillsubsidyclaim",
    "benefits.add_trainingcourse",
    "benefits.change_trainingcourse",
    "benefits.review_trainingapplication",
}
ROLE_PERMISSION_SETS["approver"] |= KIND_VIEWS | {
    "maternity.approve_maternityclaim",
    "workinjury.decide_injuryrecognition",
    "cards.issue_cardreplacement",
    "corrections.decide_recordcorrection",
    "benefits.approve_skillsubsidyclaim",
}
ROLE_PERMISSION_SETS["auditor"] |= KIND_VIEWS | {"accounts.view_recordchange"}
# The labour-capacity appraisal committee reads recognitions and appraisals and records
# conclusions, nothing else.
ROLE_PERMISSION_SETS["appraisal_committee"] = {
    "workinjury.view_injuryrecognition",
    "workinjury.view_labourcapacityappraisal",
    "workinjury.conclude_labourcapacityappraisal",
}
# Employer logins are not staff: they file their own workers' recognitions only.
ROLE_PERMISSION_SETS["employer"] = {"workinjury.file_for_employer"}
# What no role gets: only superusers see whole ID numbers, logins, keys and e-mails sent.
NOBODY = {
    "accounts.view_full_national_id",
    "accounts.view_user",
    "accounts.view_institutionapikey",
    "withdrawals.view_eventnotification",
    "authtoken.view_token",
}


def test_each_role_has_exactly_its_permissions():
    import io

    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("setup_roles", stdout=io.StringIO())
    for role, expected in ROLE_PERMISSION_SETS.items():
        group = Group.objects.get(name=role)
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert granted == expected, (role, granted ^ expected)
        assert not granted & NOBODY, role


def test_the_auditor_sees_masked_id_numbers_only(client):
    import io

    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from tests.factories import StaffFactory

    call_command("setup_roles", stdout=io.StringIO())
    auditor = StaffFactory(username="audit_only")
    auditor.groups.add(Group.objects.get(name="auditor"))
    holder = CardholderFactory(national_id="110105198001010019", name="Anneliese Quorvath")
    otp_login(client, type(auditor).objects.get(pk=auditor.pk))
    assert not auditor.has_perm("accounts.view_full_national_id")
    for url in (
        "/admin/accounts/cardholder/",
        f"/admin/accounts/cardholder/{holder.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Anneliese Quorvath" in html
        assert holder.national_id not in html and holder.masked_national_id in html
    assert client.get("/admin/accounts/user/").status_code == 403


# --- the employer's pages and everyone else's ------------------------------------------

# What an employer login opens besides its own pages (employer:*).
EMPLOYER_OPEN = {
    "accounts:logout",
    "accounts:login",
    "accounts:password_change",
    "accounts:password_change_done",
    "accounts:contact_details",
    "set_language",
}


def test_an_employer_opens_no_cardholder_page_and_a_cardholder_no_employer_page(world):
    employer = world.client("employer", api=False)
    cardholder = Client()
    cardholder.force_login(world.a_user)
    failures = []
    for name, path, params in ROUTES:
        if path.startswith(("admin/", "api/")) or name in PUBLIC or name is None:
            continue
        url = url_for(world, name, path, params)
        if name.startswith("employer:"):
            response = cardholder.get(url)
            if response.status_code != 403:
                failures.append(f"cardholder GET {url}: {response.status_code}")
        elif name not in EMPLOYER_OPEN:
            response = employer.get(url)
            to_employer = response.status_code == 302 and response["Location"] == "/employer/"
            if response.status_code != 403 and not to_employer:
                failures.append(f"employer GET {url}: {response.status_code}")
    assert failures == [], "\n".join(failures)
    assert employer.get("/employer/").status_code == 200
