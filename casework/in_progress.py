"""The cases a person has in progress, for the notice on their overview.

The overview is served from the cache in a few queries, and a person with nothing in
progress should cost none more. So how many cases a person has in progress is kept in
the cache as well, and forgotten whenever one of their cases writes a timeline event
(every start and every change of status does, in `casework.services`): the notice
appears with the first page after a claim is started and goes once it is decided.
"""

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from casework import workflow
from casework.models import Case

logger = logging.getLogger(__name__)

KEY = "cases-in-progress:{}"
# A safety net only (every change forgets the count at once): a change made while the
# cache could not be reached is shown at the latest this long after.
KEEP_SECONDS = 600


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
    """How many cases the user has in progress (from the cache when known)."""
    key = KEY.format(user.pk)
    try:
        known = cache.get(key)
    except Exception:
        logger.warning("cache unavailable; counting cases in progress", exc_info=True)
        return cases_in_progress(user).count()
    if known is None:
        known = cases_in_progress(user).count()
        _quietly(cache.set, key, known, KEEP_SECONDS)
    return known


def forget(applicant_id):
    """Drop the applicant's count now and again once the change commits: a page read
    in between may have counted before the change was visible."""
    key = KEY.format(applicant_id)
    _quietly(cache.delete, key)
    transaction.on_commit(lambda: _quietly(cache.delete, key))


def _quietly(operation, *args):
    # A case change never fails because the cache is away.
    try:
        operation(*args)
    except Exception:
        logger.warning("cache unavailable; cases in progress not updated", exc_info=True)
