"""Each field's hint and error are tied to its input for screen readers; Django sets
the attributes, the field template renders the elements they point at."""

import re

import pytest
from django.template.loader import render_to_string

from accounts.forms import ConfirmForm, RegistrationForm
from withdrawals.forms import CheckForm


def field_html(form, name):
    return render_to_string("accounts/includes/field.html", {"field": form[name]})


def ids_in(html):
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_a_hint_is_described_before_any_error():
    html = field_html(RegistrationForm(), "email")
    assert 'aria-describedby="id_email_helptext"' in html
    assert "aria-invalid" not in html
    assert "id_email_helptext" in ids_in(html)


@pytest.mark.django_db
def test_an_error_is_described_and_marks_the_input_invalid():
    form = RegistrationForm({"email": "not-an-email"})
    assert not form.is_valid()
    html = field_html(form, "email")
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert 'aria-invalid="true"' in html
    assert {"id_email_helptext", "id_email_error"} <= ids_in(html)


def test_a_tick_box_points_at_its_error():
    form = ConfirmForm({})
    assert not form.is_valid()
    html = field_html(form, "confirm")
    assert 'aria-describedby="id_confirm_error"' in html
    assert 'aria-invalid="true"' in html
    assert "id_confirm_error" in ids_in(html)


def test_a_radio_group_is_described_on_its_fieldset():
    form = CheckForm({})
    assert not form.is_valid()
    html = field_html(form, "reason")
    assert re.search(r'<fieldset class="fieldset" aria-describedby="\s*id_reason_error"', html)
    assert "id_reason_error" in ids_in(html)
    assert html.count('aria-invalid="true"') == 2  # each radio button
