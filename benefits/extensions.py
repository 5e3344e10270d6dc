"""What the benefits app adds to accounts' pages (see accounts.extensions)."""

from accounts.extensions import Banner
from accounts.selectors import cardholder_for_user
from benefits.selectors import current_registration


def registration_panel(request):
    """The overview's panel with the person's unemployment registration, if any."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    registration = current_registration(cardholder_for_user(user))
    if registration is None:
        return None
    return Banner("benefits/includes/registration_panel.html", {"registration": registration})
