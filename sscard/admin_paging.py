"""Admin change lists that open fast on tables of millions of rows.

Django's admin paginator runs ``SELECT COUNT(*)`` over the list's queryset on every
page view; on PostgreSQL that reads the whole table. For an unfiltered list of a big
table the planner's estimate (``pg_class.reltuples``, kept by autovacuum/ANALYZE) is
good enough to number the pages; once a filter or search narrows the list, the exact
count is taken (those lists are small, and an index usually serves them).
"""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this many rows an exact count is cheap, and exact.
ESTIMATE_ABOVE = 50_000


def estimated_rows(model, using="default"):
    """The planner's row estimate for `model`'s table, or None where there is none."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [model._meta.db_table],
        )
        row = cursor.fetchone()
    if row is None or row[0] is None or row[0] < 0:  # -1: never analysed
        return None
    return int(row[0])


def is_unfiltered(queryset):
    query = queryset.query
    return not query.where and not query.distinct and query.combinator is None


class EstimatedCountPaginator(Paginator):
    """A Paginator whose count is the planner's estimate for an unfiltered big table,
    and the exact count otherwise."""

    @cached_property
    def count(self):
        queryset = self.object_list
        if isinstance(queryset, QuerySet) and is_unfiltered(queryset):
            estimate = estimated_rows(queryset.model, queryset.db)
            if estimate is not None and estimate >= ESTIMATE_ABOVE:
                return estimate
        return super().count


class BigListAdminMixin:
    """Defaults for a model admin over a very large table: the estimated page count and
    no second, unfiltered count. Such a list should also be ordered by an indexed
    column (the primary key) so its first page is an index walk, not a sort."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
