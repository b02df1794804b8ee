"""Which held pieces a sale relieves: FIFO, LIFO, HIFO, TAX_MIN or specific lots.

Every function returns ``(piece, quantity)`` pairs in relief order without changing
anything; the engine carves the shares out afterwards. ``pieces`` is one account's
holding of one symbol, in purchase order with used pieces of a purchase first, so a
purchase split by a wash sale gives up its adjusted piece first under every method.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from money import ZERO, plain_digits

from .errors import LotEngineInputError
from .holding import term
from .state import Piece
from .types import LotPick, Method, Term, Transaction


def method_order(
    *, pieces: list[Piece], method: Method, sold: dt.date, price: Decimal
) -> list[Piece]:
    """Held pieces in the order ``method`` relieves them.

    FIFO and LIFO order by purchase (``acquired``, then file order); HIFO by cost per
    share including wash-sale adjustments, highest first; TAX_MIN puts losses first,
    then long-term gains, then short-term gains, each from the highest cost per share.
    Ties keep FIFO order.
    """
    held = [p for p in pieces if p.quantity > ZERO]
    if method is Method.FIFO:
        return held
    if method is Method.LIFO:
        return _purchases_reversed(held)
    if method is Method.HIFO:
        return sorted(held, key=lambda p: -p.cost_per_share)
    return sorted(held, key=lambda p: (_tax_rank(p, sold=sold, price=price), -p.cost_per_share))


def _purchases_reversed(held: list[Piece]) -> list[Piece]:
    runs: list[list[Piece]] = []
    for piece in held:
        if runs and runs[-1][0].purchase == piece.purchase:
            runs[-1].append(piece)
        else:
            runs.append([piece])
    return [piece for run in reversed(runs) for piece in run]


def _tax_rank(piece: Piece, *, sold: dt.date, price: Decimal) -> int:
    if piece.cost_per_share > price:
        return 0
    if term(holding_period_start=piece.hp_start, sold=sold) is Term.LONG:
        return 1
    return 2


def take_in_order(*, ordered: Iterable[Piece], quantity: Decimal) -> list[tuple[Piece, Decimal]]:
    """Take ``quantity`` shares from ``ordered`` pieces, front first."""
    taken: list[tuple[Piece, Decimal]] = []
    left = quantity
    for piece in ordered:
        if left <= ZERO:
            break
        q = min(piece.quantity, left)
        taken.append((piece, q))
        left -= q
    return taken


def specific(
    *, pieces: list[Piece], picks: tuple[LotPick, ...], txn: Transaction, known_lots: set[str]
) -> list[tuple[Piece, Decimal]]:
    """The pieces a sale names, each lot's adjusted pieces first.

    Raises :class:`LotEngineInputError` for a lot that is not held in the sale's account
    and symbol at the moment of the sale, or held in a smaller quantity.
    """
    taken: list[tuple[Piece, Decimal]] = []
    claimed: dict[int, Decimal] = {}
    for i, pick in enumerate(picks):
        of_lot = [p for p in pieces if p.lot_id == pick.lot and p.quantity > ZERO]
        if not of_lot:
            raise LotEngineInputError(
                transaction_id=txn.id,
                field=f"lots[{i}].lot",
                message=_not_held(pick.lot, txn=txn, known=pick.lot in known_lots),
            )
        left = pick.quantity
        for piece in of_lot:
            free = piece.quantity - claimed.get(id(piece), ZERO)
            q = min(free, left)
            if q > ZERO:
                taken.append((piece, q))
                claimed[id(piece)] = claimed.get(id(piece), ZERO) + q
                left -= q
        if left > ZERO:
            held = pick.quantity - left
            raise LotEngineInputError(
                transaction_id=txn.id,
                field=f"lots[{i}].quantity",
                message=(
                    f"names {plain_digits(pick.quantity)} shares of lot {pick.lot!r}, but only "
                    f"{plain_digits(held)} of it are held in {txn.account} at this sale"
                ),
            )
    return taken


def _not_held(lot: str, *, txn: Transaction, known: bool) -> str:
    if not known:
        return f"lot {lot!r} does not exist (no purchase has that id)"
    return (
        f"lot {lot!r} is not an open lot of {txn.symbol} in {txn.account} on {txn.date.isoformat()}"
    )
