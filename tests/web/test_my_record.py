"""The person's own record: identity, card, and the employment history the
contributions show, on the page and at GET /api/v1/me/record/."""

from datetime import date
from decimal import Decimal

import pytest

from accounts import services
from accounts.models import Scheme
from tests.factories import CardholderFactory, EmployerFactory, UserFactory
from tests.web.conftest import MONTHS

pytestmark = pytest.mark.django_db


def pay(cardholder, employer, first, count):
    for n in range(count):
        month = date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1)
        services.contribution_post(
            cardholder=cardholder,
            scheme=Scheme.PENSION,
            month=month,
            wage=Decimal("8000.00"),
            employer=employer,
        )


def test_the_page_shows_identity_card_and_one_spell_per_employer_run(alice_client, alice):
    cardholder = alice.cardholder
    cardholder.ethnicity = "汉族"
    cardholder.domicile = "北京市海淀区"
    cardholder.save()
    later = EmployerFactory(name="Beta Works Ltd")
    pay(cardholder, later, date(2026, 1, 1), 3)  # after a gap
    html = alice_client.get("/record/").content.decode()
    assert "汉族" in html and "北京市海淀区" in html
    assert cardholder.masked_national_id in html
    assert cardholder.national_id not in html
    rows = html.split('data-testid="record-employment"')[1].split("</table>")[0]
    assert rows.index("Beta Works Ltd") < rows.index("Acme Tools Ltd")  # newest first
    assert f'<td role="cell" class="num" data-label="Months">{MONTHS}</td>' in rows
    assert '<td role="cell" class="num" data-label="Months">3</td>' in rows


def test_the_api_returns_the_record_in_a_fixed_number_of_queries(
    alice_client, alice, django_assert_max_num_queries
):
    pay(alice.cardholder, None, date(2026, 3, 1), 2)  # flexibly employed for two months
    # One read per section that adds lines to the record (accounts.extensions).
    with django_assert_max_num_queries(9):
        body = alice_client.get("/api/v1/me/record/").json()
    assert body["masked_national_id"] == alice.cardholder.masked_national_id
    assert body["card_status"] == "active"
    assert body["financial_function_activated"] is False
    spells = [
        (s["employer_name"], s["first_month"], s["months"]) for s in body["employment_history"]
    ]
    assert spells[0] == ("", "2026-03", 2)
    assert spells[1] == ("Acme Tools Ltd", "2023-01", MONTHS)


def test_people_without_a_card_have_no_record(client):
    user = UserFactory(username="heir-only")
    client.force_login(user)
    assert client.get("/api/v1/me/record/").status_code == 404
    assert client.get("/record/").status_code == 302  # to the overview, which explains


def test_the_history_query_count_does_not_grow_with_employers(
    client, django_assert_max_num_queries
):
    user = UserFactory(username="many")
    cardholder = CardholderFactory(user=user)
    for n in range(6):
        pay(cardholder, EmployerFactory(name=f"Employer {n}"), date(2020 + n, 1, 1), 2)
    client.force_login(user)
    with django_assert_max_num_queries(9):
        body = client.get("/api/v1/me/record/").json()
    assert len(body["employment_history"]) == 6
