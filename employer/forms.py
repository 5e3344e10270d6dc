from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DomainErrorMixin
from workinjury.models import DocumentKind

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class RecognitionForm(DomainErrorMixin, forms.Form):
    """The worker (ID number and name, both must match) and the accident."""

    worker_national_id = forms.CharField(label=_("Worker's ID number"), max_length=18)
    worker_name = forms.CharField(label=_("Worker's name as on the ID card"), max_length=100)
    accident_date = forms.DateField(
        label=_("Date of the accident or diagnosis"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The employer files within 30 days of it."),
    )
    description = forms.CharField(
        label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class DocumentForm(DomainErrorMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": _("Choose a file to upload.")},
    )


class CsvForm(DomainErrorMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file (UTF-8)"),
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": _("Choose a file to upload.")},
    )
