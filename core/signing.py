"""Documents anyone can verify: a document's facts signed with Ed25519.

A verification code is ``<facts>.<signature>``, both base64url: the facts are the
canonical JSON of what the document states (already masked: a masked name and ID
number, dates, amounts as strings) plus the id of the signing key; the signature is
Ed25519 over exactly those bytes. Anyone holding the published public key can check a
code offline; the public page does the same with the keys in settings.

Keys rotate like the ID-number keys: ``SSCARD_DOCUMENT_SIGNING_KEYS`` lists private
keys (base64url of the 32-byte seed), newest first; the first signs, every one still
verifies. ``SSCARD_DOCUMENT_VERIFY_KEYS`` lists the public keys of retired private keys,
so documents signed before a rotation stay verifiable after the old key is gone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings


class InvalidCode(Exception):
    """The code is malformed, names an unknown key, or its signature does not match."""


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidCode("not base64") from exc


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw_public(key)).hexdigest()[:12]


def _private_keys() -> list[Ed25519PrivateKey]:
    return [
        Ed25519PrivateKey.from_private_bytes(_decode(seed))
        for seed in settings.SSCARD_DOCUMENT_SIGNING_KEYS
    ]


def public_keys() -> dict[str, Ed25519PublicKey]:
    """Every key a code may be signed with, by key id."""
    keys = [private.public_key() for private in _private_keys()]
    keys += [
        Ed25519PublicKey.from_public_bytes(_decode(text))
        for text in settings.SSCARD_DOCUMENT_VERIFY_KEYS
    ]
    return {key_id(key): key for key in keys}


def published_keys_text(keys: dict[str, Ed25519PublicKey] | None = None) -> str:
    """One line per public key: ``<key id> <base64url raw public key>``."""
    keys = public_keys() if keys is None else keys
    return "".join(f"{kid} {_encode(_raw_public(key))}\n" for kid, key in keys.items())


def parse_published_keys(text: str) -> dict[str, Ed25519PublicKey]:
    keys = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            _, _, encoded = line.strip().partition(" ")
            key = Ed25519PublicKey.from_public_bytes(_decode(encoded.strip()))
            keys[key_id(key)] = key
    return keys


def canonical(facts: dict) -> bytes:
    return json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sign(facts: dict) -> str:
    """The verification code of ``facts`` (a JSON-ready dict of strings and numbers)."""
    private = _private_keys()[0]
    payload = canonical({**facts, "kid": key_id(private.public_key())})
    return f"{_encode(payload)}.{_encode(private.sign(payload))}"


def verify(code: str, keys: dict[str, Ed25519PublicKey] | None = None) -> dict:
    """The facts of a genuine code; :class:`InvalidCode` for anything else."""
    keys = public_keys() if keys is None else keys
    encoded_payload, dot, encoded_signature = str(code).strip().partition(".")
    if not dot or not encoded_payload or not encoded_signature:
        raise InvalidCode("not a code")
    payload, signature = _decode(encoded_payload), _decode(encoded_signature)
    try:
        facts = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidCode("unreadable facts") from exc
    if not isinstance(facts, dict) or facts.get("kid") not in keys:
        raise InvalidCode("unknown key")
    try:
        keys[facts["kid"]].verify(signature, payload)
    except InvalidSignature as exc:
        raise InvalidCode("signature does not match") from exc
    return facts


def mask_name(name: str) -> str:
    """王芳 -> 王*, Wang Fang -> W*** F***: enough to recognise, not to learn."""
    words = str(name).split()
    if len(words) > 1:
        return " ".join(word[0] + "*" * (len(word) - 1) for word in words)
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""
