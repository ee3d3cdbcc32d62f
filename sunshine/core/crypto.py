"""Field encryption, keyed hashes and constant-time comparison.

Keys (read from settings at every call, so ``override_settings`` works):

* ``SUNSHINE_FIELD_KEYS = "keyid:base64key,keyid2:base64key2"``: the FIRST key is
  current (new values are written under it); the others only decrypt old values
  until ``manage.py rotate_field_keys`` has moved everything to the current key.
  Every key is 32 bytes of random material (``base64.b64encode(os.urandom(32))``);
  a key id is letters, digits, ``_`` or ``-``.
* ``SUNSHINE_FIELD_CIPHER``: ``"aes-256-gcm"`` (default) uses the 32-byte key as is;
  ``"sm4-gcm"`` (GB/T 32907, for 国密 deployments) uses a 16-byte key DERIVED from
  the same 32-byte material with HKDF-SHA256 (info ``"sunshine sm4-gcm field key"``).
  Decision: one key format for both ciphers, so switching the cipher needs no new
  key distribution; the derived SM4 key is never the AES key. The cipher a value was
  written with is recorded in the value, so values of either cipher decrypt after
  the setting changes, and ``rotate_field_keys`` rewrites them under the current one.
* ``SUNSHINE_HASH_KEY``: secret for :func:`keyed_hash` (HMAC-SHA256) of secrets a
  person holds and presents — receipt codes, enrolment links, recovery codes.
* ``SUNSHINE_INDEX_KEY``: a separate secret for :func:`blind_index` (HMAC-SHA256) of
  personal data kept for exact-match search — a filer's phone, name, ID number. A
  leak of either key does not open the other's hashes; rotating the index key means
  recomputing the indexes from the encrypted fields (``manage.py
  petition_identity_reindex``); receipt hashes cannot be recomputed, so the hash key
  stays. Field-key rotation (``rotate_field_keys``) touches neither.

Stored format: ``sx1$<alg>$<keyid>$<base64(nonce ‖ ciphertext ‖ tag)>`` with a fresh
random 96-bit nonce. The associated data binds the ciphertext to its ``context`` (for
model fields ``"<app_label>.<model_name>.<field_name>"``), the algorithm and the key
id: a ciphertext copied into another column does not decrypt. Consequence: renaming a
model or an encrypted field needs a data migration that decrypts under the old
context and encrypts under the new one.

Nothing here logs or puts plaintext into an exception message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

__all__ = [
    "AES_256_GCM",
    "CIPHERS",
    "PREFIX",
    "SM4_GCM",
    "CanaryResult",
    "DecryptionError",
    "FieldKey",
    "FieldKeyError",
    "ParsedToken",
    "blind_index",
    "canary_check",
    "constant_time_equals",
    "current_cipher",
    "current_key",
    "decrypt",
    "encrypt",
    "field_keys",
    "is_current",
    "keyed_hash",
    "open_for_holder",
    "parse_token",
    "seal_for_holder",
]

PREFIX = "sx1"
AES_256_GCM = "aes-256-gcm"
SM4_GCM = "sm4-gcm"
CIPHERS = (AES_256_GCM, SM4_GCM)
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_SM4_INFO = b"sunshine sm4-gcm field key"
_HOLDER_INFO = b"sunshine holder-secret key"
HOLDER_KEY_ID = "holder"


class FieldKeyError(ImproperlyConfigured):
    """The key settings are missing or malformed, or a value names a key we do not hold."""


class DecryptionError(ValueError):
    """A value is not a token, was tampered with, belongs to another context, or the key is wrong."""


@dataclass(frozen=True)
class FieldKey:
    key_id: str
    material: bytes  # 32 bytes

    def __repr__(self) -> str:  # never print the key material
        return f"FieldKey({self.key_id!r})"


@dataclass(frozen=True)
class ParsedToken:
    alg: str
    key_id: str
    blob: bytes  # nonce ‖ ciphertext ‖ tag


@lru_cache(maxsize=8)
def _parse_keys(raw: str) -> tuple[FieldKey, ...]:
    keys: list[FieldKey] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        key_id, sep, b64 = part.partition(":")
        key_id = key_id.strip()
        if not sep or not _KEY_ID.match(key_id):
            raise FieldKeyError(_("SUNSHINE_FIELD_KEYS: each key must be written as keyid:base64key."))
        try:
            material = base64.b64decode(b64.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise FieldKeyError(
                _("SUNSHINE_FIELD_KEYS: key %(key_id)s is not valid base64.") % {"key_id": key_id}
            ) from None
        if len(material) != KEY_BYTES:
            raise FieldKeyError(
                _("SUNSHINE_FIELD_KEYS: key %(key_id)s must be %(n)d bytes.") % {"key_id": key_id, "n": KEY_BYTES}
            )
        if any(k.key_id == key_id for k in keys):
            raise FieldKeyError(_("SUNSHINE_FIELD_KEYS: key id %(key_id)s appears twice.") % {"key_id": key_id})
        keys.append(FieldKey(key_id, material))
    if not keys:
        raise FieldKeyError(_("SUNSHINE_FIELD_KEYS is empty: field encryption needs at least one key."))
    return tuple(keys)


def field_keys() -> tuple[FieldKey, ...]:
    """The configured keys, current first (read from settings at call time)."""
    raw = getattr(settings, "SUNSHINE_FIELD_KEYS", "")
    if not isinstance(raw, str):
        raise FieldKeyError(_("SUNSHINE_FIELD_KEYS must be a string."))
    return _parse_keys(raw)


def current_key() -> FieldKey:
    return field_keys()[0]


def current_cipher() -> str:
    cipher = getattr(settings, "SUNSHINE_FIELD_CIPHER", AES_256_GCM) or AES_256_GCM
    if cipher not in CIPHERS:
        raise FieldKeyError(_("SUNSHINE_FIELD_CIPHER must be one of: %(ciphers)s.") % {"ciphers": ", ".join(CIPHERS)})
    return cipher


def _key_for(key_id: str) -> FieldKey:
    for key in field_keys():
        if key.key_id == key_id:
            return key
    raise FieldKeyError(
        _("No field-encryption key with id %(key_id)s is configured; add it to SUNSHINE_FIELD_KEYS.")
        % {"key_id": key_id}
    )


@lru_cache(maxsize=32)
def _sm4_key(material: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=16, salt=None, info=_SM4_INFO).derive(material)


def _aad(alg: str, key_id: str, context: str) -> bytes:
    return f"{PREFIX}|{alg}|{key_id}|{context}".encode()


def _seal(alg: str, key: FieldKey, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    if alg == AES_256_GCM:
        return AESGCM(key.material).encrypt(nonce, plaintext, aad)
    encryptor = Cipher(algorithms.SM4(_sm4_key(key.material)), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return body + encryptor.tag


def _open(alg: str, key: FieldKey, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    if alg == AES_256_GCM:
        return AESGCM(key.material).decrypt(nonce, sealed, aad)
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(_sm4_key(key.material)), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


def _check_context(context: str) -> None:
    if not context:
        raise ValueError("encryption context must not be empty")


def encrypt(text: str, *, context: str) -> str:
    """Encrypt ``text`` under the current key and cipher, bound to ``context``."""
    _check_context(context)
    alg, key = current_cipher(), current_key()
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(alg, key, nonce, text.encode("utf-8"), _aad(alg, key.key_id, context))
    return f"{PREFIX}${alg}${key.key_id}${base64.b64encode(nonce + sealed).decode('ascii')}"


def parse_token(token: str) -> ParsedToken:
    """Split a stored value into its parts without decrypting it."""
    parts = token.split("$") if isinstance(token, str) else []
    if len(parts) != 4 or parts[0] != PREFIX or parts[1] not in CIPHERS or not _KEY_ID.match(parts[2]):
        raise DecryptionError(_("The stored value is not an encrypted field value."))
    try:
        blob = base64.b64decode(parts[3], validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError(_("The stored encrypted value is damaged.")) from None
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError(_("The stored encrypted value is damaged."))
    return ParsedToken(alg=parts[1], key_id=parts[2], blob=blob)


def decrypt(token: str, *, context: str) -> str:
    """Decrypt a value written by :func:`encrypt` with the same ``context``.

    Raises :class:`FieldKeyError` when the value's key is not configured and
    :class:`DecryptionError` when the key is wrong, the value was altered, or it
    belongs to another context (another model or field).
    """
    _check_context(context)
    parsed = parse_token(token)
    key = _key_for(parsed.key_id)
    nonce, sealed = parsed.blob[:NONCE_BYTES], parsed.blob[NONCE_BYTES:]
    try:
        plaintext = _open(parsed.alg, key, nonce, sealed, _aad(parsed.alg, parsed.key_id, context))
    except InvalidTag:
        raise DecryptionError(
            _(
                "Cannot decrypt a value under key %(key_id)s: the key material is wrong, "
                "or the value was altered or copied from another field."
            )
            % {"key_id": parsed.key_id}
        ) from None
    return plaintext.decode("utf-8")


def is_current(token: str) -> bool:
    """True when ``token`` is written under the current key AND the current cipher."""
    try:
        parsed = parse_token(token)
    except DecryptionError:
        return False
    return parsed.key_id == current_key().key_id and parsed.alg == current_cipher()


def receipt_code_new(digits: int = 16) -> str:
    """A random receipt code of ``digits`` decimal digits (from ``secrets``), shown once
    to a filer or requester; store only its :func:`keyed_hash`."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def _hmac_hex(setting: str, value: str, purpose: str) -> str:
    secret = getattr(settings, setting, "")
    if not secret:
        raise FieldKeyError(_("%(setting)s is not set.") % {"setting": setting})
    if not purpose or "\x00" in purpose:
        raise ValueError("purpose must be a non-empty label without NUL")
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    message = purpose.encode("utf-8") + b"\x00" + value.encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of ``value`` under ``SUNSHINE_HASH_KEY``, separated by ``purpose``:
    for secrets a person presents (receipt codes, enrolment links, recovery codes).

    The same value gives different hashes for different purposes, so one hash cannot
    be joined against another. Hex digest.
    """
    return _hmac_hex("SUNSHINE_HASH_KEY", value, purpose)


def blind_index(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of ``value`` under ``SUNSHINE_INDEX_KEY`` (not the receipt key),
    separated by ``purpose``: the blind index of a piece of personal data (a phone, a
    name, an ID number) kept beside its encrypted field for exact-match search. Hex."""
    return _hmac_hex("SUNSHINE_INDEX_KEY", value, purpose)


