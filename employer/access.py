"""Who is an employer login, and what such a login may open.

An employer login (accounts.EmployerLogin) acts for one employer: it sees the pages
under /employer/ and its own login pages, nothing a cardholder or staff member sees.
Whether a session is an employer's is kept in the session at login, so other
people's requests ask nothing more of the database.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.selectors import employer_for_user

SESSION_KEY = "employer_id"
# What an employer login may open besides its own pages: logging out, its password,
# its contact details, the language, static files.
OPEN_TO_EMPLOYERS = (
    "/employer/",
    "/logout/",
    "/login/",
    "/password/",
    "/contact/",
    "/i18n/",
    "/static/",
    "/healthz",
)


def remember_employer(sender, request, user, **kwargs):
    """At login: note in the session which employer the login acts for, if any."""
    if request is None or not hasattr(request, "session"):
        return
    employer = employer_for_user(user)
    if employer is not None:
        request.session[SESSION_KEY] = employer.pk
    else:
        request.session.pop(SESSION_KEY, None)


class EmployerOnlyMiddleware:
    """An employer's session opens only the employer pages: the overview sends it to
    /employer/, every other page answers 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) and request.user.is_authenticated:
            path = request.path_info
            if path == "/":
                return redirect("employer:home")
            if not path.startswith(OPEN_TO_EMPLOYERS):
                return render(request, "403.html", status=403)
        return self.get_response(request)


def employer_required(view):
    """Pages for employer logins only; anyone else gets 403. The view receives the
    employer the login acts for."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        employer = employer_for_user(request.user)
        if employer is None:
            return render(request, "403.html", status=403)
        return view(request, employer, *args, **kwargs)

    return wrapper
