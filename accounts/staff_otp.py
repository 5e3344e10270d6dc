"""Staff second factor: TOTP devices (django-otp) for the admin and the staff API.

A staff member has one authenticator device, named AUTHENTICATOR. It counts once
confirmed: either an operator created it (`manage.py staff_totp USERNAME`) or the
person set it up on the enrolment page with a one-time enrolment code an operator
issued (`manage.py staff_totp USERNAME --enrolment-code`) and a correct TOTP code.
Self-enrolment is open only while no confirmed device exists, and never with the
password alone: a stolen password cannot add a device.

A staff API token carries its proof (StaffTokenProof): the device that confirmed the
login that issued it and a digest of the roles it was issued for. The token
authentication checks it on every staff request.
"""

import base64
import binascii
import hashlib
import io

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

AUTHENTICATOR = "authenticator"


def secret_base32(device):
    """The shared secret as authenticator apps and `oathtool --totp -b` take it."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def key_from_base32(secret):
    """The hex key django-otp stores, from a base32 secret (spaces and case ignored)."""
    text = secret.replace(" ", "").upper()
    text += "=" * (-len(text) % 8)
    try:
        return binascii.hexlify(base64.b32decode(text)).decode("ascii")
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not a base32 secret") from exc


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def totp_device_for(user, *, secret=None, confirmed=False, replace=False):
    """The user's authenticator device, created if missing.

    With `secret` (base32) the device uses that key (the demo's fixed secret);
    `replace` gives it a fresh key. A device created here is unconfirmed unless
    `confirmed` (an operator hands the secret over in person)."""
    device = TOTPDevice.objects.filter(user=user, name=AUTHENTICATOR).order_by("pk").first()
    fields = {"confirmed": confirmed} if confirmed else {}
    if secret is not None:
        fields["key"] = key_from_base32(secret)
    if device is None:
        device = TOTPDevice(user=user, name=AUTHENTICATOR, confirmed=confirmed)
        for name, value in fields.items():
            setattr(device, name, value)
        device.save()
        return device
    if replace and secret is None:
        from django_otp.plugins.otp_totp.models import default_key

        fields["key"] = default_key()
    if fields:
        for name, value in fields.items():
            setattr(device, name, value)
        device.save()
    return device


def qr_data_uri(text):
    """An SVG QR code of `text` as a data: URI (the CSP allows data: images)."""
    import qrcode
    import qrcode.image.svg

    out = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


# --- staff API tokens carry their second factor ------------------------------------


def role_digest(user):
    """The digest of what the user's powers rest on (User.role_fingerprint)."""
    return hashlib.sha256(user.role_fingerprint().encode()).hexdigest()


@transaction.atomic
def staff_token_issue(user, device):
    """The API token of a staff member who just passed `device` (a TOTP code): their
    existing token if it already carries a proof for the current roles, else a new
    one, so a token issued before (without a second factor, or for other roles)
    never becomes valid again."""
    from rest_framework.authtoken.models import Token

    from accounts.models import StaffTokenProof

    digest = role_digest(user)
    token = Token.objects.filter(user=user).first()
    if token is not None:
        proof = StaffTokenProof.objects.filter(token=token).first()
        if proof is None or proof.role_fingerprint != digest:
            token.delete()
            token = None
    if token is None:
        token = Token.objects.create(user=user)
    StaffTokenProof.objects.update_or_create(
        token=token, defaults={"device": device, "role_fingerprint": digest}
    )
    return token


def staff_token_proven(user, token_key):
    """Does this staff token carry a second factor from the user's own confirmed
    device, for the roles the user has now?"""
    from accounts.models import StaffTokenProof

    return StaffTokenProof.objects.filter(
        token_id=token_key,
        device__user_id=user.pk,
        device__confirmed=True,
        role_fingerprint=role_digest(user),
    ).exists()


# --- first enrolment needs a code from an operator ---------------------------------

ENROLMENT_CODE_HOURS = 24


def _code_hash(user, code):
    from django.utils.crypto import salted_hmac

    text = "".join(str(code or "").split()).upper().replace("-", "")
    return salted_hmac("accounts.staff_otp.enrolment", f"{user.pk}|{text}").hexdigest()


@transaction.atomic
def enrolment_code_issue(user, hours=ENROLMENT_CODE_HOURS):
    """A fresh one-time code for the user's first authenticator (replacing any earlier
    one), valid for `hours`. Only its hash is stored; the caller shows the code once."""
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import StaffEnrolmentCode

    raw = get_random_string(12, allowed_chars="ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    StaffEnrolmentCode.objects.update_or_create(
        user=user,
        defaults={
            "code_hash": _code_hash(user, raw),
            "expires_at": timezone.now() + timedelta(hours=hours),
        },
    )
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def enrolment_code_valid(user, code):
    from django.utils import timezone
    from django.utils.crypto import constant_time_compare

    from accounts.models import StaffEnrolmentCode

    row = StaffEnrolmentCode.objects.filter(user=user, expires_at__gt=timezone.now()).first()
    return row is not None and constant_time_compare(row.code_hash, _code_hash(user, code))


def enrolment_code_used(user):
    from accounts.models import StaffEnrolmentCode

    StaffEnrolmentCode.objects.filter(user=user).delete()


@transaction.atomic
def device_confirm(user, device, code):
    """The staff member typed a right code from their new authenticator: the device is
    confirmed and the operator's enrolment code is spent, together. False if wrong."""
    if not device.verify_token(str(code).strip()):
        return False
    type(device).objects.filter(pk=device.pk).update(confirmed=True)
    device.refresh_from_db()
    enrolment_code_used(user)
    return True
