"""API logins: the token of people (one written-out query) and the institutions' API key
(hospitals and pharmacies settling purchases)."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework_api_key.permissions import KeyParser

from accounts import user_reads
from accounts.models import InstitutionAPIKey
from accounts.staff_otp import staff_token_proven


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


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, with the token, its user and what nearly
    every call asks next read in one query (accounts.user_reads). Same answers as
    DRF's for unknown keys and inactive users."""

    def authenticate_credentials(self, key):
        from rest_framework.authtoken.models import Token

        user = user_reads.user_by_token(key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        # Staff powers need the second factor: a token issued without one (before the
        # user became staff, say) or for other roles than today's is refused.
        if (user.is_staff or user.is_superuser) and not staff_token_proven(user, key):
            raise exceptions.AuthenticationFailed(
                _(
                    "This token was issued without the second factor or before a "
                    "change of roles; ask for a new one with your authenticator code."
                ),
                code="token_needs_second_factor",
            )
        return user, Token(key=key, user=user, created=user.token_created)
