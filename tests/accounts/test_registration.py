from datetime import date

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.test import RequestFactory

from accounts import services
from accounts.models import Account, Cardholder
from accounts.pii import login_username

pytestmark = pytest.mark.django_db
PASSWORD = "Quiet-Harbour-2026"
GENERIC = "do not match our records"


@pytest.fixture
def zhang():
    return services.cardholder_create(
        name="Zhang Wei", national_id="110105198503150019", card_number="A10000001"
    )


def register(**overrides):
    fields = {
        "national_id": "110105198503150019",
        "password": PASSWORD,
        "name": "Zhang Wei",
        "email": "zhang@example.org",
        "card_number": "A10000001",
    }
    fields.update(overrides)
    return services.user_register(**fields)


def errors_of(excinfo):
    return excinfo.value.message_dict


def test_cardholder_create_derives_birth_and_gender_and_opens_accounts(zhang):
    assert zhang.date_of_birth == date(1985, 3, 15)
    assert zhang.gender == "M"
    assert zhang.accounts.count() == 7
    assert zhang.accounts.filter(kind=Account.Kind.PERSONAL).count() == 2


def test_cardholder_create_refuses_a_disagreeing_birth_date():
    with pytest.raises(ValidationError) as refused:
        services.cardholder_create(
            name="X",
            national_id="110105198503150019",
            card_number="B1",
            date_of_birth=date(1985, 3, 16),
        )
    assert "date_of_birth" in errors_of(refused)
    assert not Cardholder.objects.exists()


def test_cardholder_registers_and_is_linked(zhang):
    user = register(card_number=" a10000001 ", national_id="110105198503150019 ")

    assert user.national_id == "110105198503150019"
    assert user.username == zhang.national_id_digest  # the number itself is not the username
    zhang.refresh_from_db()
    assert zhang.user == user
    request = RequestFactory().post("/login/")  # django-axes counts attempts per request
    login = login_username("110105198503150019")
    assert authenticate(request, username=login, password=PASSWORD) == user


def test_lower_case_x_is_stored_upper_case():
    user = register(national_id="11010519491231002x", card_number="", name="Heir")
    assert user.national_id == "11010519491231002X"
    assert user.username == login_username("11010519491231002X")
    assert not Cardholder.objects.filter(user=user).exists()


@pytest.mark.parametrize("bad", ["110105198503150018", "11010519850315001", "1101051985031500AB"])
def test_bad_id_is_refused_on_the_field(zhang, bad):
    with pytest.raises(ValidationError) as refused:
        register(national_id=bad)
    assert "national_id" in errors_of(refused)
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "110105198503150019"])
def test_weak_password_is_refused(zhang, password):
    with pytest.raises(ValidationError) as refused:
        register(password=password)
    assert "password" in errors_of(refused)
    assert not get_user_model().objects.exists()


def test_bad_email_and_missing_name_are_named(zhang):
    with pytest.raises(ValidationError) as refused:
        register(email="not-an-email", name="  ")
    assert {"email", "name"} <= set(errors_of(refused))


@pytest.mark.parametrize(
    "overrides",
    [
        {"card_number": "A10000009"},  # someone else's or no card
        {"name": "Li Na"},  # wrong name
        {"national_id": "440524188001010014"},  # valid ID, not this card's
    ],
)
def test_card_mismatch_gets_one_generic_message(zhang, overrides):
    with pytest.raises(ValidationError) as refused:
        register(**overrides)
    messages = errors_of(refused)
    assert list(messages) == [NON_FIELD_ERRORS]
    assert GENERIC in messages[NON_FIELD_ERRORS][0]
    assert not get_user_model().objects.exists()


def test_an_id_registers_only_once(zhang):
    register()
    zhang.refresh_from_db()
    linked_to = zhang.user
    with pytest.raises(ValidationError) as refused:
        register(national_id="110105198503150019")
    assert "national_id" in errors_of(refused)  # the same ID cannot register twice
    zhang.refresh_from_db()
    assert zhang.user == linked_to


def test_deceased_cardholder_cannot_register(zhang):
    Cardholder.objects.filter(pk=zhang.pk).update(
        life_status="deceased", date_of_death="2026-01-05"
    )
    with pytest.raises(ValidationError) as refused:
        register()
    assert GENERIC in errors_of(refused)[NON_FIELD_ERRORS][0]


def test_cardholder_without_card_number_is_asked_for_it(zhang):
    with pytest.raises(ValidationError) as refused:
        register(card_number="")
    assert "card_number" in errors_of(refused)


def test_heir_registers_without_a_card():
    user = register(national_id="440524188001010014", name="Liu Yang", card_number="")
    assert user.first_name == "Liu Yang"
    assert user.check_password(PASSWORD)
    assert not Cardholder.objects.filter(user=user).exists()


# --- the heir's own identity --------------------------------------------------------------


def test_an_heir_registers_with_their_own_id_number_and_name(django_capture_on_commit_callbacks):
    from django.db import connection

    from accounts.selectors import applicant_identity

    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.heir_register(
            national_id="４４０５２４ 1880 0101 001４",  # full-width digits and spaces
            password=PASSWORD,
            name="  Liu   Yang ",
            email="yang@example.org",
        )
    assert outcome == services.HeirRegistration.CREATED
    user = get_user_model().objects.get(first_name="Liu Yang")
    assert user.national_id == "440524188001010014"
    assert user.username == login_username("440524188001010014")
    # Stored encrypted like a cardholder's: the row does not hold the number.
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id FROM accounts_user WHERE id = %s", [user.pk])
        (stored,) = cursor.fetchone()
    assert stored and "440524188001010014" not in stored

    identity = applicant_identity(user)
    assert identity.name == "Liu Yang"
    assert identity.masked_national_id == "440524********0014"
    assert identity.same_name("liu  yang") and not identity.same_name("Liu Yan")
    assert identity.national_id_digest == user.username
    assert applicant_identity(get_user_model()(username="staff")) is None


def test_an_id_number_is_one_heir_only():
    first = services.heir_register(
        national_id="440524188001010014", password=PASSWORD, name="Liu Yang", email="a@b.org"
    )
    second = services.heir_register(
        national_id="440524188001010014 ", password=PASSWORD, name="Someone", email="c@d.org"
    )
    assert (first, second) == ("created", "already_registered")
    assert get_user_model().objects.filter(national_id__isnull=False).count() == 1


def test_an_insured_id_number_is_not_an_heir_login(zhang):
    outcome = services.heir_register(
        national_id=zhang.national_id, password=PASSWORD, name="Zhang Wei", email="z@w.org"
    )
    assert outcome == services.HeirRegistration.INSURED
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize("name", ["Liu\u202eYang", "Liu\u200bYang", "Liu\x07Yang"])
def test_names_with_control_or_invisible_characters_are_refused(client, name):
    response = client.post(
        "/register/heir/",
        {
            "national_id": "440524188001010014",
            "name": name,
            "email": "a@b.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "letters, spaces" in response.content.decode()
    assert not get_user_model().objects.exists()
