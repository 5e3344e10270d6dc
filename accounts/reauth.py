"""A sensitive step asks for the password again: checked by authenticate(), so it is
counted and locked out exactly like a login (django-axes per username and address,
`accounts.ratelimit` per address), and a locked-out person cannot keep guessing here."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from sscard.security import is_locked_out

WRONG_PASSWORD = _(
    "That is not your password. Check it and try again; passwords are case-sensitive."
)


def password_confirms(request, user, password):
    """True when `password` is the logged-in `user`'s own. A wrong one counts as a
    failed login; `locked_out(request)` then says whether the limit is reached."""
    if not password or user is None or not user.is_authenticated:
        return False
    # axes reads the Django request, also behind a DRF one.
    http_request = getattr(request, "_request", request)
    confirmed = authenticate(http_request, username=user.get_username(), password=password)
    return confirmed is not None and confirmed.pk == user.pk


def locked_out(request):
    return is_locked_out(getattr(request, "_request", request))
