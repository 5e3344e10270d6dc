"""The logged-in user, read in one written-out query with what nearly every request
asks for next.

Every page and API call reads its user (by the session's user id, or by the API
token). The pages then ask for the user's cardholder record and, for the overview and
the history, the version of the person's accounts (accounts.read_models); the
overview also asks how many cases the person has in progress. Each of those was a
round trip of its own. Here they are columns of the user's one query: the cardholder
record whole, each account's version (id, balance, status, newest entry) folded into
one text column, and the columns an app above accounts adds (`user_column`).

All of it is read in the same statement, so it is one consistent snapshot, and it is
read before any page is rendered from it: a page kept under that version is never
older than the version (accounts.read_models).

The query is written out rather than built through the ORM: it runs on every request,
and building it costs more than running it.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.sql import Query

from accounts.models import Account, Cardholder, LedgerEntry

_CARDHOLDER_PREFIX = "cardholder__"
CENT = Decimal("0.01")
# The accounts' versions, "id:scheme:kind:balance:status:newest entry id;…" (None: no
# card).
ACCOUNT_VERSIONS = "overview_accounts"


# name -> build_sql() -> (sql, params): a scalar subquery that refers to the user as
# `u` (e.g. `u.id`), read as the user's attribute `name`.
_extra_columns = {}


def user_column(name, build_sql):
    """Read `build_sql() -> (sql, params)` with the user as the attribute `name` from
    now on (an app's AppConfig.ready provides it; the SQL is built when first asked)."""
    _extra_columns[name] = build_sql


_USER_SQL = """
SELECT {columns}, {cardholder_columns},
  {account_versions} AS {account_versions_name}{extra_columns}
FROM {users} u {token_join}
LEFT JOIN {cardholders} c ON c.user_id = u.id
WHERE {where}
"""

_TOKEN_JOIN = "JOIN {tokens} t ON t.user_id = u.id"  # noqa: S105 - a join, not a secret

# The newest entry is looked up as an (account, id) range so that the (account, -id)
# index answers it in one step, whatever the planner thinks of the account.
_ACCOUNT_VERSION = """a.id || ':' || a.scheme || ':' || a.kind || ':' || a.balance || ':' ||
  a.status || ':' || COALESCE(
  (SELECT e.id FROM {entries} e WHERE e.account_id >= a.id AND e.account_id <= a.id
   ORDER BY e.account_id, e.id DESC LIMIT 1), 0)"""

_AGGREGATE = {
    "postgresql": "(SELECT string_agg({version}, ';' ORDER BY a.id) FROM {accounts} a "
    "WHERE a.cardholder_id = c.id)",
    # SQLite's group_concat has no order of its own: read_models sorts the parts.
    "sqlite": "(SELECT group_concat({version}, ';') FROM {accounts} a "
    "WHERE a.cardholder_id = c.id)",
}


def _account_versions_sql():
    version = _ACCOUNT_VERSION.format(entries=LedgerEntry._meta.db_table)
    template = _AGGREGATE.get(connection.vendor, _AGGREGATE["sqlite"])
    return template.format(version=version, accounts=Account._meta.db_table)


_queries = {}


def _user_sql(by_token):
    """(sql, params before the key) of the user's query, by token key or by user id."""
    key = (connection.vendor, by_token, tuple(_extra_columns))
    if key not in _queries:
        _queries[key] = _build_user_sql(by_token)
    return _queries[key]


def _build_user_sql(by_token):
    # The user's encrypted columns stay deferred (read if asked for): decrypting one
    # costs more than the rest of the look-up, and authenticating reads none.
    from encrypted_fields.fields import EncryptedFieldMixin
    from rest_framework.authtoken.models import Token

    users = get_user_model()
    quote = connection.ops.quote_name
    columns = [
        f"u.{quote(field.column)}"
        for field in users._meta.concrete_fields
        if not isinstance(field, EncryptedFieldMixin)
    ]
    if by_token:
        columns.append("t.created AS token_created")
    cardholder_columns = ", ".join(
        f"c.{quote(field.column)} AS {quote(_CARDHOLDER_PREFIX + field.attname)}"
        for field in Cardholder._meta.concrete_fields
    )
    extra_sql, params = [], []
    for name, build_sql in _extra_columns.items():
        sql, column_params = build_sql()
        extra_sql.append(f",\n  {sql} AS {quote(name)}")
        params.extend(column_params)
    sql = _USER_SQL.format(
        columns=", ".join(columns),
        cardholder_columns=cardholder_columns,
        account_versions=_account_versions_sql(),
        account_versions_name=quote(ACCOUNT_VERSIONS),
        extra_columns="".join(extra_sql),
        users=users._meta.db_table,
        token_join=_TOKEN_JOIN.format(tokens=Token._meta.db_table) if by_token else "",
        cardholders=Cardholder._meta.db_table,
        where="t.key = %s" if by_token else "u.id = %s",
    )
    return sql, params


def user_by_token(key):
    """The user of API token `key` (with `token_created`), or None."""
    return _read_user(True, key)


def user_by_id(user_id):
    """The user `user_id`, or None."""
    return _read_user(False, user_id)


def _read_user(by_token, value):
    sql, params = _user_sql(by_token)
    if connection.vendor == "postgresql":
        sql, params = f"EXECUTE {_prepared(sql, params)}(%s)", []
    user = next(iter(get_user_model().objects.raw(sql, [*params, value])), None)
    if user is not None:
        _attach_cardholder(user)
    return user


def _prepared(sql, params):
    """The name of `sql` prepared on this database connection (its last placeholder,
    the user's id or token, left as the statement's one parameter).

    PostgreSQL spends longer planning the user's query than running it (its
    subqueries); a prepared statement is planned once per connection. Prepared
    statements outlive transactions, rolled back or not, and end with the connection:
    the names are kept together with the connection they were prepared on."""
    name = "sscard_user_" + hashlib.sha256(sql.encode()).hexdigest()[:16]
    connection.ensure_connection()
    raw = connection.connection
    known = getattr(connection, "_sscard_prepared", None)
    if known is None or known[0] is not raw:
        known = connection._sscard_prepared = (raw, set())
    if name not in known[1]:
        head, tail = sql.rsplit("%s", 1)
        with connection.cursor() as cursor:
            # The workflows' names are bound as literals; the user's key stays $1.
            cursor.execute(f"PREPARE {name} AS {head}$1{tail}", params)
        known[1].add(name)
    return name


def _attach_cardholder(user):
    """Turn the cardholder columns read with `user` into `user.cardholder` (None when
    the user holds no card), converted as the ORM converts them."""
    fields = Cardholder._meta.concrete_fields
    values = [user.__dict__.pop(_CARDHOLDER_PREFIX + field.attname) for field in fields]
    cardholder = None
    if values[fields.index(Cardholder._meta.pk)] is not None:
        compiler = connection.ops.compiler("SQLCompiler")(Query(Cardholder), connection, None)
        converters = compiler.get_converters(
            [field.get_col(Cardholder._meta.db_table) for field in fields]
        )
        if converters:
            values = next(iter(compiler.apply_converters([values], converters)))
        cardholder = Cardholder.from_db(
            connection.alias, [field.attname for field in fields], list(values)
        )
    type(user).cardholder.related.set_cached_value(user, cardholder)
    if cardholder is not None:
        Cardholder.user.field.set_cached_value(cardholder, user)


@dataclass(frozen=True)
class AccountVersion:
    """One of the user's accounts as the user's query read it."""

    id: int
    scheme: str
    kind: str
    balance: Decimal
    status: str
    text: str  # all of it, newest entry id included: changes with every posting


def account_versions(user):
    """The user's accounts in id order as read with `user`, or None when `user` was
    not read here (the caller then reads the user again: `user_by_id`)."""
    text = getattr(user, ACCOUNT_VERSIONS, _NOT_READ)
    if text is _NOT_READ:
        return None
    versions = []
    for part in text.split(";") if text else ():
        account_id, scheme, kind, balance, status, _newest = part.split(":")
        # PostgreSQL writes the numeric as it is; SQLite its number's shortest form.
        balance = Decimal(balance).quantize(CENT)
        versions.append(AccountVersion(int(account_id), scheme, kind, balance, status, part))
    return sorted(versions, key=lambda version: version.id)


def read_with_versions(user):
    """`user` itself when it was read here, else the same user read afresh (None when
    it is gone)."""
    if account_versions(user) is not None:
        return user
    return user_by_id(user.pk)


_NOT_READ = object()
