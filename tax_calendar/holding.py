"""The holding-period rule: a holding is long-term when sold after its one-year
anniversary.

The holding period starts the day after the acquisition and includes the day of sale
(IRS Publication 550), so a lot bought on 5 February 2024 and sold on 5 February 2025 is
short-term, sold on 6 February 2025 long-term. The anniversary of a start is the same
month and day a year later; for 29 February, which has none, it is the day after
28 February, that is 1 March.
"""

from __future__ import annotations

import datetime as dt


def anniversary(*, start: dt.date) -> dt.date:
    """The one-year anniversary of ``start``: the first of ``start``'s month a year later
    plus ``start.day - 1`` days (so a 29 February start has it on 1 March)."""
    return dt.date(start.year + 1, start.month, 1) + dt.timedelta(days=start.day - 1)


def is_long_term(*, start: dt.date, sold: dt.date) -> bool:
    """True when a holding whose holding period began on ``start`` is long-term when sold
    (or valued) on ``sold``: ``sold`` is after the anniversary of ``start``."""
    return sold > anniversary(start=start)


def carried_start(*, sold_start: dt.date, sold: dt.date, acquired: dt.date) -> dt.date:
    """Holding-period start of replacement shares bought on ``acquired`` for shares whose
    loss a wash sale disallowed.

    The sold shares' holding period (``sold - sold_start`` days) is added to the
    replacement's: its start moves that many days earlier than ``acquired``.
    """
    return acquired - (sold - sold_start)
