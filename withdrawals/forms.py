"""Forms of the withdrawal pages: parse and validate input, nothing more.

No form lets the applicant set a status, an amount or a reviewer: those are
decided by `withdrawals.services` alone.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import national_id_field
from accounts.pii import id_number_in
from core.forms import DomainErrorMixin
from withdrawals import heirs
from withdrawals.models import DocumentKind, HeirRelationship, Reason, Relationship

HEIR_RELATIONSHIPS = [(value, label) for value, label in Relationship.choices if value != "self"]


class IdentifyForm(DomainErrorMixin, forms.Form):
    """The deceased cardholder, named by an heir: all three must match."""

    national_id = national_id_field(
        label=_("Their national ID number"),
        help_text=_("18 characters, as printed on their identity card."),
    )
    name = forms.CharField(
        label=_("Their full name"),
        max_length=100,
        help_text=_("Exactly as printed on their social security card."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    card_number = forms.CharField(
        label=_("Their social security card number"),
        max_length=20,
        help_text=_("Printed on the front of the card."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The login field's autocomplete hint would offer the heir's own ID number.
        self.fields["national_id"].widget.attrs["autocomplete"] = "off"


class CheckForm(IdentifyForm):
    """The eligibility check: for whom, why, and (for a death) who the heir is."""

    reason = forms.ChoiceField(
        label=_("What happened?"),
        choices=[
            (Reason.DEATH, _("The cardholder has died and I am their heir")),
            (Reason.EMIGRATION, _("I am the cardholder and I emigrated and settled abroad")),
        ],
        widget=forms.RadioSelect,
    )
    relationship = forms.ChoiceField(
        label=_("Your relationship to the person who died"),
        choices=[("", _("Choose…")), *HEIR_RELATIONSHIPS],
    )
    field_order = ["reason", "national_id", "name", "card_number", "relationship"]

    DEATH_ONLY = ("national_id", "name", "card_number", "relationship")

    def clean(self):
        data = super().clean()
        if data.get("reason") == Reason.EMIGRATION:
            # The details of a deceased person mean nothing for one's own claim.
            for name in self.DEATH_ONLY:
                self._errors.pop(name, None)
                data.pop(name, None)
        return data


class BankFieldsMixin(forms.Form):
    bank_name = forms.CharField(
        label=_("Bank"),
        max_length=100,
        help_text=_("For example: Industrial and Commercial Bank of China, Beijing branch."),
    )
    bank_account_holder = forms.CharField(
        label=_("Name of the account holder"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    bank_account_number = forms.CharField(
        label=_("Bank account number"),
        max_length=40,
        help_text=_("8 to 30 digits; spaces are fine."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


class ClaimDetailsForm(DomainErrorMixin, BankFieldsMixin):
    """Step 2: relationship, which personal accounts, where the money goes."""

    relationship = forms.ChoiceField(
        label=_("Your relationship to the person who died"),
        choices=[("", _("Choose…")), *HEIR_RELATIONSHIPS],
    )
    schemes = forms.MultipleChoiceField(
        label=_("Accounts to claim"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only personal accounts can be paid out."),
    )
    field_order = [
        "relationship",
        "schemes",
        "bank_name",
        "bank_account_holder",
        "bank_account_number",
    ]

    def __init__(self, *args, scheme_choices=(), heir=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schemes"].choices = list(scheme_choices)
        if not heir:
            # The emigrant claims for themselves: nothing to choose.
            del self.fields["relationship"]


class BankForm(DomainErrorMixin, BankFieldsMixin):
    """The payout bank account, corrected while the claim is editable."""


class UploadForm(DomainErrorMixin, forms.Form):
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


class NoticeForm(DomainErrorMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Type your full name to confirm"),
        max_length=100,
        help_text=_("Exactly as printed on your social security card."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class HeirRowForm(DomainErrorMixin, forms.Form):
    """One heir in the heirs step. A blank extra row is left out (the formset skips
    rows nobody filled in); the rules of inheritance are the service's."""

    national_id = national_id_field(
        label=_("National ID number"), help_text=_("18 characters, as on their identity card.")
    )
    name = forms.CharField(
        label=_("Full name"),
        max_length=100,
        help_text=_("As on their identity card."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    relationship = forms.ChoiceField(
        label=_("Relationship to the person who died"),
        choices=[("", _("Choose…")), *HeirRelationship.choices],
    )
    share = forms.CharField(
        label=_("Share"),
        max_length=20,
        help_text=_("A fraction such as 1/2; 1 for a single heir."),
        widget=forms.TextInput(attrs={"inputmode": "text", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["national_id"].widget.attrs["autocomplete"] = "off"

    def clean_national_id(self):
        number = id_number_in(self.cleaned_data["national_id"])
        if number is None:
            raise forms.ValidationError(
                _("Enter a valid 18-character national ID number."), code="invalid_national_id"
            )
        return number

    def clean_share(self):
        text = self.cleaned_data["share"]
        try:
            heirs.parse_share(text)
        except ValueError:
            raise forms.ValidationError(
                heirs.MESSAGES[heirs.SHARE_INVALID], code=heirs.SHARE_INVALID
            ) from None
        return text.strip()


class BaseHeirFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this heir")


def heir_formset(extra=0):
    return forms.formset_factory(
        HeirRowForm,
        formset=BaseHeirFormSet,
        extra=extra,
        can_delete=True,
        max_num=30,
        absolute_max=30,
    )


HeirFormSet = heir_formset()


PROOF_CHOICES = [(kind, label) for kind, label in DocumentKind.choices if kind in heirs.PROOF_KINDS]


class HeirProofsForm(DomainErrorMixin, forms.Form):
    proofs = forms.MultipleChoiceField(
        label=_("Documents you will attach to prove who the heirs are"),
        choices=PROOF_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Heirs of the same order share equally unless every heir signed an agreement, "
            "or a notarised certificate, a court judgment or a will says otherwise."
        ),
    )
    claims_survivor_benefits = forms.BooleanField(
        label=_("Also claim the survivor benefits (funeral grant and survivors' pension)"),
        required=False,
    )
