"""Answers that carry a secret (an API key, shown once): marked, so nothing keeps them.

A view returns a ``SecretResponse`` naming the fields of its data that are secrets. The
client is told not to cache it (``Cache-Control: no-store``), and the idempotency layer
stores it without those fields: a retry with the same ``Idempotency-Key`` gets the rest
(the new object's id and public parts), with ``withheld`` naming the missing fields and
``detail`` saying the secret was shown once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.response import Response

SHOWN_ONCE = (
    "Already created; the secret was shown once, in the first answer, and is not stored: "
    "if it was lost, revoke this and issue another."
)


class SecretResponse(Response):
    def __init__(self, data: dict, *, secret_fields: Iterable[str], **kwargs):
        super().__init__(data, **kwargs)
        self.secret_fields = tuple(secret_fields)
        self["Cache-Control"] = "no-store"


def secret_fields_of(response) -> tuple[str, ...]:
    return tuple(getattr(response, "secret_fields", ()))


def without_secrets(data: Any, secret_fields: tuple[str, ...]) -> dict:
    """What may be kept of ``data``: every field but the secrets, and a note saying so. Data
    that is not an object keeps nothing but the note."""
    kept = (
        {name: value for name, value in data.items() if name not in secret_fields}
        if isinstance(data, dict)
        else {}
    )
    return {**kept, "detail": SHOWN_ONCE, "withheld": list(secret_fields)}
