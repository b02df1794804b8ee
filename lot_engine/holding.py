"""Holding periods: the anniversary rule and the wash sale's carried-over period."""

from __future__ import annotations

import datetime as dt

from .types import Term


def anniversary(*, start: dt.date) -> dt.date:
    """The one-year anniversary of ``start``; a 29 February start has it on 1 March."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return dt.date(start.year + 1, 3, 1)


def term(*, holding_period_start: dt.date, sold: dt.date) -> Term:
    """Long-term when the sale date is after the anniversary of the holding-period start.

    Bought 2024-02-05: a sale on 2025-02-05 is short, on 2025-02-06 long.
    """
    if sold > anniversary(start=holding_period_start):
        return Term.LONG
    return Term.SHORT


def carried_start(*, sold_start: dt.date, sold: dt.date, acquired: dt.date) -> dt.date:
    """Holding-period start of replacement shares bought on ``acquired``.

    The sold shares' holding period (``sold - sold_start`` days) is added to the
    replacement's: its start moves that many days earlier than ``acquired``.
    """
    return acquired - (sold - sold_start)
