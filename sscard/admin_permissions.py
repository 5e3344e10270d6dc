"""Permissions read in the staff member's language.

Django stores a permission's name once, in English, when the model's permissions are
created ("Can add claim"); the admin's role and user forms show that stored text. Here a
built-in permission is named from its action and the model's translated name, and a
model's own permission by its name looked up in the catalogue (each is declared with
gettext in its model's Meta), so the Chinese admin reads Chinese."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission):
    """``app | model | what it allows``, every part in the active language."""
    content_type = permission.content_type
    model = content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if model is not None and action in ACTIONS and model_name == model._meta.model_name:
        name = str(ACTIONS[action]) % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    return f"{content_type} | {name}"


class TranslatedPermissionsMixin:
    """The permissions field of a role or user form lists translated names."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions") and field is not None:
            field.label_from_instance = permission_label
        return field
