from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

# Stated assumptions: the latest published crediting rate (RULES.md §1) and a modest
# wage growth. The person can change both.
DEFAULT_WAGE_GROWTH = Decimal("3.0")
DEFAULT_CREDITING_RATE = Decimal("2.62")


class AssumptionsForm(forms.Form):
    wage_growth = forms.DecimalField(
        label=_("Yearly wage growth (%)"),
        min_value=Decimal("-5"),
        max_value=Decimal("15"),
        decimal_places=2,
        required=False,
    )
    crediting_rate = forms.DecimalField(
        label=_("Yearly crediting rate of the personal account (%)"),
        min_value=Decimal("-5"),
        max_value=Decimal("15"),
        decimal_places=2,
        required=False,
    )

    def rates(self):
        """(wage growth, crediting rate) as fractions, defaults where left empty."""
        data = self.cleaned_data
        growth = data.get("wage_growth")
        rate = data.get("crediting_rate")
        growth = DEFAULT_WAGE_GROWTH if growth is None else growth
        rate = DEFAULT_CREDITING_RATE if rate is None else rate
        return growth / 100, rate / 100
