"""Decimal precision of the engine's arithmetic."""

from __future__ import annotations

PRECISION = 60
