"""Limiting failed attempts at a secret (a password, a one-time code), per subject.

Counts live in the cache (Redis in production with ``CACHE_URL``, so every web process
shares them) in fixed windows, counted with the cache's atomic increment, so attempts sent
in parallel are all counted. A throttle has one limit per kind of subject (a username, a
person, a client address): after that many failures for one subject within the window,
further attempts are refused, without checking the secret, until the window ends.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Lockout:
    retry_after_seconds: int
    what: str = "failed sign-ins"

    @property
    def message(self) -> str:
        minutes = max(1, -(-self.retry_after_seconds // 60))
        return (
            f"Too many {self.what}. For your security, try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}."
        )


@dataclass(frozen=True)
class AttemptThrottle:
    """``limits`` maps a kind of subject (``"user"``, ``"addr"``) to its most failures per
    ``window_seconds``; ``what`` names the failures in the lockout message."""

    name: str
    what: str
    limits: dict[str, int]
    window_seconds: int = 15 * 60

    def _keys(self, subjects: dict[str, str]) -> list[tuple[str, int]]:
        return [(f"{self.name}:{kind}:{subjects[kind]}", self.limits[kind]) for kind in self.limits]

    def lockout(self, **subjects: str) -> Lockout | None:
        """The lockout in force for any of these subjects, if any."""
        now = time.time()
        for key, limit in self._keys(subjects):
            count, until = cache.get(key), cache.get(f"{key}:until")
            if count is not None and until is not None and count >= limit and until > now:
                return Lockout(retry_after_seconds=int(until - now) + 1, what=self.what)
        return None

    def failed(self, **subjects: str) -> None:
        """Count one failure against every subject (the first failure opens the window)."""
        now = time.time()
        for key, _ in self._keys(subjects):
            cache.add(f"{key}:until", now + self.window_seconds, timeout=self.window_seconds)
            cache.add(key, 0, timeout=self.window_seconds)
            try:
                cache.incr(key)
            except ValueError:  # the window ended between the two calls: a new one
                cache.add(key, 1, timeout=self.window_seconds)

    def clear(self, kind: str, subject: str) -> None:
        """Forget the failures of one subject (after it proved the secret)."""
        key = f"{self.name}:{kind}:{subject}"
        cache.delete_many([key, f"{key}:until"])
