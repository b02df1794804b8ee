"""A person's second factor: an authenticator app (TOTP) and one-time recovery codes.

These belong to the person, not to a firm (a person may work in several firms), so they
carry no firm column.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from firms.crypto import mfa_secret_decrypt, mfa_secret_encrypt


class MfaDevice(models.Model):
    """The person's authenticator. Unconfirmed (``confirmed_at`` null) while they enrol;
    only a confirmed device is asked for at sign-in.

    ``last_used_step`` is the 30-second TOTP time step of the last accepted code: a code
    of that step or an earlier one is refused, so an observed code cannot be replayed.

    The TOTP secret is stored encrypted (``firms.crypto``) in ``encrypted_secret``; read
    and set it in clear through ``secret`` (setting it needs ``user`` set first).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mfa_device"
    )
    encrypted_secret = models.CharField(
        max_length=255, help_text="The base32 TOTP secret, encrypted (see firms.crypto)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)

    class Meta:
        db_table = "accounts_mfadevice"

    def __str__(self) -> str:
        state = "confirmed" if self.confirmed_at else "enrolling"
        return f"Authenticator of {self.user} ({state})"

    @property
    def secret(self) -> str:
        """The base32 TOTP secret in clear; raises MfaSecretUnreadable when the key changed."""
        return mfa_secret_decrypt(token=self.encrypted_secret, user_id=self.user_id)

    @secret.setter
    def secret(self, value: str) -> None:
        self.encrypted_secret = mfa_secret_encrypt(secret=value, user_id=self.user_id)


class MfaRecoveryCode(models.Model):
    """One recovery code, stored only as a salted SHA-256 digest; it works once."""

    device = models.ForeignKey(MfaDevice, on_delete=models.CASCADE, related_name="recovery_codes")
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_mfarecoverycode"
        ordering = ["id"]

    def __str__(self) -> str:
        state = "used" if self.used_at else "unused"
        return f"Recovery code {self.pk} of {self.device.user} ({state})"
