"""Counters kept in the shared cache: so many hits per window, per scope and ident.

Counters live in the shared cache (CACHE_URL), so several processes see the same
count; a window starts with its first hit. Keys hold digests of the ident, never the
ident itself (it may be an ID number's digest or an address).
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

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
