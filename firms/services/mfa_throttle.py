"""Limiting wrong one-time codes (authenticator or recovery codes), per person and per
client address: after ``MAX_PER_USER`` wrong codes for one person, or ``MAX_PER_ADDRESS``
from one address, within ``WINDOW_SECONDS``, codes are refused unchecked until the window
ends. A correct code clears the person's count."""

from __future__ import annotations

from firms.services.attempt_throttle import AttemptThrottle, Lockout

WINDOW_SECONDS = 15 * 60
MAX_PER_USER = 5
MAX_PER_ADDRESS = 20

_THROTTLE = AttemptThrottle(
    name="mfa-fail",
    what="wrong codes",
    limits={"user": MAX_PER_USER, "addr": MAX_PER_ADDRESS},
    window_seconds=WINDOW_SECONDS,
)


def mfa_lockout(*, user_id: int, address: str) -> Lockout | None:
    """The lockout in force for this person or address, if any."""
    return _THROTTLE.lockout(user=str(user_id), addr=address)


def mfa_failed(*, user_id: int, address: str) -> None:
    _THROTTLE.failed(user=str(user_id), addr=address)


def mfa_succeeded(*, user_id: int) -> None:
    _THROTTLE.clear("user", str(user_id))
