from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DomainErrorMixin
from maternity.models import DocumentKind, Event


class ClaimForm(DomainErrorMixin, forms.Form):
    """The event the allowance is claimed for, and the bank account it is paid to."""

    event = forms.ChoiceField(
        label=_("What happened"), choices=Event.choices, widget=forms.RadioSelect
    )
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day of the birth or of the miscarriage."),
    )
    babies = forms.IntegerField(label=_("Babies born"), min_value=1, max_value=10, initial=1)
    difficult_birth = forms.BooleanField(label=_("A difficult birth"), required=False)
    months = forms.IntegerField(
        label=_("Completed months of pregnancy (miscarriage only)"),
        min_value=0,
        max_value=10,
        required=False,
    )
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    bank_account_number = forms.CharField(
        label=_("Bank account number in your name"), max_length=40, required=False
    )


class BankForm(DomainErrorMixin, forms.Form):
    bank_name = forms.CharField(label=_("Bank"), max_length=100)
    bank_account_number = forms.CharField(
        label=_("Bank account number in your name"), max_length=40
    )


class ClaimUploadForm(DomainErrorMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.FileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
        error_messages={"required": _("Choose a file to upload.")},
    )