def constant_time_equals(a: str | bytes, b: str | bytes) -> bool:
    """Compare secrets (codes, hashes, tokens) without leaking where they differ."""
    a_bytes = a.encode("utf-8") if isinstance(a, str) else a
    b_bytes = b.encode("utf-8") if isinstance(b, str) else b
    return hmac.compare_digest(a_bytes, b_bytes)


# --- The canary: proves the configured key set can read what is stored ----------------

CANARY_LABEL = "default"
CANARY_TEXT = "sunshine field-encryption canary"


@dataclass(frozen=True)
class CanaryResult:
    ok: bool
    key_id: str  # the key the canary is stored under ("" when unreadable)
    alg: str
    is_current: bool  # stored under the current key and cipher
    message: str


def canary_check() -> CanaryResult:
    """Decrypt the canary row (creating it under the current key on first use).

    For the security administrator's key page: ``ok`` is True when the configured
    keys decrypt the canary; ``is_current`` tells whether rotation has reached it.
    """
    from django.db import IntegrityError, transaction
    from django.db.models import F, TextField
    from django.db.models.expressions import ExpressionWrapper

    from sunshine.core.models.crypto import EncryptionCanary

    if not EncryptionCanary.objects.filter(label=CANARY_LABEL).exists():
        try:  # on a race, the other worker's row wins (label is unique)
            with transaction.atomic():
                EncryptionCanary.objects.create(label=CANARY_LABEL, value=CANARY_TEXT)
        except IntegrityError:
            pass
    raw = (
        EncryptionCanary.objects.filter(label=CANARY_LABEL)
        .annotate(raw=ExpressionWrapper(F("value"), output_field=TextField()))
        .values_list("raw", flat=True)
        .get()
    )
    try:
        parsed = parse_token(raw)
        text = decrypt(raw, context=EncryptionCanary.value_context())
    except (DecryptionError, FieldKeyError) as exc:
        return CanaryResult(ok=False, key_id="", alg="", is_current=False, message=str(exc))
    ok = constant_time_equals(text, CANARY_TEXT)
    return CanaryResult(
        ok=ok,
        key_id=parsed.key_id,
        alg=parsed.alg,
        is_current=is_current(raw),
        message=_("The configured keys decrypt the canary.") if ok else _("The canary decrypts to the wrong text."),
    )


