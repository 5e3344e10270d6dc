"""The logged-in user, read in one written-out query with what nearly every request
asks for next.

Every page and API call reads its user (by the session's user id, or by the API
token). The pages then ask for the user's cardholder record and, for the overview, the
history and the account list, the person's accounts and their versions
(accounts.read_models); the overview also asks how many cases the person has in
progress. Each of those was a round trip of its own. Here they are columns of the
user's one query: the cardholder record whole, each account (id, scheme, kind,
balance, status and newest entry) folded into one text column, and the columns the
apps above accounts add (`user_column`).

All of it is read in the same statement, so it is one consistent snapshot, and it is
read before any page is rendered from it: a page kept under that version is never
older than the version (accounts.read_models).

The query is written out rather than built through the ORM, prepared once per
connection on PostgreSQL, and its row is converted with converters built once per
connection: it runs on every request, and building it cost more than running it.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.sql import Query

from accounts.models import Account, Cardholder, LedgerEntry

_CARDHOLDER_PREFIX = "cardholder__"
_CARDHOLDER_PK = Cardholder._meta.concrete_fields.index(Cardholder._meta.pk)
CENT = Decimal("0.01")
# The accounts' versions, "id:scheme:kind:balance:status:newest entry id;…" (None: no
# card).
ACCOUNT_VERSIONS = "overview_accounts"


# name -> build_sql() -> (sql, params): a scalar subquery that refers to the user as
# `u` (e.g. `u.id`) and to their cardholder record as `c` (NULL without a card), read
# as the user's attribute `name`.
_extra_columns = {}


def user_column(name, build_sql):
    """Read `build_sql() -> (sql, params)` with the user as the attribute `name` from
    now on (an app's AppConfig.ready provides it; the SQL is built when first asked)."""
    _extra_columns[name] = build_sql


_USER_SQL = """
SELECT {columns}
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
    # SQLite's group_concat has no order of its own: `_parse_versions` sorts the parts.
    "sqlite": "(SELECT group_concat({version}, ';') FROM {accounts} a "
    "WHERE a.cardholder_id = c.id)",
}


def _account_versions_sql():
    version = _ACCOUNT_VERSION.format(entries=LedgerEntry._meta.db_table)
    template = _AGGREGATE.get(connection.vendor, _AGGREGATE["sqlite"])
    return template.format(version=version, accounts=Account._meta.db_table)


@dataclass(frozen=True)
class _Shape:
    """The user's query on one database connection, and how to read its one row."""

    sql: str
    params: list
    user_fields: list  # attnames, in the row's order
    token_created: bool
    cardholder_fields: list
    extra_names: list  # ACCOUNT_VERSIONS, then the apps' columns
    converters: dict  # row position -> ([converter, …], expression), as the ORM's


def _shape(by_token):
    """The query's shape for this connection, built once: its converters are the
    connection's own, and on PostgreSQL its statement is prepared on it."""
    key = (by_token, tuple(_extra_columns))
    connection.ensure_connection()
    known = getattr(connection, "_sscard_user_shapes", None)
    # Prepared statements end with their connection: a new one starts afresh.
    if known is None or known[0] is not connection.connection:
        known = connection._sscard_user_shapes = (connection.connection, {})
    if key not in known[1]:
        known[1][key] = _build_shape(by_token)
    return known[1][key]


def _user_fields():
    # The user's encrypted columns stay deferred (read if asked for): decrypting one
    # costs more than the rest of the look-up, and authenticating reads none.
    from encrypted_fields.fields import EncryptedFieldMixin

    return [
        field
        for field in get_user_model()._meta.concrete_fields
        if not isinstance(field, EncryptedFieldMixin)
    ]


def written_sql(by_token=False):
    """(sql, params before the user's id or token key): the user's query as written."""
    from rest_framework.authtoken.models import Token

    quote = connection.ops.quote_name
    columns = [f"u.{quote(field.column)}" for field in _user_fields()]
    if by_token:
        columns.append("t.created AS token_created")
    columns += [
        f"c.{quote(field.column)} AS {quote(_CARDHOLDER_PREFIX + field.attname)}"
        for field in Cardholder._meta.concrete_fields
    ]
    columns.append(f"{_account_versions_sql()} AS {quote(ACCOUNT_VERSIONS)}")
    params = []
    for name, build_sql in _extra_columns.items():
        sql, column_params = build_sql()
        columns.append(f"{sql} AS {quote(name)}")
        params.extend(column_params)
    sql = _USER_SQL.format(
        columns=",\n  ".join(columns),
        users=get_user_model()._meta.db_table,
        token_join=_TOKEN_JOIN.format(tokens=Token._meta.db_table) if by_token else "",
        cardholders=Cardholder._meta.db_table,
        where="t.key = %s" if by_token else "u.id = %s",
    )
    return sql, params


def _build_shape(by_token):
    from rest_framework.authtoken.models import Token

    sql, params = written_sql(by_token)
    if connection.vendor == "postgresql":
        sql, params = f"EXECUTE {_prepare(sql, params)}(%s)", []
    user_fields = _user_fields()
    expressions = [field.get_col("u") for field in user_fields]
    if by_token:
        expressions.append(Token._meta.get_field("created").get_col("t"))
    cardholder_fields = Cardholder._meta.concrete_fields
    expressions += [field.get_col("c") for field in cardholder_fields]
    compiler = connection.ops.compiler("SQLCompiler")(Query(Cardholder), connection, None)
    return _Shape(
        sql=sql,
        params=params,
        user_fields=[field.attname for field in user_fields],
        token_created=by_token,
        cardholder_fields=[field.attname for field in cardholder_fields],
        extra_names=[ACCOUNT_VERSIONS, *_extra_columns],
        converters=compiler.get_converters(expressions),
    )


def _prepare(sql, params):
    """Prepare `sql` on this connection and return its name. Its last placeholder (the
    user's id or token) is the statement's one parameter; the workflows' names before
    it are bound as literals.

    PostgreSQL spends longer planning the user's query than running it (its
    subqueries); a prepared statement is planned once per connection. Prepared
    statements outlive transactions, rolled back or not, and end with the connection."""
    name = "sscard_user_" + hashlib.sha256(sql.encode()).hexdigest()[:16]
    head, tail = sql.rsplit("%s", 1)
    with connection.cursor() as cursor:
        cursor.execute(f"PREPARE {name} AS {head}$1{tail}", params)
    return name


def user_by_token(key):
    """The user of API token `key` (with `token_created`), or None."""
    return _read_user(True, key)


def user_by_id(user_id):
    """The user `user_id`, or None."""
    return _read_user(False, user_id)


def _read_user(by_token, value):
    shape = _shape(by_token)
    with connection.cursor() as cursor:
        cursor.execute(shape.sql, [*shape.params, value])
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for position, (converters, expression) in shape.converters.items():
        value = row[position]
        for converter in converters:
            value = converter(value, expression, connection)
        row[position] = value
    values = iter(row)
    user = get_user_model().from_db(
        connection.alias, shape.user_fields, [next(values) for _ in shape.user_fields]
    )
    if shape.token_created:
        user.token_created = next(values)
    cardholder_values = [next(values) for _ in shape.cardholder_fields]
    cardholder = None
    if cardholder_values[_CARDHOLDER_PK] is not None:  # the user holds a card
        cardholder = Cardholder.from_db(
            connection.alias, shape.cardholder_fields, cardholder_values
        )
        Cardholder.user.field.set_cached_value(cardholder, user)
    type(user).cardholder.related.set_cached_value(user, cardholder)
    for name in shape.extra_names:
        setattr(user, name, next(values))
    return user


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
    not read here (`read_with_versions` reads it again)."""
    text = getattr(user, ACCOUNT_VERSIONS, _NOT_READ)
    if text is _NOT_READ:
        return None
    parsed = getattr(user, "_account_versions", None)
    if parsed is None or parsed[0] is not text:
        parsed = user._account_versions = (text, _parse_versions(text))
    return parsed[1]


def _parse_versions(text):
    versions = []
    for part in text.split(";") if text else ():
        account_id, scheme, kind, balance, status, _newest = part.split(":")
        # PostgreSQL writes the numeric as it is; SQLite its number's shortest form.
        balance = Decimal(balance).quantize(CENT)
        versions.append(AccountVersion(int(account_id), scheme, kind, balance, status, part))
    return sorted(versions, key=lambda version: version.id)


def read_with_versions(user):
    """`user` itself when it was read here, else the same user read afresh; None for
    nobody logged in or a user who is gone."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if account_versions(user) is not None:
        return user
    return user_by_id(user.pk)


_NOT_READ = object()
