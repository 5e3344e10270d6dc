"""Names as on the ID card: identification matches either form, English shows romanised."""

import pytest
from django.utils import translation

from accounts.names import names_match, normalise_name
from tests.factories import CardholderFactory, UserFactory
from withdrawals import services
from withdrawals.exceptions import IdentificationFailed


def test_normalisation_is_nfkc_without_spaces_and_caseless():
    assert normalise_name(" Ｗａｎｇ　Ｆａｎｇ ") == "wangfang"  # full-width letters and space
    assert normalise_name("王 芳") == "王芳"


@pytest.mark.parametrize("typed", ["王芳", " 王 芳 ", "wang fang", "WANGFANG", "Ｗａｎｇ Ｆａｎｇ"])
def test_either_form_matches(typed):
    assert names_match(typed, "王芳", "Wang Fang")


@pytest.mark.parametrize("typed", ["", "  ", "王", "Wang Fan", "李娜"])
def test_other_names_do_not(typed):
    assert not names_match(typed, "王芳", "Wang Fang")


def test_blank_romanised_name_never_matches_blank():
    assert not names_match("", "王芳", "")


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["王芳", "wang fang", "Wang Fang", "王 芳"])
def test_an_heir_finds_the_deceased_by_either_name(typed):
    wang = CardholderFactory(name="王芳", romanised_name="Wang Fang")
    found = services.cardholder_identify(
        national_id=wang.national_id,
        name=typed,
        card_number=wang.card_number,
        requester=UserFactory(),
    )
    assert found == wang


@pytest.mark.django_db
def test_a_wrong_name_is_still_refused():
    wang = CardholderFactory(name="王芳", romanised_name="Wang Fang")
    with pytest.raises(IdentificationFailed):
        services.cardholder_identify(
            national_id=wang.national_id,
            name="王方",
            card_number=wang.card_number,
            requester=UserFactory(),
        )


@pytest.mark.django_db
def test_display_name_follows_the_language():
    wang = CardholderFactory(name="王芳", romanised_name="Wang Fang")
    with translation.override("en"):
        assert wang.display_name() == "Wang Fang"
    with translation.override("zh-hans"):
        assert wang.display_name() == "王芳"
    assert CardholderFactory(name="李娜").display_name("en") == "李娜"


@pytest.mark.django_db
def test_the_english_dashboard_shows_the_romanised_name(client):
    user = UserFactory()
    CardholderFactory(user=user, name="王芳", romanised_name="Wang Fang")
    client.force_login(user)
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Hello Wang Fang." in english
    assert "王芳" in chinese
