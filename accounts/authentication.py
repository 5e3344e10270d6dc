"""API logins: the token of people (one written-out query) and the institutions' API key
(hospitals and pharmacies settling purchases)."""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models.sql import Query
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework_api_key.permissions import KeyParser

from accounts.models import Cardholder, InstitutionAPIKey
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
SELECT {columns}, t.created AS token_created, {cardholder_columns}
FROM {users} u JOIN {tokens} t ON t.user_id = u.id
LEFT JOIN {cardholders} c ON c.user_id = u.id
WHERE t.key = %s
"""  # noqa: S105 - a query, not a secret
_CARDHOLDER_PREFIX = "cardholder__"


def _token_user_sql(users, tokens):
    # The user's encrypted columns stay deferred (read if asked for): decrypting one
    # costs more than the rest of the look-up, and authenticating reads none. The
    # cardholder record comes whole, as the session's user brings it: nearly every call
    # asks for it next.
    from encrypted_fields.fields import EncryptedFieldMixin

    quote = connection.ops.quote_name
    columns = ", ".join(
        f"u.{quote(field.column)}"
        for field in users._meta.concrete_fields
        if not isinstance(field, EncryptedFieldMixin)
    )
    cardholder_columns = ", ".join(
        f"c.{quote(field.column)} AS {quote(_CARDHOLDER_PREFIX + field.attname)}"
        for field in Cardholder._meta.concrete_fields
    )
    return _TOKEN_USER_SQL.format(
        columns=columns,
        cardholder_columns=cardholder_columns,
        users=users._meta.db_table,
        tokens=tokens._meta.db_table,
        cardholders=Cardholder._meta.db_table,
    )


def _attach_cardholder(user):
    """Turn the cardholder columns read with `user` into `user.cardholder` (None when
    the user holds no card), converted as the ORM converts them."""
    fields = Cardholder._meta.concrete_fields
    values = [user.__dict__.pop(_CARDHOLDER_PREFIX + field.attname) for field in fields]
    cardholder = None
    if values[fields.index(Cardholder._meta.pk)] is not None:
        compiler = connection.ops.compiler("SQLCompiler")(Query(Cardholder), connection, None)
        converters = compiler.get_converters(
            [field.get_col(Cardholder._meta.db_table) for field in fields]
        )
        if converters:
            values = next(iter(compiler.apply_converters([values], converters)))
        cardholder = Cardholder.from_db(
            connection.alias, [field.attname for field in fields], list(values)
        )
    type(user).cardholder.related.set_cached_value(user, cardholder)
    if cardholder is not None:
        Cardholder.user.field.set_cached_value(cardholder, user)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, with the token, its user and the user's
    cardholder record read in one query written out: it runs on every API call, and
    building it through the ORM costs more than running it. Same answers as DRF's for
    unknown keys and inactive users."""

    def authenticate_credentials(self, key):
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token

        users = get_user_model()
        user = next(iter(users.objects.raw(_token_user_sql(users, Token), [key])), None)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        _attach_cardholder(user)
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
