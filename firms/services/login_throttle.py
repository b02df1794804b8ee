"""Limiting failed sign-ins, per username and per client address.

After ``MAX_PER_USERNAME`` failures for one username, or ``MAX_PER_ADDRESS`` from one
address, within ``WINDOW_SECONDS``, further attempts are refused (without checking the
password) until the window ends. A correct password clears the username's count. The same
counts cover the password asked again before sensitive actions.
"""

from __future__ import annotations

import hashlib

from firms.services.attempt_throttle import AttemptThrottle, Lockout

WINDOW_SECONDS = 15 * 60
MAX_PER_USERNAME = 5
MAX_PER_ADDRESS = 20

__all__ = ["Lockout", "login_failed", "login_lockout", "login_succeeded"]

_THROTTLE = AttemptThrottle(
    name="login-fail",
    what="failed sign-ins",
    limits={"user": MAX_PER_USERNAME, "addr": MAX_PER_ADDRESS},
    window_seconds=WINDOW_SECONDS,
)


def _user(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def login_lockout(*, username: str, address: str) -> Lockout | None:
    """The lockout in force for this username or address, if any."""
    return _THROTTLE.lockout(user=_user(username), addr=address)


def login_failed(*, username: str, address: str) -> None:
    _THROTTLE.failed(user=_user(username), addr=address)


def login_succeeded(*, username: str, address: str) -> None:
    _THROTTLE.clear("user", _user(username))
