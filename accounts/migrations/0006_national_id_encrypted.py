"""National ID numbers encrypted at rest, found by a keyed digest (accounts.pii).

Existing rows are rewritten in place: each cardholder's number is encrypted and its
digest stored; each login whose username is an ID number gets the digest as its
username and the number, encrypted, in `national_id`; django-axes' records of login
attempts get the digest too, and any ID number in their stored form data is masked.
"""

import re

import encrypted_fields.fields
from django.core.exceptions import ValidationError
from django.db import migrations

import accounts.pii
import accounts.validators

BATCH = 2_000
ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def _number(value):
    try:
        return accounts.validators.parse_national_id(value or "").number
    except ValidationError:
        return None


def _in_batches(queryset):
    batch = []
    for row in queryset.iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def encrypt_existing(apps, schema_editor):
    Cardholder = apps.get_model("accounts", "Cardholder")
    User = apps.get_model("accounts", "User")
    # A stored plaintext number does not decrypt; the field hands it back unchanged.
    for batch in _in_batches(Cardholder.objects.only("id", "national_id").order_by("id")):
        for holder in batch:
            holder.national_id_digest = accounts.pii.id_digest(holder.national_id)
        Cardholder.objects.bulk_update(batch, ["national_id", "national_id_digest"])
    for batch in _in_batches(User.objects.only("id", "username").order_by("id")):
        changed = []
        for user in batch:
            number = _number(user.username)
            if number and user.username == number:
                user.national_id, user.username = number, accounts.pii.id_digest(number)
                changed.append(user)
        User.objects.bulk_update(changed, ["username", "national_id"])
    _rekey_login_records(apps)


def _rekey_login_records(apps):
    for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        model = apps.get_model("axes", name)
        fields = {field.name for field in model._meta.get_fields()}
        for record in model.objects.filter(username__regex=r"^[0-9]{17}[0-9Xx]$").iterator():
            number = _number(record.username)
            if number:
                record.username = accounts.pii.id_digest(number)
            if "post_data" in fields:
                record.post_data = ID_IN_TEXT.sub(
                    lambda m: accounts.validators.mask_national_id(m.group(0)), record.post_data
                )
            record.save()


def decrypt_existing(apps, schema_editor):
    """Back to plaintext columns (for rolling this migration back)."""
    Cardholder = apps.get_model("accounts", "Cardholder")
    User = apps.get_model("accounts", "User")
    holders = Cardholder.objects.values_list("id", "national_id")
    users = User.objects.exclude(national_id=None).values_list("id", "national_id")
    with schema_editor.connection.cursor() as cursor:
        for pk, number in holders.iterator(chunk_size=BATCH):
            cursor.execute(
                "UPDATE accounts_cardholder SET national_id = %s WHERE id = %s", [number, pk]
            )
        for pk, number in users.iterator(chunk_size=BATCH):
            cursor.execute("UPDATE accounts_user SET username = %s WHERE id = %s", [number, pk])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_leaner_ledger_indexes"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.AddField(
            model_name="cardholder",
            name="national_id_digest",
            field=accounts.pii.NationalIdDigestField(
                editable=False, max_length=64, null=True, unique=True
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="national_id",
            field=encrypted_fields.fields.EncryptedCharField(
                blank=True, max_length=18, null=True, verbose_name="national ID number"
            ),
        ),
        migrations.AlterField(
            model_name="cardholder",
            name="national_id",
            field=encrypted_fields.fields.EncryptedCharField(
                max_length=18,
                validators=[accounts.validators.validate_national_id],
                verbose_name="national ID number",
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing, elidable=False),
        migrations.AlterField(
            model_name="cardholder",
            name="national_id_digest",
            field=accounts.pii.NationalIdDigestField(editable=False, max_length=64, unique=True),
        ),
    ]
