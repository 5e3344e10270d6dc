"""The session's user, read together with the rows every page asks for next.

Django's AuthenticationMiddleware loads the session's user in one query; nearly every
page then asks for rows linked to it (the cardholder record, the accounts' versions),
each a round trip of its own. `AuthenticationMiddleware` here reads the user with
`read_user(user_id)`, which an app above gives (sscard.middleware), so that those rows
come in the same query. Everything else is Django's own
`django.contrib.auth.get_user`: the backend stored in the session
must still be one of AUTHENTICATION_BACKENDS, an inactive user is refused by the
backend's `user_can_authenticate`, and the session's password hash is verified (with
the fallback secrets, cycling the key as Django does) or the session is flushed.
A backend other than ModelBackend, or one that overrides its `get_user`, is asked as
usual.
"""

from functools import partial

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthMiddleware
from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject


def _backend_user(backend, user_id, read_user):
    """`backend.get_user(user_id)`, read by `read_user` where the backend is
    ModelBackend's own look-up."""
    if read_user is None or type(backend).get_user is not ModelBackend.get_user:
        return backend.get_user(user_id)
    user = read_user(user_id)
    if user is None:
        return None
    return user if backend.user_can_authenticate(user) else None


def get_user(request, read_user=None):
    """The session's user (AnonymousUser if none, or if the session does not verify),
    as `django.contrib.auth.get_user` returns it, read by `read_user(user_id)`."""
    user = None
    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            user = _backend_user(load_backend(backend_path), user_id, read_user)
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash:
                    verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    verified = constant_time_compare(session_hash, session_auth_hash)
                if not verified:
                    # As Django: a hash made with a fallback secret is renewed with the
                    # current one; any other mismatch ends the session.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback)
                        for fallback in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None
    return user or AnonymousUser()


def _cached_user(request, read_user):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request, read_user)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthMiddleware):
    """Django's AuthenticationMiddleware; `request.user` is read by `read_user(user_id)`
    (user or None; Django's own look-up when it is not set)."""

    read_user = None

    def process_request(self, request):
        super().process_request(request)  # Django's checks, and request.auser
        read_user = type(self).read_user
        request.user = SimpleLazyObject(partial(_cached_user, request, read_user))
