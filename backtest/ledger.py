"""An incremental, float tax-lot ledger for one account, fast enough to run every day.

It follows `contracts/lots.md` (the rules of `lot_engine`) for a single taxable
account: FIFO or specific-lot relief, the one-year holding period, and the wash-sale rule
share for share (replacement shares bought up to 30 days before a loss sale and still
held, or bought up to 30 days after it, earliest first; the disallowed loss moves into
the replacement's basis with the sold shares' holding period). A test replays random
histories through both this ledger and the real lot engine and compares the results.

Unlike the engine it learns of a purchase only when it happens, so a loss sale's shares
wait in `pending` for replacements bought in the next 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tax_calendar.holding import carried_start, is_long_term
from tax_calendar.wash_sale import window_end, window_start

EPS_SHARES = 1e-9
# A row is a loss when its gain is below zero, as in the lot engine's exact arithmetic,
# however small: a sale that rounding of proceeds to cents leaves a fraction of a cent
# below its basis is a loss that a repurchase washes (carrying the sold shares' holding
# period). The margin only absorbs float noise, far below a cent.
LOSS_TOLERANCE_USD = 1e-9


@dataclass(slots=True)
class Piece:
    """Shares of one purchase (`lot_id`) with one basis per share and holding period."""

    lot_id: str
    purchase: int
    symbol: str
    acquired: date
    hp_start: date
    quantity: float
    basis: float
    adjustment: float
    used: bool


@dataclass(slots=True)
class Realized:
    """One lot relieved by one sale. `gain` = proceeds - basis; `disallowed` is the part
    of a loss the wash-sale rule disallows (>= 0); the deductible gain is their sum."""

    sale: str
    lot: str
    symbol: str
    quantity: float
    acquired: date
    sold: date
    proceeds: float
    basis: float
    gain: float
    long_term: bool
    disallowed: float = 0.0

    @property
    def deductible(self) -> float:
        return self.gain + self.disallowed


@dataclass(slots=True)
class _Pending:
    """Loss shares of one realized row still looking for a replacement."""

    row: Realized
    purchase: int
    hp_start: date
    quantity: float
    loss_per_share: float


@dataclass
class Ledger:
    """Open pieces per symbol (purchase order, a purchase's used pieces first), realized
    rows in sale order, and the account's purchase and loss-sale history.

    Pieces change only through `buy` and `sell`, and only the pieces of the symbol traded
    (wash sales included): each bumps `revision` and sets the symbol's `revisions` entry
    to it, so a reader may keep what it derived from a symbol's pieces (or from all of
    them) until its revision changes."""

    wash_sale: bool = True
    holdings: dict[str, list[Piece]] = field(default_factory=dict)
    revision: int = 0
    revisions: dict[str, int] = field(default_factory=dict)
    realized: list[Realized] = field(default_factory=list)
    pending: dict[str, list[_Pending]] = field(default_factory=dict)
    buys: list[tuple[date, str]] = field(default_factory=list)
    loss_sales: list[tuple[date, str]] = field(default_factory=list)
    _purchases: int = 0

    def quantity(self, *, symbol: str) -> float:
        return sum(p.quantity for p in self.holdings.get(symbol, ()))

    def pieces(self) -> list[Piece]:
        return [p for held in self.holdings.values() for p in held]

    def buy(self, *, txn_id: str, day: date, symbol: str, quantity: float, amount: float) -> None:
        """Open a purchase; first let pending loss sales claim replacement shares."""
        self._changed(symbol=symbol)
        purchase = self._purchases
        self._purchases += 1
        self.buys.append((day, symbol))
        held = self.holdings.setdefault(symbol, [])
        left = quantity
        for pending in self._live_pending(symbol=symbol, day=day):
            if left <= EPS_SHARES:
                break
            q = min(left, pending.quantity)
            share = pending.loss_per_share * q
            pending.quantity -= q
            pending.row.disallowed += share
            left -= q
            held.append(
                Piece(
                    lot_id=txn_id,
                    purchase=purchase,
                    symbol=symbol,
                    acquired=day,
                    hp_start=day - (pending.row.sold - pending.hp_start),
                    quantity=q,
                    basis=amount * q / quantity + share,
                    adjustment=share,
                    used=True,
                )
            )
        if left > EPS_SHARES:
            held.append(
                Piece(
                    lot_id=txn_id,
                    purchase=purchase,
                    symbol=symbol,
                    acquired=day,
                    hp_start=day,
                    quantity=left,
                    basis=amount * left / quantity,
                    adjustment=0.0,
                    used=False,
                )
            )

    def sell(
        self,
        *,
        txn_id: str,
        day: date,
        symbol: str,
        quantity: float,
        proceeds: float,
        picks: list[tuple[str, float]] | None = None,
    ) -> list[Realized]:
        """Relieve `picks` (lot id, shares), or FIFO without them; return the new rows."""
        self._changed(symbol=symbol)
        held = self.holdings.get(symbol, [])
        taken = _specific(held=held, picks=picks) if picks else _fifo(held=held, quantity=quantity)
        rows: list[tuple[Realized, Piece]] = []
        for piece, q in taken:
            basis = piece.basis * q / piece.quantity
            piece.basis -= basis
            piece.adjustment -= piece.adjustment * q / piece.quantity
            piece.quantity -= q
            value = proceeds * q / quantity
            row = Realized(
                sale=txn_id,
                lot=piece.lot_id,
                symbol=symbol,
                quantity=q,
                acquired=piece.acquired,
                sold=day,
                proceeds=value,
                basis=basis,
                gain=value - basis,
                long_term=is_long_term(start=piece.hp_start, sold=day),
            )
            rows.append((row, piece))
            self.realized.append(row)
        self.holdings[symbol] = [p for p in held if p.quantity > EPS_SHARES]
        for row, piece in rows:
            if row.gain < -LOSS_TOLERANCE_USD:
                self.loss_sales.append((day, symbol))
                if self.wash_sale:
                    self._wash(row=row, piece=piece)
        return [row for row, _ in rows]

    def unrealized_gains(self, *, prices: dict[str, float], day: date) -> tuple[float, float]:
        """(short-term, long-term) gain that selling every open piece at `prices` on `day`
        would realize (negative: a loss), to the cent."""
        short = long = 0.0
        for piece in self.pieces():
            gain = piece.quantity * prices[piece.symbol] - piece.basis
            if is_long_term(start=piece.hp_start, sold=day):
                long += gain
            else:
                short += gain
        return round(short, 2), round(long, 2)

    def recent(self, *, day: date) -> tuple[list[tuple[date, str]], list[tuple[date, str]]]:
        """Purchases and loss sales within the 30 days up to `day` (for the optimizer)."""
        earliest = window_start(sold=day)
        self.buys = [e for e in self.buys if e[0] >= earliest]
        self.loss_sales = [e for e in self.loss_sales if e[0] >= earliest]
        return self.buys, self.loss_sales

    def _changed(self, *, symbol: str) -> None:
        self.revision += 1
        self.revisions[symbol] = self.revision

    def _wash(self, *, row: Realized, piece: Piece) -> None:
        """Disallow the loss against held replacements, then leave the rest pending."""
        loss_per_share = -row.gain / row.quantity
        left = row.quantity
        earliest = window_start(sold=row.sold)
        candidates = [
            p
            for p in self.holdings.get(row.symbol, ())
            if not p.used and p.acquired >= earliest and p.purchase != piece.purchase
        ]
        candidates.sort(key=lambda p: p.purchase)
        for candidate in candidates:
            if left <= EPS_SHARES:
                break
            q = min(left, candidate.quantity)
            share = loss_per_share * q
            row.disallowed += share
            left -= q
            self._split(piece=candidate, quantity=q, share=share, row=row, sold_hp=piece.hp_start)
        if left > EPS_SHARES:
            self.pending.setdefault(row.symbol, []).append(
                _Pending(
                    row=row,
                    purchase=piece.purchase,
                    hp_start=piece.hp_start,
                    quantity=left,
                    loss_per_share=loss_per_share,
                )
            )

    def _split(
        self, *, piece: Piece, quantity: float, share: float, row: Realized, sold_hp: date
    ) -> None:
        basis = piece.basis * quantity / piece.quantity
        piece.basis -= basis
        piece.quantity -= quantity
        used = Piece(
            lot_id=piece.lot_id,
            purchase=piece.purchase,
            symbol=piece.symbol,
            acquired=piece.acquired,
            hp_start=carried_start(sold_start=sold_hp, sold=row.sold, acquired=piece.acquired),
            quantity=quantity,
            basis=basis + share,
            adjustment=share,
            used=True,
        )
        held = self.holdings[piece.symbol]
        held.insert(held.index(piece), used)
        if piece.quantity <= EPS_SHARES:
            held.remove(piece)

    def _live_pending(self, *, symbol: str, day: date) -> list[_Pending]:
        live = [
            p
            for p in self.pending.get(symbol, ())
            if p.quantity > EPS_SHARES and window_end(sold=p.row.sold) >= day
        ]
        self.pending[symbol] = live
        return live


def _fifo(*, held: list[Piece], quantity: float) -> list[tuple[Piece, float]]:
    taken, left = [], quantity
    for piece in held:
        if left <= EPS_SHARES:
            break
        q = min(piece.quantity, left)
        taken.append((piece, q))
        left -= q
    if left > 1e-6:
        raise ValueError(f"sale of {quantity} exceeds the {quantity - left} held")
    return taken


def _specific(*, held: list[Piece], picks: list[tuple[str, float]]) -> list[tuple[Piece, float]]:
    """The pieces `picks` name, each lot's pieces in holding order (its used pieces first),
    as the lot engine relieves them. A lot's pieces are looked up once and relieved from
    a cursor: a purchase that wash sales split into many pieces, each named by its own
    pick, would otherwise be scanned again for every pick."""
    by_lot: dict[str, list[Piece]] = {}
    for piece in held:
        by_lot.setdefault(piece.lot_id, []).append(piece)
    cursor: dict[str, int] = {}
    free: dict[int, float] = {}
    taken: list[tuple[Piece, float]] = []
    for lot_id, quantity in picks:
        pieces = by_lot.get(lot_id, [])
        k = cursor.get(lot_id, 0)
        left = quantity
        while left > EPS_SHARES and k < len(pieces):
            piece = pieces[k]
            q = min(free.get(id(piece), piece.quantity), left)
            if q > EPS_SHARES:
                taken.append((piece, q))
                free[id(piece)] = free.get(id(piece), piece.quantity) - q
                left -= q
            if free.get(id(piece), piece.quantity) <= EPS_SHARES:
                k += 1
        cursor[lot_id] = k
        if left > 1e-6:
            raise ValueError(f"lot {lot_id} has fewer than {quantity} shares")
    return taken
