"""Forms behind the staff action buttons and the payout batch page: input parsing only.

The rules (who may, in which state, what is valid) are the services'; these forms
only turn posted text into the values the services take.
"""

from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    input_type = "date"


class VerifyDeathForm(forms.Form):
    date_of_death = forms.DateField(label=_("Date of death"), widget=DateInput)
    certificate_number = forms.CharField(label=_("Death certificate number"), max_length=60)
    reuse_override_reason = forms.CharField(
        label=_("Only if refused as recorded for another person: why it is right"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    correction_reason = forms.CharField(
        label=_("Only to replace facts already recorded: why they were wrong"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class VerifyEmigrationForm(forms.Form):
    date = forms.DateField(label=_("Date of settling abroad"), widget=DateInput)
    country = forms.CharField(label=_("Country of settlement"), max_length=80)
    certificate_number = forms.CharField(
        label=_("Exit / settlement certificate number"), max_length=60
    )
    nationality_given_up = forms.BooleanField(
        label=_("PRC nationality given up (seen on the documents)"), required=False
    )
    reuse_override_reason = forms.CharField(
        label=_("Only if refused as recorded for another person: why it is right"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    correction_reason = forms.CharField(
        label=_("Only to replace facts already recorded: why they were wrong"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class RequestDocumentsForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the applicant"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ApproveForm(forms.Form):
    """The confirmation page: amount, payee and accounts are shown above it; ticking
    the box is the decision."""

    confirm = forms.BooleanField(
        label=_("I have checked the amount, the payee and the accounts: pay it out."),
        required=True,
    )


class VerifyApplicantForm(forms.Form):
    """Nothing to enter: the reviewer compared the identity document with the
    registered identity shown on the page."""


class ResolveContestForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What happens to the claim"),
        choices=[
            ("resume", _("Lift the hold: the claim goes back where it was")),
            ("reject", _("Reject the claim")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason (the applicant sees it when the claim is rejected)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason the applicant will see"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class MarkPayoutFailedForm(forms.Form):
    note = forms.CharField(
        label=_("What the bank reported"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        required=False,
    )


class RequeuePayoutForm(forms.Form):
    bank_name = forms.CharField(label=_("Bank"), max_length=100)
    bank_account_holder = forms.CharField(label=_("Account holder"), max_length=100)
    bank_account_number = forms.CharField(label=_("Bank account number"), max_length=40)


class PayoutResultsForm(forms.Form):
    results = forms.FileField(
        label=_("Bank results file (CSV: reference, result paid|failed, note)"),
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_results(self):
        upload = self.cleaned_data["results"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file must be UTF-8 text (CSV).")) from None


class VerifyHeirForm(forms.Form):
    national_id = forms.CharField(
        label=_("ID number of the heir whose identity document you checked"), max_length=18
    )


class NoHeirRecordForm(forms.Form):
    card_number = forms.CharField(label=_("Card number of the deceased"), max_length=20)
    note = forms.CharField(
        label=_("How the heirs were sought (notices, enquiries)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class NoHeirConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I checked that no heir came forward within the notice period; move the "
            "personal balances to the fund"
        )
    )
