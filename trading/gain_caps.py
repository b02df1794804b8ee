"""An account's annual gain caps for a tax year, as values: each cap, what the year has
used of it and what is left for a night's solve to spend. What the books say, and so the
room itself, is ``trading.selectors.gain_room``; the optimizer's tax menus read it
(``trading.menus``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from money import ZERO, cents_half_even


@dataclass(frozen=True)
class CapRoom:
    """One cap of one account: the cap, whose it is, what the year has used, what is left
    (None: no cap)."""

    cap_usd: Decimal | None
    shared: bool
    realized_usd: Decimal
    committed_usd: Decimal

    @property
    def remaining_usd(self) -> Decimal | None:
        if self.cap_usd is None:
            return None
        return max(ZERO, cents_half_even(self.cap_usd - self.realized_usd - self.committed_usd))


@dataclass(frozen=True)
class GainRoom:
    """An account's two caps for the tax year of ``as_of``."""

    as_of: dt.date
    net: CapRoom
    short_term: CapRoom


NO_CAP = CapRoom(cap_usd=None, shared=False, realized_usd=ZERO, committed_usd=ZERO)
