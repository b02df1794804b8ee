"""The lots of the nightly optimizer's case (`backtest.nightly`): one per ledger piece, at
its basis to the cent, except that a piece within a cent a share of its basis (see
`breakeven_basis`) is a loss.

Most pieces are unchanged from one night to the next, so the columns are kept per symbol
and rebuilt only for the symbols the ledger changed since (`Ledger.revisions`): a night
joins the kept columns and finds the pieces near their basis in array operations.
Building every lot's row and Decimals each night was a fifth of the back-test's time.

A purchase split by wash sales has several pieces: the second and later are "lot|1",
"lot|2", ... in holding order (counted, not searched for: a search made each night
quadratic in the pieces, which wash sales multiply).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from itertools import chain
from typing import TypeVar

import numpy as np

from backtest.ledger import Ledger, Piece
from money import CENT
from optimizer.types import Lots
from tax_calendar.holding_arrays import EPOCH_ORDINAL

# A piece worth less than this a share above its basis is shown to the optimizer as a
# loss (see `breakeven_basis`): rounding the proceeds to cents moves a sale's gain by up to
# half a cent a share.
BREAKEVEN_USD_PER_SHARE = 0.01

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Symbol:
    """One symbol's pieces as lot columns, at the ledger revision they were read."""

    revision: int
    pieces: list[Piece]
    lot_ids: list[str]
    ids: list[str]
    quantity: list[Decimal]
    cost_basis: list[Decimal]
    acquired_days: list[int]
    shares: list[float]
    basis_usd: list[float]


class LotColumns:
    """One account's lots, night after night (see the module's docstring)."""

    def __init__(self) -> None:
        self._kept: dict[str, _Symbol] = {}
        self._symbols: tuple[str, ...] = ()
        self._position: dict[str, int] = {}

    def lots(self, *, ledger: Ledger, symbols: tuple[str, ...], prices: np.ndarray) -> Lots:
        """Tonight's lots of `ledger`, at `prices` (one per `symbols`, which name every
        symbol held), in the ledger's order of pieces (`Ledger.pieces`)."""
        if symbols is not self._symbols:
            self._symbols = symbols
            self._position = {s: i for i, s in enumerate(symbols)}
        kept: dict[str, _Symbol] = {}
        for symbol, pieces in ledger.holdings.items():
            if not pieces:
                continue
            revision = ledger.revisions.get(symbol, 0)
            known = self._kept.get(symbol)
            if known is None or known.revision != revision or known.pieces is not pieces:
                known = _columns(pieces=pieces, revision=revision)
            kept[symbol] = known
        self._kept = kept
        held = list(kept.values())
        n = sum(len(k.ids) for k in held)
        ids = _joined(k.ids for k in held)
        if len(set(ids)) != n:
            # a lot id under two symbols: number its pieces across them
            ids = _numbered(_joined(k.lot_ids for k in held))
        quantity = _joined(k.quantity for k in held)
        cost_basis = _joined(k.cost_basis for k in held)
        where = np.fromiter((self._position[s] for s in kept), dtype=np.int64, count=len(kept))
        counts = np.fromiter((len(k.ids) for k in held), dtype=np.int64, count=len(held))
        price = np.repeat(prices[where], counts)
        shares = np.fromiter(chain.from_iterable(k.shares for k in held), float, count=n)
        basis = np.fromiter(chain.from_iterable(k.basis_usd for k in held), float, count=n)
        gain = shares * price - basis
        for i in np.flatnonzero(np.abs(gain) < BREAKEVEN_USD_PER_SHARE * shares).tolist():
            value = quantity[i] * Decimal(f"{float(price[i]):.4f}")
            cost_basis[i] = breakeven_basis(basis_usd=cost_basis[i], value_usd=value)
        acquired = np.fromiter(
            chain.from_iterable(k.acquired_days for k in held), np.int64, count=n
        ).astype("datetime64[D]")
        return Lots.from_columns(
            id=ids,
            symbol=_joined([s] * len(k.ids) for s, k in kept.items()),
            quantity=quantity,
            cost_basis=cost_basis,
            acquired=acquired,
        )


def _columns(*, pieces: list[Piece], revision: int) -> _Symbol:
    # a lot's pieces are all under its symbol, so numbering them here numbers them all
    lot_ids = [p.lot_id for p in pieces]
    return _Symbol(
        revision=revision,
        pieces=pieces,
        lot_ids=lot_ids,
        ids=_numbered(lot_ids),
        quantity=[Decimal(f"{p.quantity:.0f}") for p in pieces],
        cost_basis=[Decimal(f"{p.basis:.2f}") for p in pieces],
        acquired_days=[p.hp_start.toordinal() - EPOCH_ORDINAL for p in pieces],
        shares=[p.quantity for p in pieces],
        basis_usd=[p.basis for p in pieces],
    )


def _numbered(lot_ids: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    ids = []
    for lot_id in lot_ids:
        n = seen[lot_id]
        seen[lot_id] += 1
        ids.append(f"{lot_id}|{n}" if n else lot_id)
    return ids


def _joined(lists: Iterable[list[T]]) -> list[T]:
    return list(chain.from_iterable(lists))


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
