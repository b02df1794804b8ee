"""The wash-sale rule, share for share, across every account of the household.

A loss on shares sold in a taxable account is disallowed to the extent that
substantially identical shares were bought from 30 days before to 30 days after the
sale, matched to the earliest such purchases first. A replacement share is one that is

- bought in the window and still held at the moment of the loss sale (looked up among
  held pieces, so shares sold before it, or in the same sale, do not count), or
- bought after the sale within the window (claimed ahead on the future purchase);

never a share of the same purchase as the shares sold, and never one that already
replaced another sold share. Replacement shares in a taxable account take the
disallowed loss into their basis and the sold shares' holding period; in a tax-deferred
or tax-exempt account the loss is lost for good and their basis stays as it was.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from money import ZERO
from tax_calendar.holding import carried_start
from tax_calendar.wash_sale import window_end, window_start

from .state import FutureBuy, Ledger, PendingChunk, Piece
from .types import Replacement, TaxStatus


@dataclass(frozen=True, slots=True)
class LossSale:
    """Shares of one piece sold at a loss by one sale."""

    sale_id: str
    position: int
    sold: dt.date
    symbol: str
    lot_id: str
    purchase: int
    hp_start: dt.date
    quantity: Decimal
    loss: Decimal


def apply_wash_sale(
    *, ledger: Ledger, loss: LossSale, status_of: dict[str, TaxStatus]
) -> tuple[Decimal, list[Replacement]]:
    """Match replacement shares to ``loss``, adjust them, return the disallowed loss.

    The disallowed loss is ``loss * replaced / quantity``, never more than the loss; the
    adjustments of the replacement chunks add up to it exactly.
    """
    held = _held_candidates(ledger=ledger, loss=loss)
    chunks: list[tuple[Piece | FutureBuy, Decimal]] = []
    left = loss.quantity
    for piece in held:
        if left <= ZERO:
            break
        q = min(piece.quantity, left)
        chunks.append((piece, q))
        left -= q
    if left > ZERO:
        for buy in _future_candidates(ledger=ledger, loss=loss):
            q = min(buy.unclaimed, left)
            chunks.append((buy, q))
            left -= q
            if left <= ZERO:
                break
    if not chunks:
        return ZERO, []
    replaced = loss.quantity - left
    disallowed = loss.loss if left <= ZERO else loss.loss * replaced / loss.quantity
    links = []
    allocated = ZERO
    for i, (target, q) in enumerate(chunks):
        share = disallowed - allocated if i == len(chunks) - 1 else loss.loss * q / loss.quantity
        allocated += share
        links.append(
            _replace(
                ledger=ledger,
                loss=loss,
                target=target,
                quantity=q,
                share=share,
                status_of=status_of,
            )
        )
    return disallowed, links


def _held_candidates(*, ledger: Ledger, loss: LossSale) -> list[Piece]:
    """Unused held pieces of the group bought in the window's first half, earliest first."""
    earliest = window_start(sold=loss.sold)
    found: list[Piece] = []
    for key in ledger.group_positions.get(ledger.group(loss.symbol), ()):
        pieces = ledger.holdings[key]
        for piece in reversed(pieces):
            if piece.acquired < earliest:
                break
            if not piece.used and piece.quantity > ZERO and piece.purchase != loss.purchase:
                found.append(piece)
    found.sort(key=lambda p: p.purchase)
    return found


def _future_candidates(*, ledger: Ledger, loss: LossSale) -> list[FutureBuy]:
    """Purchases of the group after the sale and within 30 days, with unclaimed shares."""
    buys = ledger.group_buys.get(ledger.group(loss.symbol), [])
    start = bisect.bisect_right(buys, loss.position, key=lambda b: b.position)
    latest = window_end(sold=loss.sold)
    found = []
    for buy in buys[start:]:
        if buy.transaction.date > latest:
            break
        if buy.unclaimed > ZERO:
            found.append(buy)
    return found


def _replace(
    *,
    ledger: Ledger,
    loss: LossSale,
    target: Piece | FutureBuy,
    quantity: Decimal,
    share: Decimal,
    status_of: dict[str, TaxStatus],
) -> Replacement:
    """Turn ``quantity`` shares of ``target`` into replacement shares carrying ``share``."""
    if isinstance(target, FutureBuy):
        account = target.transaction.account
        acquired = target.transaction.date
        lot_id = target.transaction.id
    else:
        account, acquired, lot_id = target.account, target.acquired, target.lot_id
    taxable = status_of.get(account, TaxStatus.TAXABLE) is TaxStatus.TAXABLE
    adjustment = share if taxable else ZERO
    hp_start = (
        carried_start(sold_start=loss.hp_start, sold=loss.sold, acquired=acquired)
        if taxable
        else None
    )
    if isinstance(target, FutureBuy):
        target.claimed += quantity
        target.chunks.append(
            PendingChunk(quantity=quantity, adjustment=adjustment, hp_start=hp_start)
        )
    else:
        _split_held(
            ledger=ledger, piece=target, quantity=quantity, adjustment=adjustment, hp_start=hp_start
        )
    return Replacement(
        sale=loss.sale_id,
        sold_lot=loss.lot_id,
        replacement_lot=lot_id,
        replacement_account=account,
        quantity=quantity,
        disallowed_loss=share,
        adjustment=adjustment,
    )


def _split_held(
    *,
    ledger: Ledger,
    piece: Piece,
    quantity: Decimal,
    adjustment: Decimal,
    hp_start: dt.date | None,
) -> None:
    """Carve a used piece out of an unused held piece, just before it in its holding."""
    basis, _ = piece.carve(quantity=quantity)
    used = Piece(
        lot_id=piece.lot_id,
        purchase=piece.purchase,
        account=piece.account,
        symbol=piece.symbol,
        acquired=piece.acquired,
        hp_start=hp_start or piece.hp_start,
        quantity=quantity,
        basis=basis + adjustment,
        adjustment=adjustment,
        used=True,
        seq=ledger.seq(),
    )
    pieces = ledger.holdings[(piece.account, piece.symbol)]
    pieces.insert(pieces.index(piece), used)
