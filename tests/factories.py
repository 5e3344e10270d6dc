"""factory_boy factories shared by the whole suite."""

from datetime import date

import factory
from django.contrib.auth import get_user_model

from accounts import services
from accounts.models import Cardholder, Employer, Institution
from accounts.validators import generate_credit_code, generate_national_id

PASSWORD = "Test-Pass-2026!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True


def _national_id(n, birth=date(1980, 1, 1), gender="M"):
    return generate_national_id("110105", birth, n % 1000, gender)


class CardholderFactory(factory.django.DjangoModelFactory):
    """A living, employed cardholder with their seven accounts opened."""

    class Meta:
        model = Cardholder

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
