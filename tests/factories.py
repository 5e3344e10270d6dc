"""factory_boy factories shared by the whole suite."""

from datetime import date

import factory
from django.contrib.auth import get_user_model

from accounts import services
from accounts.models import Cardholder, Employer, Institution
from accounts.pii import id_number_in, login_username
from accounts.validators import generate_credit_code, generate_national_id, parse_national_id

PASSWORD = "Test-Pass-2026!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    # The name registered with: a payout account must be in it.
    first_name = "Heir Example"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # UserFactory(username=<an ID number>) is a cardholder's or heir's login: stored
        # the way registration stores it (digest as username, number encrypted).
        login = kwargs["username"]
        username = login_username(login)
        if username != login and id_number_in(login):
            kwargs.update(username=username, national_id=parse_national_id(login).number)
            kwargs["email"] = kwargs["email"].replace(login, f"id-{username[:12]}")
        return kwargs

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    first_name = ""
    is_staff = True


def _national_id(n, birth=date(1980, 1, 1), gender="M"):
    return generate_national_id("110105", birth, n % 1000, gender)


class CardholderFactory(factory.django.DjangoModelFactory):
    """A living, employed cardholder with their seven accounts opened."""

    class Meta:
        model = Cardholder
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Cardholder {n}")
    gender = "M"
    date_of_birth = factory.Sequence(lambda n: date(1960 + n % 40, 1 + n % 12, 1 + n % 28))
    national_id = factory.LazyAttributeSequence(
        lambda o, n: generate_national_id("110105", o.date_of_birth, n % 1000, o.gender)
    )
    card_number = factory.Sequence(lambda n: f"T{n:08d}")
    region = "000000"

    @factory.post_generation
    def accounts(obj, create, extracted, **kwargs):
        if create:
            services.cardholder_open_accounts(obj)


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"Employer {n}")
    credit_code = factory.Sequence(lambda n: generate_credit_code(f"91110105{n:09d}"))


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Pharmacy {n}")
    code = factory.Sequence(lambda n: f"INST{n:05d}")
    kind = Institution.Kind.PHARMACY


# --- withdrawals ---

import io  # noqa: E402
import uuid  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.contrib.auth.models import Permission  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from accounts import ledger  # noqa: E402
from accounts.models import Account, LedgerTransaction  # noqa: E402
from withdrawals.models import SupportingDocument, WithdrawalApplication  # noqa: E402


def pdf_bytes(pages=1):
    """A real, readable PDF."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes(width=400, height=300):
    """A real PNG image big enough to read."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 210, 220)).save(out, format="PNG")
    return out.getvalue()


def upload(content=None, name="scan.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type)


def fund(cardholder, scheme, amount):
    """Credit a personal account through the ledger (as a contribution would)."""
    account = cardholder.accounts.get(scheme=scheme, kind=Account.Kind.PERSONAL)
    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED)
    amount = Decimal(amount)
    ledger.post(
        kind=LedgerTransaction.Kind.CONTRIBUTION,
        idempotency_key=f"test-fund:{uuid.uuid4().hex}",
        legs=[ledger.Leg(received.id, -amount), ledger.Leg(account.id, amount)],
        description="test funding",
    )
    account.refresh_from_db()
    return account


def staff_with(*codenames, username=None):
    """A staff user holding the given withdrawals permissions (codenames)."""
    user = StaffFactory(**({"username": username} if username else {}))
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="withdrawals", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)  # fresh: no stale permission cache


class WithdrawalApplicationFactory(factory.django.DjangoModelFactory):
    """A draft written straight to the table (no eligibility check): for read tests."""

    class Meta:
        model = WithdrawalApplication

    reference = factory.Sequence(lambda n: f"WD-2026-9{n:05d}")
    cardholder = factory.SubFactory(CardholderFactory)
    applicant = factory.SubFactory(UserFactory)
    reason = "death"
    relationship = "child"
    claims_pension = True
    bank_name = "Bank of Example"
    bank_account_holder = "Heir Example"
    bank_account_number = "6222020200112233445"


class SupportingDocumentFactory(factory.django.DjangoModelFactory):
    """A document row without a stored file (for read tests only)."""

    class Meta:
        model = SupportingDocument

    application = factory.SubFactory(WithdrawalApplicationFactory)
    kind = "death_certificate"
    stored_name = factory.Sequence(lambda n: f"00/factory{n:08d}.bin")
    original_name = "certificate.pdf"
    size = 1000
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    content_type = "application/pdf"
    uploaded_by = factory.SelfAttribute("application.applicant")


