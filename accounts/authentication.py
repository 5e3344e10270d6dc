"""API logins: the token of people (one written-out query) and the institutions' API key
(hospitals and pharmacies settling purchases)."""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework_api_key.permissions import KeyParser

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


_TOKEN_USER_SQL = """
SELECT {columns}, t.created AS token_created
FROM {users} u JOIN {tokens} t ON t.user_id = u.id
WHERE t.key = %s
"""  # noqa: S105 - a query, not a secret


def _token_user_sql(users, tokens):
    # Encrypted columns stay deferred (read if asked for): decrypting one costs more
    # than the rest of the look-up, and authenticating reads none.
    from encrypted_fields.fields import EncryptedFieldMixin

    quote = connection.ops.quote_name
    columns = ", ".join(
        f"u.{quote(field.column)}"
        for field in users._meta.concrete_fields
        if not isinstance(field, EncryptedFieldMixin)
    )
    return _TOKEN_USER_SQL.format(
        columns=columns, users=users._meta.db_table, tokens=tokens._meta.db_table
    )


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, with the token and its user read in one
    query written out: it runs on every API call, and building it through the ORM
    costs more than running it. Same answers as DRF's for unknown keys and inactive
    users."""

    def authenticate_credentials(self, key):
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token

        users = get_user_model()
        user = next(iter(users.objects.raw(_token_user_sql(users, Token), [key])), None)
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
