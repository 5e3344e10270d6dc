"""National ID numbers at rest: stored encrypted, found by a keyed hash.

The number itself is kept only in encrypted columns (`Cardholder.national_id`,
`User.national_id`: Fernet through django-fernet-encrypted-fields, with keys derived
from DJANGO_SECRET_KEY and SSCARD_PII_SALT_KEYS). Encryption is randomised, so the
database cannot compare two ciphertexts; every equality look-up (signing in,
identifying a deceased person, matching payroll rows, searching in the admin) goes
through `id_digest`, an HMAC-SHA256 of the normalised number under SSCARD_ID_HASH_KEY.
A plain hash would not do: there are few enough valid ID numbers to hash them all, so
without the key the digest must be useless. Rotating either key is described in
docs/RELIABILITY.md and done by `manage.py rotate_pii_keys`.
"""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from encrypted_fields.fields import EncryptedFieldMixin

from accounts.validators import parse_national_id

DIGEST_LENGTH = 64


def id_digest(number, key=None):
    """The look-up digest of an already normalised ID number (hex, 64 characters)."""
    key = settings.SSCARD_ID_HASH_KEY if key is None else key
    return hmac.new(key.encode(), number.encode(), hashlib.sha256).hexdigest()


def id_digests(number):
    """Digests of `number` under the current key and, while a rotation is under way,
    the previous one: look-ups match rows not yet re-keyed too."""
    keys = [settings.SSCARD_ID_HASH_KEY, *settings.SSCARD_ID_HASH_KEYS_PREVIOUS]
    return [id_digest(number, key) for key in keys]


# Typed between the digits of an ID number by phones, copy-paste and input methods:
# spaces of every kind, hyphens and dots, and invisible format characters
# (zero-width space and joiners, the byte-order mark, direction marks).
_SEPARATORS = frozenset("-_.,/\\·・‐‑‒–—―−")
# Long enough to be (most of) an ID number, never part of a staff username.
_ID_SHAPED = re.compile(r"[0-9]{14,}")


def normalise_typed_id(text):
    """What a person typed as an ID number, the way it is compared: NFKC (full-width
    digits become ASCII), separators, whitespace and invisible format characters
    removed, a lower-case check character upper-cased."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text)
    kept = [
        char
        for char in text
        if not char.isspace()
        and char not in _SEPARATORS
        and unicodedata.category(char) not in {"Cf", "Cc", "Zs", "Zl", "Zp", "Mn"}
    ]
    return "".join(kept).upper()


def is_id_shaped(text):
    """Does `text` carry something that looks like an ID number, valid or not?"""
    return bool(_ID_SHAPED.search(normalise_typed_id(text)))


def id_number_in(text):
    """The normalised ID number `text` is (typed with spaces, separators, zero-width
    characters, full-width digits or a lower-case "x" allowed), or None when it is
    not one."""
    try:
        return parse_national_id(normalise_typed_id(text)).number
    except ValidationError:
        return None


def login_usernames(value):
    """Every username a typed login may be stored under: the digests of an ID number
    (current key first), or a staff username unchanged. Something ID-shaped that is
    not a valid number (a wrong check digit, a digit too few) becomes the digest of
    what was typed, normalised: no user has it, and django-axes' records of the
    failed attempt hold no number in the clear."""
    number = id_number_in(value)
    if number is None:
        if is_id_shaped(value):
            return [id_digest(normalise_typed_id(value))]
        return [(value or "").strip() if isinstance(value, str) else ""]
    return id_digests(number)


def login_username(value):
    """The username a login is stored under: the digest of an ID number (so the
    users table, the session and django-axes never hold the number itself), or a
    staff username unchanged. A lower-case check character "x" is the same login.
    While a key rotation is under way, a user not yet re-keyed is found by the old
    digest."""
    candidates = login_usernames(value)
    if len(candidates) == 1:
        return candidates[0]
    stored = (
        get_user_model()
        .objects.filter(username__in=candidates)
        .values_list("username", flat=True)
        .first()
    )
    return stored or candidates[0]


class NationalIdDigestField(models.CharField):
    """The keyed hash of the model's `national_id`, computed whenever the row is
    written (save and bulk_create alike), so the two never disagree."""

    def __init__(self, *args, source="national_id", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", DIGEST_LENGTH)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.source != "national_id":
            kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        number = getattr(model_instance, self.source) or ""
        value = id_digest(number) if number else None
        setattr(model_instance, self.attname, value)
        return value


def rekey_all(batch_size=2_000, progress=None):
    """After a key rotation: encrypt every stored ID number under the newest key and
    recompute every digest (cardholders, ID logins and axes' login records) under the
    current SSCARD_ID_HASH_KEY. Safe to run again; each batch is its own transaction,
    and look-ups accept the previous digests until it has finished.
    Returns (cardholders, users) rewritten."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.db import transaction

    from accounts.models import Cardholder

    holders = users = 0
    for batch in _batches(Cardholder.objects.only("id", "national_id"), batch_size):
        with transaction.atomic():
            for holder in batch:
                holder.national_id_digest = id_digest(holder.national_id)
            Cardholder.objects.bulk_update(batch, ["national_id", "national_id_digest"])
        holders += len(batch)
        if progress:
            progress(f"cardholders: {holders:,}")
    user_model = get_user_model()
    logins = user_model.objects.exclude(national_id=None).only("id", "username", "national_id")
    for batch in _batches(logins, batch_size):
        with transaction.atomic():
            renamed = {}
            for user in batch:
                new = id_digest(user.national_id)
                if new != user.username:
                    renamed[user.username] = user.username = new
            user_model.objects.bulk_update(batch, ["username", "national_id"])
            for record in (AccessAttempt, AccessLog, AccessFailureLog):
                for old, new in renamed.items():
                    record.objects.filter(username=old).update(username=new)
        users += len(batch)
        if progress:
            progress(f"logins: {users:,}")
    return holders, users


def _batches(queryset, size):
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


@receiver(setting_changed)
def _forget_derived_keys(*, setting, **kwargs):
    """The encrypted fields derive their keys once per process; when the secret or the
    salts change under them (tests, a rotation rehearsal), derive them again."""
    if setting not in {"SALT_KEY", "SECRET_KEY", "SECRET_KEY_FALLBACKS"}:
        return
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.fields:
            if isinstance(field, EncryptedFieldMixin):
                field.__dict__.pop("keys", None)
                field.__dict__.pop("f", None)
