"""The term of a sale, from the holding-period rule."""

from __future__ import annotations

import datetime as dt

from tax_calendar.holding import is_long_term

from .types import Term


def term(*, holding_period_start: dt.date, sold: dt.date) -> Term:
    """The term of a sale on ``sold`` by the holding-period rule (tax_calendar.holding).

    Bought 2024-02-05: a sale on 2025-02-05 is short, on 2025-02-06 long.
    """
    if is_long_term(start=holding_period_start, sold=sold):
        return Term.LONG
    return Term.SHORT
