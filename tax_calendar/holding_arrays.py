"""The holding-period rule of :mod:`tax_calendar.holding` on arrays of dates.

The anniversary is computed the same way (the first of the month a year later, plus the
day of the month less one), in NumPy's calendar arithmetic, for the optimizer's per-lot
arrays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np


def anniversaries(starts: np.ndarray | Sequence[dt.date]) -> np.ndarray:
    """``datetime64[D]`` anniversaries of ``starts`` (dates or ``datetime64[D]``)."""
    days = np.asarray(starts, dtype="datetime64[D]")
    month = days.astype("datetime64[M]")
    return (month + 12).astype("datetime64[D]") + (days - month.astype("datetime64[D]"))


def long_term_mask(starts: np.ndarray | Sequence[dt.date], *, sold: dt.date) -> np.ndarray:
    """Per start, :func:`tax_calendar.holding.is_long_term` on ``sold`` (a bool array)."""
    return np.datetime64(sold, "D") > anniversaries(starts)
