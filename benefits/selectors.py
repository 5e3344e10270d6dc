"""Reads of the benefits app."""

from benefits.models import UnemploymentRegistration


def current_registration(cardholder):
    """The person's latest unemployment registration, or None."""
    if cardholder is None:
        return None
    return UnemploymentRegistration.objects.filter(cardholder=cardholder).first()
