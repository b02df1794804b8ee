"""Checking and issuing one-time codes: authenticator (TOTP) codes and recovery codes.

- Authenticator codes are RFC 6238 TOTP: 6 digits, 30-second steps, the SHA-1 every app
  supports. One step either side of now is accepted for clock drift. A code whose step is
  not after the device's ``last_used_step`` is refused, so a code seen over someone's
  shoulder (or in a proxy's log) cannot be used again.
- Recovery codes: ``RECOVERY_CODE_COUNT`` codes of 10 characters from a 32-letter alphabet
  (50 random bits each), written ``xxxxx-xxxxx``, shown once and stored only as
  SHA-256(salt + code) with a salt per code. Each works once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from enum import StrEnum

import pyotp
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from firms.crypto import MfaSecretUnreadable
from firms.models import MfaDevice, MfaRecoveryCode
from rebalancer.errors import DomainError

logger = logging.getLogger(__name__)

ISSUER = "Rebalancer"
RECOVERY_CODE_COUNT = 10
UNREADABLE_APP = (
    "Your authenticator app cannot be checked right now (the server's encryption key was "
    "changed). Use one of your recovery codes, or ask your firm admin to reset your "
    "multi-factor sign-in."
)
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # no i, l, o, u
WRONG_CODE = (
    "That code is not right. Enter the 6-digit code your app shows now, or a recovery code."
)


class Factor(StrEnum):
    TOTP = "totp"
    RECOVERY = "recovery"


def normalise(code: str) -> str:
    """A code as typed, without spaces or dashes, in lower case."""
    return "".join(ch for ch in code if ch not in " -\t").lower()


def provisioning_uri(*, device: MfaDevice) -> str:
    """The ``otpauth://`` address an authenticator app reads (as a QR code or pasted)."""
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=device.user.get_username(), issuer_name=ISSUER
    )


def matching_step(*, secret: str, code: str, at: dt.datetime | None = None) -> int | None:
    """The time step (now, one before or one after) whose code is ``code``, if any."""
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at or timezone.now())
    for step in (now_step, now_step - 1, now_step + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def recovery_codes_replace(*, device: MfaDevice) -> list[str]:
    """Fresh recovery codes for ``device`` (the old ones stop working); returns them in
    clear, the only time they exist so. Call inside a transaction."""
    MfaRecoveryCode.objects.filter(device=device).delete()
    codes, rows = [], []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        salt = secrets.token_hex(16)
        rows.append(MfaRecoveryCode(device=device, salt=salt, digest=_digest(salt, raw)))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    MfaRecoveryCode.objects.bulk_create(rows)
    return codes


def _totp_use(*, device: MfaDevice, code: str, at: dt.datetime | None) -> Factor:
    try:
        secret = device.secret
    except MfaSecretUnreadable as exc:
        logger.error("%s", exc)  # the operator's side: which key changed, what to do
        raise DomainError(UNREADABLE_APP, field="code") from None
    step = matching_step(secret=secret, code=code, at=at)
    if step is None:
        raise DomainError(WRONG_CODE, field="code")
    claimed = MfaDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
        last_used_step=step
    )
    if claimed != 1:
        raise DomainError(
            "That code was already used. Wait for your app to show the next one.", field="code"
        )
    return Factor.TOTP


@transaction.atomic
def _recovery_use(*, device: MfaDevice, code: str) -> Factor:
    unused = MfaRecoveryCode.objects.filter(device=device, used_at__isnull=True)
    match = next(
        (rc for rc in unused if hmac.compare_digest(rc.digest, _digest(rc.salt, code))), None
    )
    if match is None:
        raise DomainError(WRONG_CODE + " Each recovery code works once.", field="code")
    claimed = MfaRecoveryCode.objects.filter(pk=match.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if claimed != 1:
        raise DomainError("That recovery code was already used.", field="code")
    return Factor.RECOVERY


def mfa_verify(*, user: User, code: str, at: dt.datetime | None = None) -> Factor:
    """Accept an authenticator code or a recovery code of the person's confirmed device
    (consuming it), or raise DomainError on ``code``. Not throttled: callers go through
    ``firms.services.credentials``."""
    device = MfaDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        raise DomainError("Multi-factor sign-in is not on for this person.", field="code")
    cleaned = normalise(code)
    if not cleaned:
        raise DomainError(
            "Enter the 6-digit code from your authenticator app, or a recovery code.",
            field="code",
        )
    if len(cleaned) == 6 and cleaned.isdigit():
        return _totp_use(device=device, code=cleaned, at=at)
    if len(cleaned) == 10:
        return _recovery_use(device=device, code=cleaned)
    raise DomainError(WRONG_CODE, field="code")
