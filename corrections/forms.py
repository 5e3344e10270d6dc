from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import record_fields
from core.forms import DomainErrorMixin
from corrections.models import DocumentKind

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class CorrectionForm(DomainErrorMixin, forms.Form):
    """Which field is wrong, the right value, why, and the document that shows it."""

    field = forms.ChoiceField(
        label=_("What is wrong"),
        choices=[(f.name, f.label) for f in record_fields.FIELDS.values()],
    )
    new_value = forms.CharField(
        label=_("The right value"),
        max_length=200,
        required=False,
        help_text=_(
            "As on your ID card or household register; a date as YYYY-MM-DD, a gender as M or F."
        ),
    )
    reason = forms.CharField(
        label=_("Why the record is wrong"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    file = forms.FileField(
        label=_("Document showing the right value"),
        required=False,
        allow_empty_file=True,
        help_text=_("PDF, JPEG or PNG, at most 10 MB: e.g. your ID card or household register."),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )


class UploadForm(DomainErrorMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": _("Choose a file to upload.")},
    )
