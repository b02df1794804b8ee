"""A firm's review rules: which proposals an advisor may approve in bulk.

A proposal that carries a flag waits for one-by-one review, unless the firm has let that
flag through bulk approval. Only the flags below can be let through: each says the
proposal is unusual by the firm's own measure or by a rule the client chose, not that
something went wrong. Every other flag (a withdrawal not met, the optimizer's fallback, a
household's wash-sale coverage incomplete, a failure) always holds a proposal back.
"""

from __future__ import annotations

from collections.abc import Iterable

BULK_APPROVABLE_FLAGS: dict[str, str] = {
    "drift_forced": (
        "Tracking error held above the limit by a client rule (a screen, a restriction, a "
        "substitution, the wash-sale rule) or a cash need"
    ),
    "turnover_above_threshold": "Turnover above the firm's threshold",
    "tax_above_threshold": "Estimated tax above the firm's threshold",
}
"""Each flag a firm may let through bulk approval, with what it means in words."""


def holds_for_review(*, allowed: Iterable[str], flags: Iterable[str]) -> bool:
    """Whether a proposal with `flags` waits for one-by-one review at a firm that lets
    `allowed` (its `bulk_approvable_flags`) through bulk approval."""
    let_through = set(allowed)
    return any(flag not in let_through for flag in flags)