# --- A value only the holder of a secret can open -----------------------------------------------


def _holder_key(secret: str) -> FieldKey:
    material = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=_HOLDER_INFO).derive(
        secret.encode("utf-8")
    )
    return FieldKey(HOLDER_KEY_ID, material)


def seal_for_holder(secret: str, text: str, *, context: str) -> str:
    """Encrypt ``text`` under a key derived (HKDF-SHA256) from ``secret``, a random value
    that only its holder keeps (a form's one-time token, 192 bits): the server stores the
    result but cannot open it until the holder presents the secret again. Same stored
    format and cipher setting as :func:`encrypt`, under the key id ``holder``."""
    _check_context(context)
    if len(secret) < 16:
        raise ValueError("a holder secret must be at least 16 characters")
    alg, key = current_cipher(), _holder_key(secret)
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(alg, key, nonce, text.encode("utf-8"), _aad(alg, key.key_id, context))
    return f"{PREFIX}${alg}${key.key_id}${base64.b64encode(nonce + sealed).decode('ascii')}"


def open_for_holder(secret: str, token: str, *, context: str) -> str:
    """Open what :func:`seal_for_holder` sealed; :class:`DecryptionError` for a wrong
    secret, another context or an altered value."""
    _check_context(context)
    parsed = parse_token(token)
    if parsed.key_id != HOLDER_KEY_ID:
        raise DecryptionError(_("The stored value is not an encrypted field value."))
    key = _holder_key(secret)
    nonce, sealed = parsed.blob[:NONCE_BYTES], parsed.blob[NONCE_BYTES:]
    try:
        return _open(parsed.alg, key, nonce, sealed, _aad(parsed.alg, key.key_id, context)).decode("utf-8")
    except InvalidTag:
        raise DecryptionError(_("The stored encrypted value is damaged.")) from None


# --- A secret handed to the next page through the session ------------------------------------

SESSION_SECRET_SECONDS = 600


def session_secret_put(session: Any, key: str, value: dict[str, Any], *, seconds: int = SESSION_SECRET_SECONDS) -> None:
    """Hand ``value`` (a receipt code and its case number) to the next page of this
    session: sealed under the field keys and bound to ``key``, so the session store (a
    database table) never holds it readable, and good for ``seconds`` only. The page
    that shows it takes it out with :func:`session_secret_pop`."""
    payload = json.dumps({"v": value, "until": time.time() + seconds}, ensure_ascii=False)
    session[key] = encrypt(payload, context=f"session:{key}")


def session_secret_pop(session: Any, key: str) -> dict[str, Any] | None:
    """Take out what :func:`session_secret_put` left under ``key``: None when there is
    nothing, when it has expired, or when it cannot be opened."""
    token = session.pop(key, None)
    if not isinstance(token, str):
        return None
    try:
        data = json.loads(decrypt(token, context=f"session:{key}"))
    except (DecryptionError, FieldKeyError, ValueError):
        return None
    if not isinstance(data, dict) or float(data.get("until", 0)) < time.time():
        return None
    value = data.get("v")
    return value if isinstance(value, dict) else None