def death_claim(*, pension="1000.00", medical="200.00", heir=None, cardholder=None):
    """A funded deceased-to-be cardholder and an heir's draft with the three documents."""
    from withdrawals import services as withdrawal_services

    cardholder = cardholder or CardholderFactory()
    if pension:
        fund(cardholder, "pension", pension)
    if medical:
        fund(cardholder, "medical", medical)
    heir = heir or UserFactory()
    application = withdrawal_services.application_create_draft(
        applicant=heir,
        cardholder=cardholder,
        reason="death",
        relationship="child",
        bank_name="Bank of Example",
        # The payout account is in the heir's registered name.
        bank_account_holder=heir.get_full_name() or "Heir Example",
        bank_account_number="6222 0202 0011 2233 445",
    )
    for kind in ("death_certificate", "heirship_proof", "applicant_id"):
        withdrawal_services.document_add(
            application=application, kind=kind, uploaded_file=upload(), uploader=heir
        )
    return application


def verify_applicant(application, reviewer=None):
    """A reviewer checks the applicant's identity document (needed before approval)."""
    from withdrawals import services as withdrawal_services

    reviewer = reviewer or staff_with("review_application")
    return withdrawal_services.application_verify_applicant(application, actor=reviewer)


def approve_claim(application, capture_on_commit, *, certificate_number=None):
    """Take a drafted death claim to approved, as staff would: submitted (its review
    run on commit), the death verified, the applicant's identity checked, approved."""
    from datetime import date

    from withdrawals import services as withdrawal_services

    with capture_on_commit(execute=True):
        withdrawal_services.application_submit(application, actor=application.applicant)
    application.refresh_from_db()
    withdrawal_services.cardholder_verify_death(
        application,
        actor=staff_with("verify_life_event"),
        date_of_death=date(2026, 1, 2),
        certificate_number=certificate_number or f"DC-{application.pk}",
    )
    verify_applicant(application)
    withdrawal_services.application_approve(application, actor=staff_with("approve_application"))
    application.refresh_from_db()
    return application


def verify_death(application, capture_on_commit, *, verifier=None):
    """Submit a drafted death claim (its review run on commit) and verify the death."""
    from datetime import date

    from withdrawals import services as withdrawal_services

    with capture_on_commit(execute=True):
        withdrawal_services.application_submit(application, actor=application.applicant)
    application.refresh_from_db()
    withdrawal_services.cardholder_verify_death(
        application,
        actor=verifier or staff_with("verify_life_event"),
        date_of_death=date(2026, 1, 2),
        certificate_number=f"DC-{application.pk}",
    )
    return application


def emigration_claim_paid(cardholder, capture_on_commit, *, pension="500.00", paid=True):
    """The cardholder (with a login) settled abroad, claims their pension account, and
    staff verify, approve and send it; with `paid`, the bank confirms the payment."""
    from datetime import date

    from withdrawals import services as withdrawal_services

    fund(cardholder, "pension", pension)
    user = cardholder.user
    application = withdrawal_services.application_create_draft(
        applicant=user,
        cardholder=cardholder,
        reason="emigration",
        relationship="self",
        schemes=["pension"],
        bank_name="Bank of Example",
        bank_account_holder=cardholder.name,
        bank_account_number="6222020200112233",
    )
    for kind in ("exit_certificate", "applicant_id", "nationality_proof"):
        withdrawal_services.document_add(
            application=application, kind=kind, uploaded_file=upload(), uploader=user
        )
    withdrawal_services.application_confirm_notice(
        application, actor=user, full_name=cardholder.name
    )
    with capture_on_commit(execute=True):
        withdrawal_services.application_submit(application, actor=user)
    application.refresh_from_db()
    withdrawal_services.cardholder_verify_emigration(
        application,
        actor=staff_with("verify_life_event"),
        date=date(2025, 12, 1),
        country="Canada",
        certificate_number=f"EX-{application.pk}",
        nationality_given_up=True,
    )
    verify_applicant(application)
    with capture_on_commit(execute=True):
        withdrawal_services.application_approve(
            application, actor=staff_with("approve_application")
        )
        withdrawal_services.payout_mark_sent([application])
        if paid:
            withdrawal_services.payout_mark_paid(application)
    application.refresh_from_db()
    return application
