"""Encrypting authenticator (TOTP) secrets at rest.

A secret is stored as ``v1:<base64url(nonce + ciphertext)>``: AES-256-GCM with a random
12-byte nonce, and the owner's user id as associated data, so a stored value copied onto
another person's row does not decrypt (and cannot be used to sign in as them).

The key:

- ``MFA_ENCRYPTION_KEY`` (a Django setting, else the environment variable of that name):
  the base64 of 32 random bytes, e.g. from
  ``python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"``.
  Recommended in production: it lets ``DJANGO_SECRET_KEY`` be rotated on its own.
- When unset, a key derived from ``SECRET_KEY`` (``DJANGO_SECRET_KEY``) with HKDF-SHA256
  (info ``b"rebalancer mfa secret"``). Changing ``SECRET_KEY`` then makes every stored
  secret unreadable.

Changing the key (or, without one, ``SECRET_KEY``) after secrets were stored makes them
unreadable: ``MfaSecretUnreadable`` says so. Restore the previous key, or have the people
concerned set up their authenticator again (a firm admin can reset it).
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_SETTING = "MFA_ENCRYPTION_KEY"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
VERSION = "v1"
HKDF_INFO = b"rebalancer mfa secret"


class MfaSecretUnreadable(Exception):
    """A stored authenticator secret that cannot be decrypted. An operator's problem (the
    key changed, or the row was altered), never the person's: not a DomainError."""


def _configured_key() -> str:
    return getattr(settings, KEY_SETTING, os.environ.get(KEY_SETTING, "")) or ""


def encryption_key() -> bytes:
    """The 32-byte AES key: ``MFA_ENCRYPTION_KEY`` when set, else derived from SECRET_KEY.
    Raises ImproperlyConfigured when ``MFA_ENCRYPTION_KEY`` is not base64 of 32 bytes."""
    configured = _configured_key().strip()
    if configured:
        try:
            key = base64.b64decode(configured, validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"{KEY_SETTING} must be the base64 of {KEY_BYTES} random bytes, e.g. the output "
                'of: python -c "import base64, os; '
                'print(base64.b64encode(os.urandom(32)).decode())"'
            )
        return key
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=HKDF_INFO)
    return hkdf.derive(settings.SECRET_KEY.encode())


def _associated_data(user_id: int) -> bytes:
    return f"rebalancer mfa device of user {user_id}".encode()


def is_encrypted(value: str) -> bool:
    """Whether a stored value is in the encrypted format (rather than a plain secret)."""
    return value.startswith(f"{VERSION}:")


def mfa_secret_encrypt(*, secret: str, user_id: int) -> str:
    """The stored form of ``secret`` for the person ``user_id``."""
    if user_id is None:
        raise ValueError("An authenticator secret is encrypted for a person: user_id is needed.")
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(encryption_key()).encrypt(nonce, secret.encode(), _associated_data(user_id))
    return f"{VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def mfa_secret_decrypt(*, token: str, user_id: int) -> str:
    """The secret stored as ``token`` for the person ``user_id``; raises
    MfaSecretUnreadable when it cannot be read back."""
    if not is_encrypted(token):
        raise MfaSecretUnreadable(
            f"The authenticator secret of user {user_id} is not in the encrypted format "
            f"'{VERSION}:...'. Run the database migrations (they encrypt stored secrets)."
        )
    try:
        raw = base64.b64decode(token.removeprefix(f"{VERSION}:"), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) <= NONCE_BYTES + TAG_BYTES:
        raise MfaSecretUnreadable(
            f"The authenticator secret of user {user_id} is damaged (not a '{VERSION}:' value "
            "of base64 nonce and ciphertext)."
        )
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    try:
        plain = AESGCM(encryption_key()).decrypt(nonce, sealed, _associated_data(user_id))
    except InvalidTag as exc:
        raise MfaSecretUnreadable(
            f"The authenticator secret of user {user_id} cannot be decrypted: the encryption "
            f"key has changed since it was stored ({KEY_SETTING}, or DJANGO_SECRET_KEY when "
            f"{KEY_SETTING} is not set), or the stored value belongs to another person. "
            "Restore the previous key, or have a firm admin reset this person's multi-factor "
            "sign-in so they set it up again."
        ) from exc
    return plain.decode()
