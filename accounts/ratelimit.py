"""Who is asking, and how often: the client address and counters kept in the cache.

`client_ip` is the one answer to "which address sent this request" for django-axes
(AXES_CLIENT_IP_CALLABLE), the API throttles and the counters below, so rotating a
header the client controls cannot buy a fresh limit anywhere. Behind trusted reverse
proxies, SSCARD_CLIENT_IP_HEADER names the header they set and SSCARD_PROXY_COUNT how
many of them append to it; the address the outermost trusted proxy saw is taken and
whatever the client typed into the header before it is ignored.

Counters live in the shared cache (CACHE_URL), so several processes see the same
count; a window starts with its first hit. Keys hold digests, never an ID number.
"""

import hashlib
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 - a placeholder, never bound


def _valid_ip(text):
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The client's address: from the trusted proxy header when one is configured,
    else REMOTE_ADDR. Never a value the client could have put in a header itself."""
    meta = getattr(request, "META", {}) or {}
    count = max(int(getattr(settings, "SSCARD_PROXY_COUNT", 0) or 0), 1)
    for header in getattr(settings, "SSCARD_CLIENT_IP_HEADER", ()) or ():
        value = meta.get(header)
        if not value:
            continue
        hops = [hop.strip() for hop in str(value).split(",") if hop.strip()]
        if len(hops) >= count:
            address = _valid_ip(hops[-count])
            if address:
                return address
    return _valid_ip(str(meta.get("REMOTE_ADDR") or "")) or UNKNOWN_ADDRESS


# --- rates -----------------------------------------------------------------------

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    @classmethod
    def parse(cls, text):
        """A rate in DRF's notation, with an optional multiple: 10/hour, 5/minute, 30/10m."""
        try:
            count, period = str(text).split("/")
            digits = "".join(c for c in period if c.isdigit()) or "1"
            unit = period.lstrip("0123456789")[:1]
            return cls(int(count), int(digits) * PERIODS[unit])
        except (KeyError, ValueError):
            raise ImproperlyConfigured(f"not a rate: {text!r}") from None

    @property
    def minutes(self):
        return max(self.seconds // 60, 1)


def _key(scope, ident):
    digest = hashlib.sha256(f"{scope}|{ident}".encode()).hexdigest()[:40]
    return f"sscard:rate:{scope}:{digest}"


def count_of(scope, ident, rate):
    """How many hits `ident` has in its current window of `scope`."""
    return int(cache.get(_key(scope, ident), 0) or 0)


def hit(scope, ident, rate):
    """Count one hit; True while it is within the rate. The window starts with the
    first hit (the key's lifetime), so a burst cannot straddle two windows."""
    key = _key(scope, ident)
    if cache.add(key, 1, timeout=rate.seconds):
        return rate.limit >= 1
    try:
        value = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=rate.seconds)
        value = 1
    return value <= rate.limit


def exceeded(scope, ident, rate):
    """True when `ident` already used up its window (without counting)."""
    return count_of(scope, ident, rate) >= rate.limit


def reset(scope, ident, rate):
    cache.delete(_key(scope, ident))


# --- login failures per address -----------------------------------------------------
# django-axes locks a username from one address; spraying one password over many
# usernames from one address is stopped here: that address's failed logins, whatever
# the username, are counted, and past the limit every login from it is refused until
# the window ends (a success does not reset it).

LOGIN_FAILURES = "login_failures_per_address"


def login_failure_rate():
    return Rate.parse(settings.SSCARD_LOGIN_ADDRESS_FAILURE_RATE)


def login_address_blocked(request):
    return exceeded(LOGIN_FAILURES, client_ip(request), login_failure_rate())


def login_failed(request):
    hit(LOGIN_FAILURES, client_ip(request), login_failure_rate())


class AddressFailureLimitBackend:
    """An authentication backend that authenticates nobody: placed before the
    password check, it refuses (PermissionDenied, which ends authenticate()) every
    login from an address past its failure limit, and marks the request so the page,
    the admin and the API answer 429 like a lock-out of django-axes."""

    def authenticate(self, request, **credentials):
        if request is None or not login_address_blocked(request):
            return None
        from django.core.exceptions import PermissionDenied

        for target in {id(request): request, id(_http(request)): _http(request)}.values():
            target.axes_locked_out = True
            target.sscard_address_blocked = True
        raise PermissionDenied

    # No get_user: sessions are never this backend's (force_login and the session
    # middleware look for the first backend that has one).


def _http(request):
    return getattr(request, "_request", request)


def _count_failure(sender, credentials=None, request=None, **kwargs):
    if request is not None:
        login_failed(request)


def connect_signals():
    from django.contrib.auth.signals import user_login_failed

    user_login_failed.connect(_count_failure, dispatch_uid="sscard.login_failures_per_address")


# --- registration ----------------------------------------------------------------------
# Registering answers the same for every ID number, but each try still costs the
# prober: so many per address and so many per ID number per window.

REGISTER_ADDRESS = "register_per_address"
REGISTER_ID = "register_per_id"


def registration_hit(request, national_id_typed):
    """Count one registration attempt; the Rate that is used up, or None if allowed.
    The ID number counts by its keyed digest, however it was typed."""
    from accounts.pii import id_digest, id_number_in

    by_address = Rate.parse(settings.SSCARD_REGISTER_ADDRESS_RATE)
    if not hit(REGISTER_ADDRESS, client_ip(request), by_address):
        return by_address
    number = id_number_in(national_id_typed)
    if number:
        by_id = Rate.parse(settings.SSCARD_REGISTER_ID_RATE)
        if not hit(REGISTER_ID, id_digest(number), by_id):
            return by_id
    return None
