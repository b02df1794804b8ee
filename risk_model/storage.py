"""A model's numbers as bytes, and the hash that names its content.

The bytes are the loadings (securities x factors, row by row), the factor covariance and the
specific variances, little-endian float64, one after the other: reading them back gives the
same floats bit for bit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import numpy as np

FLOAT = np.dtype("<f8")


def pack_arrays(
    loadings: np.ndarray, factor_covariance: np.ndarray, specific_variance: np.ndarray
) -> bytes:
    return b"".join(
        np.ascontiguousarray(a, dtype=FLOAT).tobytes()
        for a in (loadings, factor_covariance, specific_variance)
    )


def unpack_arrays(raw: bytes, *, n: int, f: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(loadings n x f, factor covariance f x f, specific variances n) from ``raw``."""
    expected = (n * f + f * f + n) * FLOAT.itemsize
    if len(raw) != expected:
        raise ValueError(
            f"a model of {n} securities and {f} factors has {expected} bytes, not {len(raw)}"
        )
    values = np.frombuffer(raw, dtype=FLOAT).astype(np.float64)
    return (
        values[: n * f].reshape(n, f),
        values[n * f : n * f + f * f].reshape(f, f),
        values[n * f + f * f :].copy(),
    )


def content_hash(
    *,
    as_of: dt.date,
    parameters: dict[str, Any],
    symbols: list[str],
    factors: list[str],
    raw: bytes,
) -> str:
    """SHA-256 of what a model says: its date, parameters, names and numbers."""
    head = json.dumps(
        {
            "as_of": as_of.isoformat(),
            "parameters": parameters,
            "symbols": symbols,
            "factors": factors,
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    return hashlib.sha256(head + b"\0" + raw).hexdigest()
