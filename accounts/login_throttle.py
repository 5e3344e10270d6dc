"""The username django-axes counts a login attempt under (AXES_USERNAME_CALLABLE)."""

from accounts.pii import login_username


def normalised_login(value):
    return login_username(value if isinstance(value, str) else "")


def axes_username(request, credentials):
    """The username a login attempt is counted under: the stored username (for an ID
    number its keyed digest, as the login form and the token endpoint hand it to
    authenticate), so 11010...x and 11010...X are one person, not two counters, and
    axes' tables never hold an ID number."""
    if credentials and credentials.get("username") is not None:
        return normalised_login(credentials.get("username"))
    data = getattr(request, "data", None)
    if data is None or not hasattr(data, "get"):
        data = request.POST
    return normalised_login(data.get("username"))
