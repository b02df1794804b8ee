"""Proving who you are again: a password and, when the person has multi-factor sign-in, a
one-time code, each throttled (``login_throttle`` for passwords, ``mfa_throttle`` for
codes). Used by the sign-in's second step, re-authentication before sensitive actions,
and changes to the second factor itself."""

from __future__ import annotations

from django.contrib.auth.models import User

from firms.selectors.mfa import mfa_confirmed
from firms.services.attempt_throttle import Lockout
from firms.services.login_throttle import login_failed, login_lockout, login_succeeded
from firms.services.mfa_codes import Factor, mfa_verify
from firms.services.mfa_throttle import mfa_failed, mfa_lockout, mfa_succeeded
from rebalancer.errors import DomainError


class TooManyAttempts(DomainError):
    """Refused unchecked: too many recent failures. Answer 429 with ``retry_after_seconds``."""

    def __init__(self, lockout: Lockout):
        super().__init__(lockout.message)
        self.retry_after_seconds = lockout.retry_after_seconds


def password_check(*, user: User, password: str, address: str) -> None:
    """Raise TooManyAttempts, or DomainError on ``password`` when it is wrong."""
    username = user.get_username()
    lockout = login_lockout(username=username, address=address)
    if lockout is not None:
        raise TooManyAttempts(lockout)
    if not password or not user.check_password(password):
        login_failed(username=username, address=address)
        raise DomainError("That password is not right.", field="password")
    login_succeeded(username=username, address=address)


def second_factor_check(*, user: User, code: str, address: str) -> Factor:
    """Accept (and consume) an authenticator or recovery code; raise TooManyAttempts, or
    DomainError on ``code`` when it is wrong or already used."""
    lockout = mfa_lockout(user_id=user.pk, address=address)
    if lockout is not None:
        raise TooManyAttempts(lockout)
    try:
        factor = mfa_verify(user=user, code=code)
    except DomainError:
        mfa_failed(user_id=user.pk, address=address)
        raise
    mfa_succeeded(user_id=user.pk)
    return factor


def credentials_check(*, user: User, password: str, code: str, address: str) -> Factor | None:
    """The password, then (when the person has multi-factor sign-in) a code. Returns the
    factor used, None without multi-factor sign-in."""
    password_check(user=user, password=password, address=address)
    if not mfa_confirmed(user=user):
        return None
    return second_factor_check(user=user, code=code, address=address)
