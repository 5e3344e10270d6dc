from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DomainErrorMixin
from pensions.models import Category, DocumentKind

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


class ClaimForm(DomainErrorMixin, forms.Form):
    """The retirement claim: a woman says which schedule her post follows."""

    category = forms.ChoiceField(
        label=_("Your post"),
        choices=[c for c in Category.choices if c[0] != Category.MALE],
        initial=Category.FEMALE_WORKER,
        widget=forms.RadioSelect,
        help_text=_(
            "Women in cadre posts retire later than women in worker posts. If you choose "
            "a cadre post, you will be asked for proof of it."
        ),
    )

    def __init__(self, *args, woman=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not woman:
            del self.fields["category"]

    def chosen_category(self):
        return self.cleaned_data.get("category") or None


class ClaimUploadForm(DomainErrorMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    # Empty files reach the service, which refuses them with the inspection's code.
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.FileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
        error_messages={"required": _("Choose a file to upload.")},
    )


class BankAccountForm(DomainErrorMixin, forms.Form):
    """The bank account the pension is paid to (when the card's financial function is
    not activated)."""

    bank_name = forms.CharField(label=_("Bank"), max_length=100)
    bank_account_holder = forms.CharField(label=_("Account holder"), max_length=100)
    bank_account_number = forms.CharField(
        label=_("Account number"),
        max_length=40,
        help_text=_("8 to 40 digits; spaces are allowed."),
    )
