"""The institutions' API key login (hospitals and pharmacies settling purchases)."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework_api_key.permissions import KeyParser

from accounts.models import InstitutionAPIKey


class InstitutionKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key <key>`` for hospitals and pharmacies.

    The request stays without a user (an institution is not a person); the key, and
    through it the institution, is ``request.auth``. Only the settlement endpoint
    accepts it: every other endpoint wants an authenticated user.
    """

    keyword = "Api-Key"
    key_parser = KeyParser()

    def authenticate(self, request):
        key = self.key_parser.get_from_authorization(request)
        if key is None:
            return None
        try:
            api_key = InstitutionAPIKey.objects.get_from_key(key)
        except InstitutionAPIKey.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("The API key is not valid.")) from None
        if api_key.has_expired or not api_key.institution.is_active:
            raise exceptions.AuthenticationFailed(_("The API key is not valid."))
        return AnonymousUser(), api_key

    def authenticate_header(self, request):
        return self.keyword


class InstitutionKeyScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.InstitutionKeyAuthentication"
    name = "institutionKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`, issued to a medical institution in the admin.",
        }
