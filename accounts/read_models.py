"""A cardholder's overview page, kept rendered in the cache and checked on every request.

The rendered page is stored per cardholder and language together with the version it
was built at. Every request reads the version afresh, in one indexed query, and uses
the stored page only when the versions are equal; otherwise it renders the page again.
Nothing has to invalidate the cache, so the ledger service, the payroll import and the
population loader, which write money by different routes, are covered alike.

The version of an account is its balance, its status and the id of its newest ledger
entry, read with the request's user in the same query (accounts.user_reads). A
global "newest entry id" would not do: ids are drawn before a transaction commits, so
a posting on one account can commit after a higher-numbered posting on another
account has been seen. Per account that cannot happen, because every writer
holds the account's row lock from before it draws the entry's id until it commits. So
a posting that commits always changes its account's version, and a stale balance is
never shown. The version is read before the page is rendered, so a stored page is
never older than the version it is filed under.

Each process keeps the pages it served last in memory too, in front of the shared
cache: the version check makes a copy anywhere as safe as the shared one.

What differs per request is left out of the stored page: the CSRF token (a placeholder,
replaced by a fresh token on the way out) and flash messages (a request that has any
is rendered in full, not cached).
"""

import hashlib
import logging
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils import timezone
from django.utils.translation import get_language

from accounts import user_reads
from accounts.selectors import cardholder_for_user

logger = logging.getLogger(__name__)

# Never a real token (those are 64 letters and digits), and only ever replaced by one.
CSRF_PLACEHOLDER = "csrf-token-of-this-request"


@dataclass(frozen=True)
class OverviewState:
    cardholder_id: int
    version: str
    employment_status: str = ""
    # The cardholder's own accounts: a history page among them may come from the cache.
    account_ids: frozenset = frozenset()


def overview_state(user):
    """The version of `user`'s overview, or None when they hold no card. Read with the
    request's user (accounts.user_reads), or in one query for a user read otherwise."""
    user = user_reads.read_with_versions(user)
    if user is None:
        return None
    versions = user_reads.account_versions(user)
    cardholder = cardholder_for_user(user)  # read with the user: no query
    if cardholder is None:
        return None
    parts = [
        # What the overview shows of the card (a new ID number is a new value here).
        repr(
            (
                cardholder.pk,
                cardholder.name,
                cardholder.national_id,
                cardholder.card_number,
                cardholder.card_status,
                cardholder.employment_status,
                cardholder.life_status,
                cardholder.updated_at,
            )
        ),
        # Each account's balance, status and newest entry.
        ";".join(version.text for version in versions),
        # The page header names the user (and could show what staff may do).
        repr((user.pk, user.get_full_name(), user.get_username(), user.is_staff)),
        # The chart ends with this month.
        timezone.localdate().isoformat(),
    ]
    return OverviewState(
        cardholder.pk,
        _digest(parts),
        employment_status=cardholder.employment_status,
        account_ids=frozenset(version.id for version in versions),
    )


def _digest(parts):
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


_TEMPLATE_DIGESTS = {}


def _templates_digest(names):
    """A digest of the templates' sources, so a deployment that changes the markup does
    not serve pages rendered by the old one."""
    key = tuple(names)
    digest = _TEMPLATE_DIGESTS.get(key)
    if digest is None:
        sources = [loader.get_template(name).template.source for name in names]
        digest = _TEMPLATE_DIGESTS[key] = _digest(sources)[:16]
    return digest


def _cacheable(request, params=()):
    if request.method != "GET" or not set(request.GET).issubset(params):
        return False
    if any(len(request.GET.getlist(param)) > 1 for param in request.GET):
        return False
    # Looking does not consume them: they are shown by the full rendering.
    return len(messages.get_messages(request)) == 0


