"""The cases a person has in progress, for the notice on their overview.

The overview is served from the cache in one query, and a person with nothing in
progress should cost no more. So how many cases a person has in progress is a column
of the request's user query (accounts.user_reads, provided in casework's
AppConfig.ready): the notice appears with the first page after a claim is started and
goes once it is decided.
"""

from django.db.models import Q

from casework import workflow
from casework.models import Case

# The user's attribute the count is read into.
COUNT_COLUMN = "cases_in_progress"


def in_progress_q():
    """Cases of any kind that have not reached one of their kind's final states."""
    query = Q(pk__in=())
    for flow in workflow.all_workflows():
        query |= Q(kind=flow.kind) & ~Q(status__in=flow.final_states)
    return query


def cases_in_progress(user):
    """The user's own cases in progress, newest first."""
    return (
        Case.objects.filter(in_progress_q(), applicant_id=user.pk)
        .select_related("cardholder")
        .order_by("-created_at", "-id")
    )


def count(user):
    """How many cases the user has in progress (as read with the request's user)."""
    known = getattr(user, COUNT_COLUMN, None)
    if known is None:
        known = cases_in_progress(user).count()
    return known


def count_sql():
    """(sql, params): the count as a scalar subquery on the user `u`, for the user's
    query. Kinds and states are the workflows' own names, passed as parameters."""
    conditions, params = [], []
    for flow in workflow.all_workflows():
        finals = sorted(flow.final_states)
        if finals:
            placeholders = ", ".join(["%s"] * len(finals))
            conditions.append(f"(k.kind = %s AND k.status NOT IN ({placeholders}))")
        else:
            conditions.append("k.kind = %s")
        params.extend([flow.kind, *finals])
    where = " OR ".join(conditions) or "1 = 0"
    sql = (
        f"(SELECT COUNT(*) FROM {Case._meta.db_table} k "  # noqa: S608 - names from code
        f"WHERE k.applicant_id = u.id AND ({where}))"
    )
    return sql, params
