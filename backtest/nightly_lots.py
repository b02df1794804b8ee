"""The lots of the nightly optimizer's case (`backtest.nightly`): one per ledger piece, at
its basis to the cent, except that a piece within a cent a share of its basis (see
`breakeven_basis`) is a loss.

Most pieces are unchanged from one night to the next, so the columns of all pieces are
kept between nights, and only the rows of the symbols the ledger changed since
(`Ledger.revisions`) are rebuilt and spliced in (a changed symbol's pieces keep the
Decimals of a quantity or basis they had). The pieces near their basis are found in
array operations. Building every lot's row and Decimals each night, then the case's
columns from the rows, was a fifth of the back-test's time.

A purchase split by wash sales has several pieces: the second and later are "lot|1",
"lot|2", ... in holding order (counted, not searched for: a search made each night
quadratic in the pieces, which wash sales multiply).
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_FLOOR, Decimal
from itertools import accumulate
from typing import Any, NamedTuple

import numpy as np

from backtest.ledger import Ledger, Piece
from money import CENT
from optimizer.types import Lots
from tax_calendar.holding_arrays import EPOCH_ORDINAL

# A piece worth less than this a share above its basis is shown to the optimizer as a
# loss (see `breakeven_basis`): rounding the proceeds to cents moves a sale's gain by up to
# half a cent a share.
BREAKEVEN_USD_PER_SHARE = 0.01


class _Columns(NamedTuple):
    """Lot columns of some pieces (one symbol's, or all of them joined)."""

    lot_ids: list[str]
    ids: list[str]
    symbol: list[str]
    where: list[int]  # the symbol's position in the market's symbols
    quantity: list[Decimal]
    cost_basis: list[Decimal]
    acquired_days: list[int]  # the holding period's start, days since 1970-01-01
    shares: list[float]
    basis_usd: list[float]


class LotColumns:
    """One account's lots, night after night (see the module's docstring)."""

    def __init__(self) -> None:
        self._ledger: Ledger | None = None
        self._revision = -1
        self._symbols: tuple[str, ...] = ()
        self._position: dict[str, int] = {}
        self._order: list[str] = []  # the ledger's symbols, in its order
        self._row: dict[str, int] = {}
        self._parts: list[_Columns] = []  # each symbol's columns
        self._counts: list[int] = []  # each symbol's pieces
        self._all = _empty()  # all of them, joined in order
        self._where = self._shares = self._basis = self._acquired = np.empty(0)

    def lots(self, *, ledger: Ledger, symbols: tuple[str, ...], prices: np.ndarray) -> Lots:
        """Tonight's lots of `ledger`, at `prices` (one per `symbols`, which name every
        symbol held), in the ledger's order of pieces (`Ledger.pieces`)."""
        self._update(ledger=ledger, symbols=symbols)
        joined = self._all
        ids = joined.ids
        if len(set(ids)) != len(ids):
            # a lot id under two symbols: number its pieces across them
            ids = _numbered(joined.lot_ids)
        cost_basis = joined.cost_basis
        gain = self._shares * prices[self._where] - self._basis
        near = np.flatnonzero(np.abs(gain) < BREAKEVEN_USD_PER_SHARE * self._shares)
        if len(near):
            cost_basis = list(cost_basis)
            for i, price in zip(near.tolist(), prices[self._where[near]].tolist(), strict=True):
                value = joined.quantity[i] * Decimal(f"{price:.4f}")
                cost_basis[i] = breakeven_basis(basis_usd=cost_basis[i], value_usd=value)
        return Lots.from_columns(
            id=ids,
            symbol=joined.symbol,
            quantity=joined.quantity,
            cost_basis=cost_basis,
            acquired=self._acquired,
        )

    def _update(self, *, ledger: Ledger, symbols: tuple[str, ...]) -> None:
        """Rebuild the symbols changed since the last night, in place in the columns."""
        if ledger is self._ledger and symbols is self._symbols:
            if ledger.revision == self._revision:
                return
            changed = [s for s, r in ledger.revisions.items() if r > self._revision]
        else:
            self._ledger = ledger
            self._symbols = symbols
            self._position = {s: i for i, s in enumerate(symbols)}
            self._order, self._row, self._parts, self._counts = [], {}, [], []
            self._all = _empty()
            changed = list(ledger.holdings)
        self._revision = ledger.revision
        holdings = ledger.holdings
        for symbol in list(holdings)[len(self._order) :]:
            self._row[symbol] = len(self._order)
            self._order.append(symbol)
            self._parts.append(_empty())
            self._counts.append(0)
        if self._order != list(holdings):
            # not the order the ledger keeps (a symbol taken out of its holdings)
            self._ledger = None
            self._update(ledger=ledger, symbols=symbols)
            return
        self._splice(rows=[self._row[s] for s in changed if s in self._row], ledger=ledger)
        joined = self._all
        n = len(joined.ids)
        self._where = np.fromiter(joined.where, np.int64, count=n)
        self._shares = np.fromiter(joined.shares, float, count=n)
        self._basis = np.fromiter(joined.basis_usd, float, count=n)
        self._acquired = np.fromiter(joined.acquired_days, np.int64, count=n).view("datetime64[D]")

    def _splice(self, *, rows: list[int], ledger: Ledger) -> None:
        """Rebuild these rows' symbols and put their columns in place of the old."""
        starts = list(accumulate(self._counts, initial=0))
        # from the last row up, so that the rows above keep their starts
        for row in sorted(rows, reverse=True):
            symbol = self._order[row]
            pieces = ledger.holdings[symbol]
            where = self._position[symbol] if pieces else -1
            new = _columns(symbol=symbol, where=where, pieces=pieces, old=self._parts[row])
            first, end = starts[row], starts[row] + self._counts[row]
            columns: tuple[list[Any], ...] = self._all
            parts: tuple[list[Any], ...] = new
            for column, part in zip(columns, parts, strict=True):
                column[first:end] = part
            self._parts[row] = new
            self._counts[row] = len(new.ids)


def _empty() -> _Columns:
    return _Columns._make([] for _ in _Columns._fields)


def _columns(*, symbol: str, where: int, pieces: list[Piece], old: _Columns) -> _Columns:
    """One symbol's columns; the Decimals of a quantity or basis it had are kept."""
    # a lot's pieces are all under its symbol, so numbering them here numbers them all
    lot_ids = [p.lot_id for p in pieces]
    quantity_of = dict(zip(old.shares, old.quantity, strict=True))
    basis_of = dict(zip(old.basis_usd, old.cost_basis, strict=True))
    return _Columns(
        lot_ids=lot_ids,
        ids=_numbered(lot_ids),
        symbol=[symbol] * len(pieces),
        where=[where] * len(pieces),
        quantity=[_kept(quantity_of, p.quantity) or Decimal(f"{p.quantity:.0f}") for p in pieces],
        cost_basis=[_kept(basis_of, p.basis) or Decimal(f"{p.basis:.2f}") for p in pieces],
        acquired_days=[p.hp_start.toordinal() - EPOCH_ORDINAL for p in pieces],
        shares=[p.quantity for p in pieces],
        basis_usd=[p.basis for p in pieces],
    )


def _kept(known: dict[float, Decimal], value: float) -> Decimal | None:
    """The Decimal `value` had (never for a zero: 0.0 and -0.0 are one key but format
    as "0" and "-0")."""
    return known.get(value) if value else None


def _numbered(lot_ids: list[str]) -> list[str]:
    if len(set(lot_ids)) == len(lot_ids):
        return lot_ids
    seen: Counter[str] = Counter()
    ids = []
    for lot_id in lot_ids:
        n = seen[lot_id]
        seen[lot_id] += 1
        ids.append(f"{lot_id}|{n}" if n else lot_id)
    return ids


def breakeven_basis(*, basis_usd: Decimal, value_usd: Decimal) -> Decimal:
    """The basis the optimizer sees for a piece worth `value_usd` (its shares at the close,
    as the optimizer values them) that is within a cent a share of `basis_usd`: the cent
    above its value, or its basis if higher, so it is a loss.

    The lot engine books a sale's proceeds rounded to cents and spread over the lots it
    relieves, which can leave a piece sold at its cost, or a fraction of a cent a share
    above it, a fraction of a cent below its basis: a loss, however small, that a
    purchase within 30 days washes (carrying the sold shares' holding period). Seen as a
    loss, such a piece is not sold while a purchase is in the window, and its sale, if
    the engine books a loss, enters the ledger's loss sales, so no purchase follows it.
    """
    return max(basis_usd, value_usd.quantize(CENT, rounding=ROUND_FLOOR) + CENT)
