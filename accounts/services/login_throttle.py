"""Limiting failed sign-ins, per username and per client address.

Counts live in the cache (Redis in production with ``CACHE_URL``, so every web process
shares them) in fixed windows. After ``MAX_PER_USERNAME`` failures for one username, or
``MAX_PER_ADDRESS`` from one address, within ``WINDOW_SECONDS``, further attempts are
refused (without checking the password) until the window ends. A successful sign-in clears
the username's count.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache

WINDOW_SECONDS = 15 * 60
MAX_PER_USERNAME = 5
MAX_PER_ADDRESS = 20


@dataclass(frozen=True)
class Lockout:
    retry_after_seconds: int

    @property
    def message(self) -> str:
        minutes = max(1, -(-self.retry_after_seconds // 60))
        return (
            "Too many failed sign-ins. For your security, try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}."
        )


def _keys(*, username: str, address: str) -> list[tuple[str, int]]:
    user = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [
        (f"login-fail:user:{user}", MAX_PER_USERNAME),
        (f"login-fail:addr:{address}", MAX_PER_ADDRESS),
    ]


def login_lockout(*, username: str, address: str) -> Lockout | None:
    """The lockout in force for this username or address, if any."""
    now = time.time()
    for key, limit in _keys(username=username, address=address):
        entry = cache.get(key)
        if entry and entry["count"] >= limit and entry["until"] > now:
            return Lockout(retry_after_seconds=int(entry["until"] - now) + 1)
    return None


def login_failed(*, username: str, address: str) -> None:
    now = time.time()
    for key, _ in _keys(username=username, address=address):
        entry = cache.get(key)
        if not entry or entry["until"] <= now:
            entry = {"count": 0, "until": now + WINDOW_SECONDS}
        entry["count"] += 1
        cache.set(key, entry, timeout=int(entry["until"] - now) + 1)


def login_succeeded(*, username: str, address: str) -> None:
    cache.delete(_keys(username=username, address=address)[0][0])
