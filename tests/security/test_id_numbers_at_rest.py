"""National ID numbers at rest: encrypted in the database, found by a keyed digest, and
re-keyed by `rotate_pii_keys` without anyone losing their login."""

import hashlib
import hmac
import io

import pytest
from axes.models import AccessFailureLog
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from accounts import services
from accounts.models import Cardholder, User
from tests.factories import PASSWORD, CardholderFactory, EmployerFactory

pytestmark = pytest.mark.django_db

HOLDER_ID = "11010519491231002X"
HEIR_ID = "440524188001010014"


def text_columns():
    """(table, column) of every text-like column of the project's database."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            for column in connection.introspection.get_table_description(cursor, table):
                if column.type_code in TEXT_TYPES:
                    yield table, column.name


TEXT_TYPES = {25, 1043, 1042, 114, 3802}  # PostgreSQL's text, varchar, char, json, jsonb


def rows_containing(needle):
    hits = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(
                f"SELECT COUNT(*) FROM {quote(table)} "  # noqa: S608 - names from the schema
                f"WHERE UPPER(CAST({quote(column)} AS TEXT)) LIKE %s",
                [f"%{needle}%"],
            )
            if cursor.fetchone()[0]:
                hits.append(f"{table}.{column}")
    return hits


@pytest.mark.postgres
def test_after_a_realistic_run_no_column_holds_an_id_number(client, tmp_path):
    holder = CardholderFactory(
        national_id=HOLDER_ID, name="Zhao Min", date_of_birth="1949-12-31", gender="F"
    )
    # A cardholder and an heir register, log in (once wrongly), and a payroll arrives.
    services.user_register(
        national_id=HOLDER_ID.lower(),
        password=PASSWORD,
        name="Zhao Min",
        email="min@example.org",
        card_number=holder.card_number,
    )
    services.user_register(
        national_id=HEIR_ID, password=PASSWORD, name="Liu Yang", email="yang@example.org"
    )
    client.post("/login/", {"username": HOLDER_ID, "password": "wrong"})
    assert client.post("/login/", {"username": HOLDER_ID, "password": PASSWORD}).status_code == 302
    client.logout()
    assert client.post("/login/", {"username": HEIR_ID, "password": PASSWORD}).status_code == 302
    payroll = tmp_path / "payroll.csv"
    payroll.write_text(
        "employer_credit_code,national_id,month,wage_base\n"
        f"{EmployerFactory().credit_code},{HOLDER_ID},2025-01,8000.00\n"
    )
    call_command("import_contributions", str(payroll), stdout=io.StringIO())

    assert holder.contributions.exists()
    assert rows_containing(HOLDER_ID) == []
    assert rows_containing(HEIR_ID) == []
    assert Cardholder.objects.with_national_id(HOLDER_ID).get().national_id == HOLDER_ID
    assert User.objects.get(national_id__isnull=False, first_name="Liu Yang").national_id == HEIR_ID


def test_the_digest_is_keyed(settings):
    holder = CardholderFactory(national_id=HOLDER_ID)
    plain = hashlib.sha256(HOLDER_ID.encode()).hexdigest()
    keyed = hmac.new(settings.SSCARD_ID_HASH_KEY.encode(), HOLDER_ID.encode(), "sha256")
    assert holder.national_id_digest == keyed.hexdigest() != plain


def test_a_second_cardholder_with_the_same_number_is_refused_by_name():
    CardholderFactory(national_id=HOLDER_ID)
    with pytest.raises(ValidationError) as refused:
        services.cardholder_create(name="Copy", national_id=HOLDER_ID, card_number="C1")
    assert refused.value.message_dict["national_id"] == [
        "A cardholder with this ID number already exists."
    ]


def test_admin_search_finds_a_whole_id_number_only(client, settings):
    from tests.conftest import otp_login
    from tests.factories import StaffFactory

    CardholderFactory(national_id=HOLDER_ID, name="Zhao Min")
    otp_login(client, StaffFactory(is_superuser=True))
    found = client.get("/admin/accounts/cardholder/", {"q": HOLDER_ID.lower()})
    partial = client.get("/admin/accounts/cardholder/", {"q": HOLDER_ID[:10]})
    assert "Zhao Min" in found.content.decode()
    assert "Zhao Min" not in partial.content.decode()


def test_rotating_both_keys_keeps_everyone_able_to_log_in(client, settings):
    settings.SALT_KEY = ["salt-2025"]
    settings.SSCARD_ID_HASH_KEY = "hash-key-2025"
    holder = CardholderFactory(national_id=HOLDER_ID, name="Zhao Min")
    services.user_register(
        national_id=HOLDER_ID,
        password=PASSWORD,
        name="Zhao Min",
        email="min@example.org",
        card_number=holder.card_number,
    )
    client.post("/login/", {"username": HOLDER_ID, "password": "wrong"})

    # New keys in front, the old ones still accepted until the re-key has run.
    settings.SALT_KEY = ["salt-2026", "salt-2025"]
    settings.SSCARD_ID_HASH_KEY = "hash-key-2026"
    settings.SSCARD_ID_HASH_KEYS_PREVIOUS = ["hash-key-2025"]
    assert Cardholder.objects.with_national_id(HOLDER_ID).get() == holder
    assert client.post("/login/", {"username": HOLDER_ID, "password": PASSWORD}).status_code == 302
    client.logout()

    call_command("rotate_pii_keys", stdout=io.StringIO())

    # The old keys can go: everything was rewritten under the new ones.
    settings.SALT_KEY = ["salt-2026"]
    settings.SSCARD_ID_HASH_KEYS_PREVIOUS = []
    holder.refresh_from_db()
    user = User.objects.get(pk=holder.user_id)
    new_digest = hmac.new(b"hash-key-2026", HOLDER_ID.encode(), "sha256").hexdigest()
    assert holder.national_id == HOLDER_ID == user.national_id
    assert holder.national_id_digest == new_digest == user.username
    assert AccessFailureLog.objects.filter(username=new_digest).count() == 1
    assert client.post("/login/", {"username": HOLDER_ID, "password": PASSWORD}).status_code == 302
