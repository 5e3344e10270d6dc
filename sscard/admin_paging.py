"""Admin change lists that open fast on tables of millions of rows.

Django's admin paginator runs ``SELECT COUNT(*)`` over the list's queryset on every
page view, and its page links reach the last page with an ``OFFSET`` of the whole
list; on PostgreSQL both read every matching row. Over a big table (the planner's
``pg_class.reltuples`` at or above ``ESTIMATE_ABOVE``) this paginator instead:

- unfiltered: takes the table estimate;
- filtered or searched: reads the ids of at most ``COUNT_UP_TO + 1`` matching rows,
  unordered (a ``LIMIT``-ed scan stops as soon as that many match; when they fit on
  one page, they are the rows shown, fetched by id). Up to ``COUNT_UP_TO`` the count
  is exact; beyond it, the planner's row estimate for the filtered query (``EXPLAIN``)
  is shown as "about N", or "more than COUNT_UP_TO" when the planner expects fewer;
- links only the pages within the first ``COUNT_UP_TO`` rows, so no page skips more
  than that many. Older rows are reached by a filter (the date filters) or by
  reversing the sort order.

Small tables keep Django's exact count and every page.
"""

import math

from django.contrib.admin.options import ShowFacets
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext

# Below this many rows (planner's estimate) a table is counted and paged like Django does.
ESTIMATE_ABOVE = 50_000
# A filtered list over a big table is counted exactly up to this many rows, and its
# pages reach this far.
COUNT_UP_TO = 10_000

EXACT = "exact"
ESTIMATE = "estimate"
MORE_THAN = "more_than"


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


def planned_rows(queryset):
    """The planner's estimate of how many rows `queryset` returns (EXPLAIN, not run)."""
    query = queryset.order_by().query
    sql, params = query.get_compiler(using=queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return int(plan[0]["Plan"]["Plan Rows"])


def ids_up_to(queryset, limit):
    """The ids of at most `limit` matching rows, in no order: the scan stops once
    `limit` rows match (a sequential scan for a common value stops early)."""
    return list(queryset.order_by().values_list("pk", flat=True)[:limit])


def is_unfiltered(queryset):
    query = queryset.query
    return not query.where and not query.distinct and query.combinator is None


def about(number):
    """`number` rounded to two significant digits, for an estimate: 1,104,371 → 1,100,000."""
    if number < 100:
        return number
    return round(number, 2 - len(str(number)))


class EstimatedCountPaginator(Paginator):
    """Counts and pages a big table's list without reading all of it.

    ``count`` is what the admin numbers the pages with; ``count_kind`` says whether it
    is exact, an estimate or a lower bound, and ``count_text`` words it for people
    ("about 1,100,000", "more than 10,000")."""

    count_kind = EXACT
    big_table = False
    all_rows = None  # every row of a filtered list that fits on one page, once read

    @cached_property
    def count(self):
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        table_rows = estimated_rows(queryset.model, queryset.db)
        if table_rows is None or table_rows < ESTIMATE_ABOVE:
            return super().count
        self.big_table = True
        if is_unfiltered(queryset):
            self.count_kind = ESTIMATE
            return table_rows
        ids = ids_up_to(queryset, COUNT_UP_TO + 1)
        counted = len(ids)
        if counted <= self.per_page:
            # A filter that matches few rows may have had to read the whole table to
            # find them (no index on its column): fetch those by id, not scan again.
            self.all_rows = list(queryset.filter(pk__in=ids))
            return counted
        if counted <= COUNT_UP_TO:
            return counted
        planned = planned_rows(queryset)
        if planned > COUNT_UP_TO:
            self.count_kind = ESTIMATE
            return planned
        self.count_kind = MORE_THAN
        return counted

    @property
    def count_is_exact(self):
        self.count  # noqa: B018 -- taking the count sets count_kind
        return self.count_kind == EXACT

    @property
    def count_text(self):
        count = self.count
        if self.count_kind == ESTIMATE:
            shown = number_format(about(count), force_grouping=True)
            return gettext("about %(count)s") % {"count": shown}
        if self.count_kind == MORE_THAN:
            shown = number_format(COUNT_UP_TO, force_grouping=True)
            return gettext("more than %(count)s") % {"count": shown}
        return number_format(count, force_grouping=True)

    @property
    def result_text(self):
        """ "about 1,100,000 results", "more than 10,000 results", "1 result"."""
        number = self.count if self.count_is_exact else 2
        text = ngettext("%(count)s result", "%(count)s results", number)
        return text % {"count": self.count_text}

    @cached_property
    def all_pages(self):
        """How many pages the count makes, linked or not."""
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return math.ceil(max(1, self.count - self.orphans) / self.per_page)

    @cached_property
    def num_pages(self):
        """The pages linked: on a big table, those within the first COUNT_UP_TO rows."""
        pages = self.all_pages
        if self.big_table:
            pages = min(pages, max(1, COUNT_UP_TO // self.per_page))
        return pages

    @property
    def pages_cut_off(self):
        """True when rows lie beyond the last linked page."""
        return self.all_pages > self.num_pages


class BigChangeList(ChangeList):
    """A change list that sorts only by the columns offered for sorting (``sortable_by``),
    even when another is asked for in the address (``?o=``): those would sort the table."""

    def get_ordering_field(self, field_name):
        if field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)

    def get_results(self, request):
        super().get_results(request)
        rows = getattr(self.paginator, "all_rows", None)
        if rows is not None and not self.multi_page:
            # The paginator fetched them by id while counting: show those rather than
            # search the table for them again.
            self.result_list._result_cache = rows


class BigListAdminMixin:
    """Defaults for a model admin over a very large table: the paginator above, no
    second, unfiltered count, no facet counts, and sorting only by ``sortable_by``. Such
    a list should be ordered by an indexed column (the primary key) so its first page
    is an index walk, not a sort, and offer for sorting only columns an index serves."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_changelist(self, request, **kwargs):
        return BigChangeList
