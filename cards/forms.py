from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import PasswordConfirmForm
from cards.models import Why


class ReplacementRequestForm(PasswordConfirmForm):
    """Why the card is to be replaced, and the person's own password again."""

    why = forms.ChoiceField(
        label=_("Your card is"),
        choices=Why.choices,
        widget=forms.RadioSelect,
        help_text=_("A lost card is blocked at once, if it is not reported lost already."),
    )
    field_order = ["why", "password"]
