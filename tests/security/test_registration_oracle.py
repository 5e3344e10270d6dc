"""Registering tells a stranger nothing about other people: the heir form answers the
same for a new ID number, one already registered and an insured person's (the e-mail
to the address given says which), the cardholder form gives one message for every
mismatch, and both are limited per client address and per ID number."""

import re

import pytest
from django.contrib.auth import get_user_model

from accounts import services
from tests.factories import CardholderFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Long-Enough-2026"
NEW_ID = "110105198001010032"
TAKEN_ID = "11010519491231002X"
INSURED_ID = "440524188001010014"


@pytest.fixture
def people():
    services.user_register(
        national_id=TAKEN_ID, password=PASSWORD, name="Zhao Min", email="min@example.org"
    )
    return CardholderFactory(national_id=INSURED_ID, name="Liu Yang", card_number="C77")


def heir_form(national_id, **overrides):
    data = {
        "national_id": national_id,
        "name": "Prober",
        "email": "prober@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def page_text(response):
    # The CSRF token differs per request; nothing else may.
    return re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode())


def test_the_heir_form_answers_the_same_for_every_id_number(
    client, people, mailoutbox, django_capture_on_commit_callbacks
):
    answers = []
    for number, address in ((NEW_ID, "10.0.0.1"), (TAKEN_ID, "10.0.0.2"), (INSURED_ID, "10.0.0.3")):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/register/heir/", heir_form(number), REMOTE_ADDR=address, follow=True
            )
        answers.append((response.status_code, response.redirect_chain, page_text(response)))
        client.cookies.clear()
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][1] == [("/login/", 302)]
    # The truth, by e-mail to the address given, and only one new account.
    bodies = [message.body for message in mailoutbox]
    assert "account is ready" in bodies[0]
    assert "already has an online account" in bodies[1]
    assert "insured person" in bodies[2]
    assert all(TAKEN_ID not in body and INSURED_ID not in body for body in bodies)
    logins = get_user_model().objects.filter(national_id__isnull=False)
    assert sorted(user.national_id for user in logins) == sorted([NEW_ID, TAKEN_ID])


def test_typing_mistakes_are_still_shown_on_the_field(client, people):
    response = client.post("/register/heir/", heir_form("110105198001010033"))
    assert response.status_code == 400
    assert "check character" in response.content.decode()


def test_the_cardholder_form_has_one_answer_for_registered_and_unknown(client, people):
    data = {**heir_form(TAKEN_ID), "card_number": "C77", "name": "Zhao Min"}
    registered = client.post("/register/cardholder/", data, REMOTE_ADDR="10.0.1.1")
    data = {**heir_form(NEW_ID), "card_number": "C77"}
    unknown = client.post("/register/cardholder/", data, REMOTE_ADDR="10.0.1.2")
    assert registered.status_code == unknown.status_code == 400
    assert "do not match our records" in registered.content.decode()
    assert "already registered" not in registered.content.decode()
    assert page_text(registered).replace("Zhao Min", "Prober").replace(
        TAKEN_ID, NEW_ID
    ) == page_text(unknown)


def test_thirty_probes_in_a_second_are_throttled_per_address(client, people):
    statuses = []
    for n in range(30):
        number = f"1101051980010{n:04d}"[:17]
        response = client.post("/register/heir/", heir_form(number + "0"), REMOTE_ADDR="10.0.2.1")
        statuses.append(response.status_code)
    assert statuses.count(429) == 20
    assert 429 not in statuses[:10]
    response = client.post("/register/heir/", heir_form(NEW_ID), REMOTE_ADDR="10.0.2.1")
    assert response.status_code == 429
    assert "Too many registration attempts" in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert not get_user_model().objects.filter(first_name="Prober").exists()
    # Another address is not affected.
    response = client.post("/register/heir/", heir_form(NEW_ID), REMOTE_ADDR="10.0.2.2")
    assert response.status_code == 302


def test_one_id_number_is_throttled_from_many_addresses(client, people):
    statuses = [
        client.post(
            "/register/cardholder/",
            {**heir_form(INSURED_ID.lower()), "card_number": f"GUESS{n}"},
            REMOTE_ADDR=f"10.0.3.{n}",
        ).status_code
        for n in range(7)
    ]
    assert statuses == [400] * 5 + [429] * 2
    # Even with the right card now: the ID number waits for the window.
    data = {**heir_form(INSURED_ID), "card_number": "C77", "name": "Liu Yang"}
    assert client.post("/register/cardholder/", data, REMOTE_ADDR="10.0.3.99").status_code == 429
