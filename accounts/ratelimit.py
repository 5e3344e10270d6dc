"""Who is asking, and how often: login failures per address and registration attempts.

The client address is `core.http.client_ip`, the one answer axes (AXES_CLIENT_IP_CALLABLE)
and the API throttles use too, so rotating a header the client controls cannot buy a
fresh limit anywhere. The counters are `core.ratelimit`'s, in the shared cache; keys
hold digests, never an ID number.
"""

from django.conf import settings

from core.http import client_ip as _client_ip
from core.ratelimit import Rate, exceeded, hit, reset  # noqa: F401  (the command resets)

UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 - a placeholder, never bound


def client_ip(request):
    """The client's address, or a placeholder when the request carries no valid one
    (every such request then shares one counter, which errs on the side of limiting)."""
    return _client_ip(request) or UNKNOWN_ADDRESS


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
