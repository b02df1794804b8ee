"""Turning multi-factor sign-in on and off, and replacing recovery codes.

Enrolment is two steps: ``mfa_enrolment_start`` makes an unconfirmed device with a new
secret (the person adds it to their app), ``mfa_enrolment_confirm`` takes a current code
from the app, turns the device on and issues the recovery codes. Regenerating codes and
turning it off take the password and a code again.

The second factor is the person's, the audit log is per firm: each change is recorded in
the firm the person is working in (``firm``; the database lets a request write only its
own firm's rows). A person in no firm has no audit log to write to.
"""

from __future__ import annotations

from typing import Any

import pyotp
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from firms.models import Firm, MfaDevice
from firms.services.audit import audit_record
from firms.services.credentials import credentials_check
from firms.services.mfa_codes import matching_step, normalise, recovery_codes_replace
from rebalancer.actors import Actor
from rebalancer.errors import DomainError

ALREADY_ON = "Multi-factor sign-in is already on."


def _audit(
    *, firm: Firm | None, user: User, action: str, before: Any = None, after: Any = None
) -> None:
    if firm is None:
        return
    audit_record(
        firm=firm,
        actor=Actor.person(user),
        action=action,
        object_type="firms.MfaDevice",
        object_id=str(user.pk),
        object_repr=f"Multi-factor sign-in of {user.get_username()}",
        before=before,
        after=after,
    )


def mfa_enrolment_start(*, user: User) -> MfaDevice:
    """The person's unconfirmed device, made with a new secret if they have none."""
    # ``secret`` is a property that encrypts; get_or_create sets defaults as attributes
    device, _ = MfaDevice.objects.get_or_create(
        user=user,
        defaults={"secret": pyotp.random_base32()},  # type: ignore[misc]
    )
    if device.confirmed_at is not None:
        raise DomainError(ALREADY_ON)
    return device


@transaction.atomic
def mfa_enrolment_confirm(*, user: User, firm: Firm | None, code: str) -> list[str]:
    """Turn the unconfirmed device on when ``code`` is its current code; returns the new
    recovery codes in clear (show them once)."""
    device = MfaDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        raise DomainError("Start setting up an authenticator app first.", field="code")
    if device.confirmed_at is not None:
        raise DomainError(ALREADY_ON, field="code")
    cleaned = normalise(code)
    step = matching_step(secret=device.secret, code=cleaned) if len(cleaned) == 6 else None
    if step is None:
        raise DomainError(
            "That code is not right. Enter the 6-digit code your app shows now "
            "(check that your phone's clock is set automatically).",
            field="code",
        )
    device.confirmed_at = timezone.now()
    device.last_used_step = step
    device.save(update_fields=["confirmed_at", "last_used_step"])
    codes = recovery_codes_replace(device=device)
    _audit(
        firm=firm,
        user=user,
        action="mfa.enable",
        before={"mfa": False},
        after={"mfa": True, "confirmed_at": device.confirmed_at},
    )
    return codes


def _confirmed_device(user: User) -> MfaDevice:
    device = (
        MfaDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    )
    if device is None:
        raise DomainError("Multi-factor sign-in is not on.")
    return device


def mfa_recovery_codes_regenerate(
    *, user: User, firm: Firm | None, password: str, code: str, address: str
) -> list[str]:
    """New recovery codes (the old ones stop working), after the password and a code."""
    credentials_check(user=user, password=password, code=code, address=address)
    with transaction.atomic():
        device = _confirmed_device(user)
        codes = recovery_codes_replace(device=device)
        _audit(
            firm=firm,
            user=user,
            action="mfa.recovery_codes_regenerate",
            after={"count": len(codes)},
        )
    return codes


def mfa_disable(*, user: User, firm: Firm | None, password: str, code: str, address: str) -> None:
    """Turn multi-factor sign-in off (device and recovery codes deleted), after the
    password and a code."""
    credentials_check(user=user, password=password, code=code, address=address)
    with transaction.atomic():
        device = _confirmed_device(user)
        confirmed_at = device.confirmed_at
        device.delete()
        _audit(
            firm=firm,
            user=user,
            action="mfa.disable",
            before={"mfa": True, "confirmed_at": confirmed_at},
            after={"mfa": False},
        )