class _RecentPages:
    """The pages this process served last, in front of the shared cache. Safe for the
    same reason the shared cache is: a page is used only at the version read from the
    database for this request."""

    def __init__(self, size):
        self.size = size
        self.pages = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, version):
        with self.lock:
            stored = self.pages.get(key)
            if stored is None or stored[0] != version:
                return None
            self.pages.move_to_end(key)
            return stored[1]

    def put(self, key, version, html):
        with self.lock:
            self.pages[key] = (version, html)
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


_recent = _RecentPages(size=500)


def _stored_page(key, version, name):
    html = _recent.get(key, version)
    if html is not None:
        return html
    try:
        stored = cache.get(key)
    except Exception:
        logger.warning("page cache unavailable; rendering %s", name, exc_info=True)
        return None
    if stored is None or stored[0] != version:
        return None
    _recent.put(key, version, stored[1])
    return stored[1]


def caching():
    """Whether pages and answers are kept at all (SSCARD_PAGE_CACHE_SECONDS > 0)."""
    return settings.SSCARD_PAGE_CACHE_SECONDS > 0


def kept_state(request, account_id):
    """The caller's overview state when `account_id` is one of their own accounts and
    pages are kept; otherwise None (the page is built afresh, without the extra read)."""
    if not caching():
        return None
    state = overview_state(request.user)
    if state is None or account_id not in state.account_ids:
        return None
    return state


def cached_page(request, *, name, state, templates, build, params=()):
    """The page `name` of the cardholder in `state`: from the cache when it was rendered
    at the current version, otherwise `build(csrf_token)` (an HttpResponse), stored for
    the next request. A cache that cannot be reached is skipped. `params` are the query
    parameters the page may carry and still be kept (each query string its own page)."""
    seconds = settings.SSCARD_PAGE_CACHE_SECONDS
    if seconds <= 0 or not _cacheable(request, params):
        return build(None)
    language = get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    version = _digest([state.version, path, _templates_digest(templates)])
    if request.GET:
        name = f"{name}:{_digest([path])[:16]}"
    # The cardholder's id is in the key itself: one person's page can never be
    # returned for another, whatever the version says.
    key = f"sscard:page:{name}:{state.cardholder_id}:{language}"
    html = _stored_page(key, version, name)
    if html is not None:
        return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
    response = build(CSRF_PLACEHOLDER)
    html = response.content.decode()
    if response.status_code == 200:
        _recent.put(key, version, html)
        try:
            cache.set(key, (version, html), seconds)
        except Exception:
            logger.warning("page cache unavailable; %s not stored", name, exc_info=True)
    response.content = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return response


_SOURCE_DIGESTS = {}


def _sources_digest(modules):
    """A digest of the modules' source files, so a deployment that changes an answer's
    shape does not serve answers built by the old code."""
    key = tuple(modules)
    digest = _SOURCE_DIGESTS.get(key)
    if digest is None:
        sources = []
        for name in modules:
            with open(sys.modules[name].__file__, encoding="utf-8") as fh:
                sources.append(fh.read())
        digest = _SOURCE_DIGESTS[key] = _digest(sources)[:16]
    return digest


def cached_data(request, *, name, state, build, modules):
    """The data of the API answer `name` for the cardholder in `state` (a dict ready for
    the renderer): from the cache when it was built at the current version for this
    very URL and language, otherwise `build()`, stored for the next request. `modules`
    are the ones whose code shapes the answer. A cache that cannot be reached is
    skipped; `build` raising (a bad parameter) stores nothing."""
    seconds = settings.SSCARD_PAGE_CACHE_SECONDS
    if seconds <= 0 or request.method != "GET":
        return build()
    language = get_language() or settings.LANGUAGE_CODE
    uri = request.build_absolute_uri()
    version = _digest([state.version, uri, _sources_digest(modules)])
    key = f"sscard:data:{name}:{_digest([uri])[:16]}:{state.cardholder_id}:{language}"
    data = _stored_page(key, version, name)
    if data is not None:
        return data
    data = build()
    _recent.put(key, version, data)
    try:
        cache.set(key, (version, data), seconds)
    except Exception:
        logger.warning("page cache unavailable; %s not stored", name, exc_info=True)
    return data
