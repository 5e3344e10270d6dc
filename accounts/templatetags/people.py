"""`{{ cardholder|person_name }}`: the name for the page's language (romanised in English)."""

from django import template

register = template.Library()


@register.filter
def person_name(cardholder):
    if cardholder is None:
        return ""
    shown = getattr(cardholder, "display_name", None)
    return shown() if callable(shown) else getattr(cardholder, "name", cardholder)
