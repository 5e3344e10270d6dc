from django import forms
from django.utils.translation import gettext_lazy as _

from benefits.models import (
    CertificateLevel,
    DocumentKind,
    SkillDocumentKind,
    UnemploymentRegistration,
)
from core.forms import DomainErrorMixin


class RegistrationForm(DomainErrorMixin, forms.Form):
    """Registering as unemployed at the public employment service (SIL Art. 50)."""

    job_ended_on = forms.DateField(
        label=_("The day your job ended"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Say when your job ended.")},
    )
    how_ended = forms.ChoiceField(
        label=_("How the job ended"), choices=UnemploymentRegistration.HowEnded.choices
    )
    seeking_work = forms.BooleanField(
        label=_("I am seeking work and can start a suitable job"),
        required=True,
        error_messages={"required": _("Registration is for people who seek work.")},
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


class ReemployedForm(DomainErrorMixin, forms.Form):
    started_on = forms.DateField(
        label=_("The day you started work"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Say when you started work.")},
    )


class SkillClaimForm(DomainErrorMixin, forms.Form):
    """A claim to the skill-upgrade subsidy for one certificate."""

    level = forms.ChoiceField(
        label=_("Certificate level"),
        choices=CertificateLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the certificate level.")},
    )
    certificate_number = forms.CharField(
        label=_("Certificate number"),
        max_length=40,
        help_text=_("As printed on the certificate."),
        error_messages={"required": _("Give the certificate number.")},
    )
    issued_on = forms.DateField(
        label=_("Issue date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Give the issue date.")},
    )


class SkillUploadForm(ClaimUploadForm):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=SkillDocumentKind.choices)
