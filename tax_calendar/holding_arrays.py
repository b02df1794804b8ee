"""The holding-period rule of :mod:`tax_calendar.holding` on arrays of dates.

The anniversary is computed the same way (the first of the month a year later, plus the
day of the month less one), in NumPy's calendar arithmetic, for the optimizer's per-lot
arrays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def as_days(dates: np.ndarray | Sequence[dt.date]) -> np.ndarray:
    """``dates`` as ``datetime64[D]`` (a sequence of dates goes through their ordinals,
    many times faster than NumPy's own conversion of date objects)."""
    if isinstance(dates, np.ndarray):
        return dates.astype("datetime64[D]")
    ordinals = np.fromiter((d.toordinal() for d in dates), dtype=np.int64, count=len(dates))
    return (ordinals - EPOCH_ORDINAL).astype("datetime64[D]")


def anniversaries(starts: np.ndarray | Sequence[dt.date]) -> np.ndarray:
    """``datetime64[D]`` anniversaries of ``starts`` (dates or ``datetime64[D]``)."""
    days = as_days(starts)
    month = days.astype("datetime64[M]")
    anniversary: np.ndarray = (month + 12).astype("datetime64[D]") + (
        days - month.astype("datetime64[D]")
    )
    return anniversary


def long_term_mask(starts: np.ndarray | Sequence[dt.date], *, sold: dt.date) -> np.ndarray:
    """Per start, :func:`tax_calendar.holding.is_long_term` on ``sold`` (a bool array)."""
    mask: np.ndarray = np.datetime64(sold, "D") > anniversaries(starts)
    return mask
