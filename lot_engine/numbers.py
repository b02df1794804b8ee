"""Decimal precision of the engine's arithmetic."""

from __future__ import annotations

from decimal import Decimal

PRECISION = 60

RESIDUE = Decimal("1e-30")
"""Dollars. A gain or loss smaller than this is the residue of carving a lot's basis in
proportion at ``PRECISION`` digits (a sale at exactly its basis per share can come out 1e-57
below it), not a loss: it starts no wash sale, so no replacement takes a holding period or
an adjustment from it."""
