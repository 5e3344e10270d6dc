"""Recognising the request's user query (accounts.user_reads) among captured SQL."""

from accounts import user_reads


def is_user_query(sql, *, by_token=False):
    """The user's one query: on PostgreSQL executed as the statement prepared from it,
    elsewhere written out. Either way it carries the accounts' versions."""
    written, _params = user_reads.written_sql(by_token)
    assert '"overview_accounts"' in written and "JOIN accounts_cardholder" in written
    sql = sql.lstrip()
    if sql.startswith("EXECUTE sscard_user_"):
        return True
    return sql.startswith("SELECT u.") and "FROM accounts_user u" in sql
