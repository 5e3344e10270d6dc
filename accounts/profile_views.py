"""The contact page: where notices go (e-mail, mobile) and in which language."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import ContactForm
from accounts.views import _validation_errors_to_form


@login_required
@require_http_methods(["GET", "POST"])
def contact_details(request):
    user = request.user
    initial = {
        "email": user.email,
        "mobile": user.mobile,
        "preferred_language": user.preferred_language,
    }
    form = ContactForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_contact(user=user, **form.cleaned_data)
        except ValidationError as exc:
            _validation_errors_to_form(form, exc)
        else:
            language = user.preferred_language
            with translation.override(language or translation.get_language()):
                messages.success(request, _("Your contact details are saved."))
            response = redirect("accounts:contact_details")
            if language:
                # The pages follow the chosen language from now on, as the switch does.
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    language,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                    httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                    samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                )
            return response
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/contact_details.html", {"form": form}, status=status)
