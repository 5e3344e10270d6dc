"""What the benefits app adds to accounts' pages (see accounts.extensions)."""

from accounts.extensions import Banner
from accounts.models import Cardholder
from benefits.models import UnemploymentRegistration


def registration_panel(request, state):
    """The overview's panel with the person's unemployment registration, if any.

    Registering sets the person's status to unemployed, so anyone else has no panel
    and costs no query."""
    if state is None or state.employment_status != Cardholder.EmploymentStatus.UNEMPLOYED:
        return None
    registration = UnemploymentRegistration.objects.filter(
        cardholder_id=state.cardholder_id
    ).first()
    if registration is None:
        return None
    return Banner("benefits/includes/registration_panel.html", {"registration": registration})
