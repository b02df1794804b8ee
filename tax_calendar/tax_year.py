"""Tax years are calendar years."""

from __future__ import annotations

import datetime as dt


def tax_year_start(year: int) -> dt.date:
    """1 January of ``year``."""
    return dt.date(year, 1, 1)


def tax_year_end(year: int) -> dt.date:
    """31 December of ``year``."""
    return dt.date(year, 12, 31)
