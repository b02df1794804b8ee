"""The engine's working state: held pieces of purchases and pending replacement shares.

Internal and mutable; nothing here leaves the engine. A purchase is held as one or more
pieces: at most one *unused* piece (shares not yet a wash-sale replacement) and any
number of *used* pieces (shares that replaced sold shares, each with its own basis
adjustment and holding-period start). Pieces of one account and symbol are kept in
purchase order, used pieces of a purchase before its unused piece.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from money import ZERO

from .types import Transaction


class Piece:
    """Shares of one purchase with one basis per share and one holding-period start."""

    __slots__ = (
        "lot_id",
        "purchase",
        "account",
        "symbol",
        "acquired",
        "hp_start",
        "quantity",
        "basis",
        "adjustment",
        "used",
        "seq",
        "cost_per_share",
    )

    def __init__(
        self,
        *,
        lot_id: str,
        purchase: int,
        account: str,
        symbol: str,
        acquired: dt.date,
        hp_start: dt.date,
        quantity: Decimal,
        basis: Decimal,
        adjustment: Decimal,
        used: bool,
        seq: int,
    ) -> None:
        self.lot_id = lot_id
        self.purchase = purchase
        self.account = account
        self.symbol = symbol
        self.acquired = acquired
        self.hp_start = hp_start
        self.quantity = quantity
        self.basis = basis
        self.adjustment = adjustment
        self.used = used
        self.seq = seq
        self.cost_per_share = basis / quantity

    def rescale(self, *, quantity: Decimal) -> None:
        """Hold ``quantity`` shares for the same total basis (a split, a conversion)."""
        self.quantity = quantity
        self.cost_per_share = self.basis / quantity

    def carve(self, *, quantity: Decimal) -> tuple[Decimal, Decimal]:
        """Remove ``quantity`` shares; return their ``(basis, adjustment)``.

        The remainder keeps the complement, so basis is conserved exactly.
        """
        if quantity == self.quantity:
            basis, adjustment = self.basis, self.adjustment
            self.quantity, self.basis, self.adjustment = ZERO, ZERO, ZERO
            return basis, adjustment
        basis = self.basis * quantity / self.quantity
        adjustment = self.adjustment * quantity / self.quantity if self.adjustment else ZERO
        self.quantity -= quantity
        self.basis -= basis
        self.adjustment -= adjustment
        return basis, adjustment


@dataclass(slots=True)
class PendingChunk:
    """Shares of a future purchase already claimed as replacement shares."""

    quantity: Decimal
    adjustment: Decimal
    hp_start: dt.date | None


@dataclass(slots=True)
class FutureBuy:
    """A purchase not yet applied, with the shares of it already claimed as replacements."""

    position: int
    transaction: Transaction
    claimed: Decimal = ZERO
    chunks: list[PendingChunk] = field(default_factory=list)

    @property
    def unclaimed(self) -> Decimal:
        return self.transaction.quantity - self.claimed


@dataclass(slots=True)
class Ledger:
    """Everything held, by (account, symbol), plus each identical group's purchases."""

    holdings: dict[tuple[str, str], list[Piece]] = field(default_factory=dict)
    group_of: dict[str, str] = field(default_factory=dict)
    group_positions: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    group_buys: dict[str, list[FutureBuy]] = field(default_factory=dict)
    buy_by_position: dict[int, FutureBuy] = field(default_factory=dict)
    next_seq: int = 0

    def group(self, symbol: str) -> str:
        """The identical group a symbol belongs to (the symbol itself when alone)."""
        return self.group_of.get(symbol, symbol)

    def seq(self) -> int:
        self.next_seq += 1
        return self.next_seq

    def pieces(self, *, account: str, symbol: str) -> list[Piece]:
        key = (account, symbol)
        pieces = self.holdings.get(key)
        if pieces is None:
            pieces = self.holdings[key] = []
            positions = self.group_positions.setdefault(self.group(symbol), [])
            positions.append(key)
            positions.sort()
        return pieces
