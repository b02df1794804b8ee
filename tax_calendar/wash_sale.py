"""The wash-sale window: from 30 days before a sale to 30 days after it, both ends
included (61 days in all)."""

from __future__ import annotations

import datetime as dt

WASH_SALE_WINDOW_DAYS = 30
WASH_SALE_WINDOW = dt.timedelta(days=WASH_SALE_WINDOW_DAYS)


def window_start(*, sold: dt.date) -> dt.date:
    """The first day of the window around a sale on ``sold`` (30 days before it).

    Read the other way, the earliest sale whose window is still open on ``sold``: the
    wash-sale events that matter on a day are those from ``window_start(sold=day)`` on.
    """
    return sold - WASH_SALE_WINDOW


def window_end(*, sold: dt.date) -> dt.date:
    """The last day of the window around a sale on ``sold`` (30 days after it)."""
    return sold + WASH_SALE_WINDOW


def within_window(*, event: dt.date, day: dt.date) -> bool:
    """True when ``event`` (a purchase or a loss sale) is within the window of a trade on
    ``day``: at most 30 days before or after it."""
    return window_start(sold=day) <= event <= window_end(sold=day)
