"""The request's user query (accounts.user_reads): what it reads must be what the ORM
reads, and on PostgreSQL its prepared statement must follow the connection."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from rest_framework.authtoken.models import Token

from accounts import user_reads
from accounts.models import Account, Cardholder, Scheme, User
from casework.in_progress import cases_in_progress
from tests.factories import CardholderFactory, UserFactory, WithdrawalApplicationFactory
from tests.web.conftest import ensure_national_rates

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    ensure_national_rates()
    user = UserFactory(username="alice", first_name="Alice")
    CardholderFactory(user=user, name="Alice Wang")
    return user


def _fields(instance):
    return [getattr(instance, field.attname) for field in instance._meta.concrete_fields]


def test_the_user_and_the_cardholder_are_read_as_the_orm_reads_them(alice):
    user = user_reads.user_by_id(alice.pk)
    expected = User.objects.get(pk=alice.pk)
    unread = user.get_deferred_fields()
    assert unread == {"national_id"}  # encrypted, read only when asked for
    read = [f.attname for f in User._meta.concrete_fields if f.attname not in unread]
    assert [getattr(user, name) for name in read] == [getattr(expected, name) for name in read]
    assert _fields(user.cardholder) == _fields(Cardholder.objects.get(user=alice))
    assert user.cardholder.user is user


def test_the_accounts_come_with_their_balances_and_the_count_of_cases(alice):
    medical = Account.objects.get(cardholder__user=alice, scheme=Scheme.MEDICAL, kind="personal")
    Account.objects.filter(pk=medical.pk).update(balance=Decimal("123.40"))
    user = user_reads.user_by_id(alice.pk)
    versions = user_reads.account_versions(user)
    expected = Account.objects.filter(cardholder__user=alice).order_by("id")
    assert [(v.id, v.scheme, v.kind, v.balance, v.status) for v in versions] == [
        (a.id, a.scheme, a.kind, a.balance, a.status) for a in expected
    ]
    assert next(v for v in versions if v.id == medical.pk).balance == Decimal("123.40")
    assert user.cases_in_progress == 0


def test_the_count_of_cases_in_progress_is_the_applicants_own(alice):
    WithdrawalApplicationFactory(applicant=alice)  # a draft: in progress
    WithdrawalApplicationFactory()  # someone else's
    user = user_reads.user_by_id(alice.pk)
    assert user.cases_in_progress == cases_in_progress(alice).count() == 1


def test_someone_without_a_card_has_no_cardholder_and_no_accounts():
    heir = UserFactory(username="heir")
    user = user_reads.user_by_id(heir.pk)
    assert type(user).cardholder.related.get_cached_value(user) is None
    assert user_reads.account_versions(user) == []


def test_an_unknown_user_or_token_is_none(alice):
    assert user_reads.user_by_id(alice.pk + 1000) is None
    assert user_reads.user_by_token("0" * 40) is None


def test_the_token_brings_when_it_was_issued(alice):
    token, _ = Token.objects.get_or_create(user=alice)
    user = user_reads.user_by_token(token.key)
    assert user.pk == alice.pk and user.token_created == token.created


def _prepared_here():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall() if name.startswith("sscard_user_")}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_prepared_statement_follows_the_connection(alice):
    assert user_reads.user_by_id(alice.pk).cardholder.name == "Alice Wang"
    executed = user_reads._shape(by_token=False).sql  # EXECUTE <name>(%s)
    name = executed.removeprefix("EXECUTE ").split("(")[0]
    assert name in _prepared_here()
    connection.close()  # a new connection knows no prepared statement
    assert _prepared_here() == set()
    # Prepared inside a transaction that rolls back: it stays (PREPARE is not undone).
    with pytest.raises(RuntimeError), transaction.atomic():
        assert user_reads.user_by_id(alice.pk).cardholder.name == "Alice Wang"
        raise RuntimeError("roll back")
    assert name in _prepared_here()
    assert user_reads.user_by_id(alice.pk).cardholder.name == "Alice Wang"
