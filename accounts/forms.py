"""Forms of the cardholder pages: parse and validate input, nothing more.

Django ties each field's hint and error message to its input (aria-describedby,
aria-invalid) so screen readers announce them; the templates in `accounts/includes/`
render the matching ids. `DomainErrorMixin` shows a service's refusal on the form.
"""

import unicodedata

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import LedgerTransaction, Scheme
from accounts.pii import login_username, normalise_typed_id
from accounts.validators import parse_national_id
from core.forms import DomainErrorMixin


def national_id_field(label=None, help_text=None):
    return forms.CharField(
        label=label or _("National ID number"),
        max_length=18,
        help_text=help_text or _("18 characters, as printed on the identity card."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "input--id",
                "inputmode": "text",
            }
        ),
    )


class LoginForm(DomainErrorMixin, AuthenticationForm):
    """Log in with the national ID number (or a staff username) and password."""

    username = forms.CharField(
        label=_("National ID number or staff username"),
        max_length=150,
        help_text=_("Cardholders and heirs: the 18-character ID number, e.g. 11010519800101123X."),
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "input--id",
            }
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "The ID number (or username) and password do not match an account. "
            "Check them and try again; passwords are case-sensitive."
        ),
        "inactive": _("This account is inactive."),
    }

    def clean_username(self):
        return login_username(self.cleaned_data.get("username"))


class PasswordFieldsMixin(forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 8 characters; not only digits, not a common password and not like "
            "your ID number or name."
        ),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password2(self):
        first = self.cleaned_data.get("password1")
        second = self.cleaned_data.get("password2")
        if first and second and first != second:
            raise ValidationError(_("The two passwords are not the same."), code="mismatch")
        return second


class RegistrationForm(DomainErrorMixin, PasswordFieldsMixin):
    """Self-registration of an heir (ID + name). The cardholder form adds the card."""

    national_id = national_id_field(
        help_text=_("Your own 18-character ID number. You will use it to log in.")
    )
    name = forms.CharField(
        label=_("Full name"),
        max_length=100,
        help_text=_("As on your identity card."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("Used to reset your password and to tell you about your applications."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    field_order = ["national_id", "name", "email", "password1", "password2"]

    def clean_national_id(self):
        return parse_national_id(normalise_typed_id(self.cleaned_data["national_id"])).number

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Enter your full name."), code="required")
        if any(unicodedata.category(char) in {"Cc", "Cf"} for char in name):
            # Direction overrides and invisible characters make a name read differently
            # from what it is (and differently from the ID card it must match).
            raise ValidationError(
                _("The name may contain letters, spaces and the · of names only."),
                code="invalid_characters",
            )
        return name


class CardholderRegistrationForm(RegistrationForm):
    """Self-registration of a cardholder: the card number proves who they are."""

    card_number = forms.CharField(
        label=_("Social security card number"),
        max_length=20,
        help_text=_("Printed on the front of your social security card."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "input--id"}
        ),
    )
    field_order = ["national_id", "name", "card_number", "email", "password1", "password2"]

    def clean_card_number(self):
        return "".join(self.cleaned_data["card_number"].split()).upper()


def _year_choices(years):
    return [("", _("All years"))] + [(str(y), str(y)) for y in years]


HISTORY_KINDS = [
    (LedgerTransaction.Kind.CONTRIBUTION, _("Contributions")),
    (LedgerTransaction.Kind.SETTLEMENT, _("Medical purchases")),
    (LedgerTransaction.Kind.PAYOUT, _("Payouts")),
    (LedgerTransaction.Kind.CORRECTION, _("Corrections")),
]


class MemoSelect(forms.Select):
    """A select whose HTML is rendered once per (choices, value, attributes, language).

    Django renders every option through a template; for a filter with sixty years that
    was a quarter of the history page's CPU. The output is the widget's own, kept in a
    bounded per-process table.
    """

    _rendered = {}
    _LIMIT = 512

    def render(self, name, value, attrs=None, renderer=None):
        key = (
            translation.get_language(),
            name,
            repr(value),
            tuple(sorted((attrs or {}).items())),
            tuple(sorted(self.attrs.items())),
            tuple((str(k), str(v)) for k, v in self.choices),
        )
        html = self._rendered.get(key)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if len(self._rendered) >= self._LIMIT:
                self._rendered.clear()
            self._rendered[key] = html
        return html


class HistoryFilterForm(DomainErrorMixin, forms.Form):
    """Filters of an account's history. Invalid values show as field errors."""

    year = forms.TypedChoiceField(
        label=_("Year"), required=False, coerce=int, empty_value=None, widget=MemoSelect
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, widget=MemoSelect)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(years)
        self.fields["kind"].choices = [("", _("All kinds")), *HISTORY_KINDS]


class ContributionFilterForm(DomainErrorMixin, forms.Form):
    scheme = forms.ChoiceField(label=_("Scheme"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [("", _("All schemes")), *Scheme.choices]
        self.fields["year"].choices = _year_choices(years)


class ConfirmForm(DomainErrorMixin, forms.Form):
    """A single tick box the person must tick to go on."""

    confirm = forms.BooleanField(
        label=_("I confirm that my card is lost or stolen."),
        error_messages={"required": _("Tick the box to confirm that your card is lost.")},
    )


class PasswordConfirmForm(DomainErrorMixin, forms.Form):
    """The person's own password again, before a step that needs proof it is them.
    The view checks it (accounts.reauth), so it counts like a login."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        help_text=_("The password you log in with, to confirm that it is you."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TotpCodeForm(DomainErrorMixin, forms.Form):
    """The 6-digit code an authenticator app shows, to confirm a new device."""

    code = forms.RegexField(
        label=_("Code from the authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Type the 6 digits the app shows now.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "input--id"}
        ),
    )


class EnrolmentCodeForm(DomainErrorMixin, forms.Form):
    """The one-time code an operator issued for setting up a first authenticator."""

    enrolment_code = forms.CharField(
        label=_("Enrolment code from an operator"),
        max_length=20,
        help_text=_(
            "An operator gives it to you in person (manage.py staff_totp --enrolment-code); "
            "your password alone cannot set up an authenticator."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "input--id"}
        ),
    )


class ContactForm(DomainErrorMixin, forms.Form):
    """Where notices go and in which language; the service checks the password."""

    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    mobile = forms.CharField(
        label=_("Mobile number (optional)"),
        required=False,
        max_length=20,
        help_text=_("We send a short text message when something changes on your claims."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language of notices"),
        required=False,
        choices=[("", _("Both languages"))],
    )
    password = forms.CharField(
        label=_("Current password"),
        required=False,
        strip=False,
        help_text=_("Needed only to change the e-mail address or the mobile number."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["preferred_language"].choices = [
            ("", _("Both languages")),
            *settings.LANGUAGES,
        ]
