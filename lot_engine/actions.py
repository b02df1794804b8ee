"""Corporate actions applied to held pieces: what each kind does to lots.

- ``split`` (and a reverse split): every piece holds ``quantity * new / old`` shares for
  the same basis, acquired date and holding period; with a ``price``, each account's
  fraction of a share is sold at that price (cash in lieu, a sale with a realized row).
- ``cash_dividend``: ``cash_per_share`` times the shares held before the ex-date, paid on
  ``date``; lots are unchanged.
- ``reinvested_dividend``: the same cash buys shares at ``price`` on ``date`` (to 6 places,
  rounded down): an ordinary purchase lot (see :func:`with_reinvestments`), so it can
  replace shares sold at a loss.
- ``spin_off``: each parent piece gives a child piece of ``new_symbol`` with
  ``quantity * new / old`` shares, ``basis_fraction`` of its basis (and wash-sale
  adjustment) and the same acquired date and holding period; fractions as a split's.
- ``symbol_change``: pieces move to ``new_symbol`` unchanged.
- ``merger``: for cash, every share is sold at ``cash_per_share`` (a sale with realized
  rows); for stock, pieces become ``quantity * new / old`` shares of ``new_symbol`` with
  the same basis and holding period, fractions as a split's.

Cash paid is reported as :class:`CashRow`; sales made by an action have the id
``ACTION/ACCOUNT``, as do the purchases of a reinvested dividend.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Iterable
from decimal import ROUND_FLOOR, Decimal

from money import ZERO

from .errors import LotEngineInputError
from .state import Ledger, Piece
from .types import (
    ActionKind,
    CashKind,
    CashRow,
    CorporateAction,
    EngineInput,
    Transaction,
    TransactionType,
)

Event = Transaction | CorporateAction
Sell = Callable[[Transaction], None]

SHARE_QUANTUM = Decimal("0.000001")
"""Shares are held to 6 decimal places (as the books store them): a reinvested dividend buys
`cash / price` shares rounded down to that, so a sale of the whole lot names what is held."""


def order_key(event: Event) -> tuple[dt.date, int, int]:
    """Date order; on one date, actions before transactions (a split's effective date and a
    dividend's ex-date are the first days on the new footing), each in file order."""
    if isinstance(event, CorporateAction):
        return (event.entitlement_date, 0, event.index)
    return (event.date, 1, event.index)


def action_event_id(action: CorporateAction, account: str) -> str:
    return f"{action.id}/{account}"


def with_reinvestments(inp: EngineInput, /) -> EngineInput:
    """``inp`` with each reinvested dividend's purchases added as ordinary buys.

    Shares held are followed account by account (quantities only: wash sales never change
    them), so a reinvestment's own shares count for a later dividend.
    """
    if not any(a.kind is ActionKind.REINVESTED_DIVIDEND for a in inp.actions):
        return inp
    held: dict[tuple[str, str], Decimal] = {}
    queue: list[tuple[tuple[dt.date, int, int], int, Event]] = []
    events: list[Event] = [*inp.transactions, *inp.actions]
    for seq, event in enumerate(events):
        queue.append((order_key(event), seq, event))
    heapq.heapify(queue)
    seq = len(queue)
    bought: list[Transaction] = []
    while queue:
        _, _, event = heapq.heappop(queue)
        if isinstance(event, Transaction):
            sign = 1 if event.type is TransactionType.BUY else -1
            key = (event.account, event.symbol)
            held[key] = held.get(key, ZERO) + sign * event.quantity
            continue
        for buy in _follow(held=held, action=event):
            bought.append(buy)
            heapq.heappush(queue, (order_key(buy), seq, buy))
            seq += 1
    taken = {t.id for t in inp.transactions} | {a.id for a in inp.actions}
    for buy in bought:
        if buy.id in taken:
            raise LotEngineInputError(
                transaction_id=buy.id, field="id", message="is the id of a reinvestment's purchase"
            )
    return EngineInput(
        transactions=(*inp.transactions, *bought),
        method=inp.method,
        wash_sale=inp.wash_sale,
        accounts=inp.accounts,
        identical_groups=inp.identical_groups,
        actions=inp.actions,
    )


def _follow(*, held: dict[tuple[str, str], Decimal], action: CorporateAction) -> list[Transaction]:
    """Apply ``action`` to share counts; return the purchases a reinvestment makes."""
    holders = sorted((acct, q) for (acct, sym), q in held.items() if sym == action.symbol and q)
    bought = []
    for account, quantity in holders:
        old = (account, action.symbol)
        if action.kind is ActionKind.SPLIT:
            held[old] = _whole(action, action.scaled(quantity))
        elif action.kind is ActionKind.REINVESTED_DIVIDEND:
            cash = quantity * (action.cash_per_share or ZERO)
            price = action.price or Decimal(1)
            bought.append(
                Transaction(
                    id=action_event_id(action, account),
                    date=action.date,
                    account=account,
                    type=TransactionType.BUY,
                    symbol=action.symbol,
                    quantity=(cash / price).quantize(SHARE_QUANTUM, rounding=ROUND_FLOOR),
                    amount=cash,
                    index=action.index,
                )
            )
        elif action.kind in (ActionKind.SPIN_OFF, ActionKind.SYMBOL_CHANGE, ActionKind.MERGER):
            _convert_count(held=held, action=action, account=account, quantity=quantity)
    return bought


def _convert_count(
    *,
    held: dict[tuple[str, str], Decimal],
    action: CorporateAction,
    account: str,
    quantity: Decimal,
) -> None:
    if action.kind is not ActionKind.SPIN_OFF:
        held[(account, action.symbol)] = ZERO
    if action.new_symbol is None:
        return
    received = quantity if action.kind is ActionKind.SYMBOL_CHANGE else action.scaled(quantity)
    new = (account, action.new_symbol)
    held[new] = held.get(new, ZERO) + _whole(action, received)


def _whole(action: CorporateAction, quantity: Decimal) -> Decimal:
    """What is kept of ``quantity`` new shares: whole shares when fractions are paid."""
    if action.price is None or action.kind is ActionKind.REINVESTED_DIVIDEND:
        return quantity
    return quantity.to_integral_value(rounding=ROUND_FLOOR)


def apply_action(
    *, ledger: Ledger, action: CorporateAction, sell: Sell, cash: list[CashRow]
) -> None:
    """Apply ``action`` to every account holding its symbol, in account order.

    ``sell`` performs a sale the action makes (cash in lieu, a cash merger) as the engine
    performs any sale; cash paid is appended to ``cash``.
    """
    for account, pieces in _holders(ledger=ledger, symbol=action.symbol):
        quantity = sum((p.quantity for p in pieces), ZERO)
        if action.kind is ActionKind.SPLIT:
            for piece in pieces:
                piece.rescale(quantity=action.scaled(piece.quantity))
            _pay_fraction(action, account, action.symbol, action.scaled(quantity), sell, cash)
        elif action.kind is ActionKind.CASH_DIVIDEND:
            amount = quantity * (action.cash_per_share or ZERO)
            cash.append(_cash(action, account, action.symbol, CashKind.DIVIDEND, amount))
        elif action.kind is ActionKind.SPIN_OFF:
            _spin_off(ledger=ledger, action=action, pieces=pieces)
            child = action.new_symbol or action.symbol
            _pay_fraction(action, account, child, action.scaled(quantity), sell, cash)
        elif action.kind is ActionKind.SYMBOL_CHANGE:
            _move(ledger=ledger, action=action, account=account, pieces=pieces)
        elif action.kind is ActionKind.MERGER and action.new_symbol is None:
            price = action.cash_per_share or ZERO
            sell(_sale(action, account, action.symbol, quantity, price))
            cash.append(_cash(action, account, action.symbol, CashKind.MERGER, quantity * price))
        elif action.kind is ActionKind.MERGER:
            for piece in pieces:
                piece.rescale(quantity=action.scaled(piece.quantity))
            _move(ledger=ledger, action=action, account=account, pieces=pieces)
            new = action.new_symbol or action.symbol
            _pay_fraction(action, account, new, action.scaled(quantity), sell, cash)


def _holders(*, ledger: Ledger, symbol: str) -> list[tuple[str, list[Piece]]]:
    return sorted(
        (account, [p for p in pieces if p.quantity > ZERO])
        for (account, held_symbol), pieces in ledger.holdings.items()
        if held_symbol == symbol and any(p.quantity > ZERO for p in pieces)
    )


def _spin_off(*, ledger: Ledger, action: CorporateAction, pieces: list[Piece]) -> None:
    fraction = action.basis_fraction or ZERO
    child_symbol = action.new_symbol or action.symbol
    children = []
    for piece in pieces:
        basis = piece.basis * fraction
        adjustment = piece.adjustment * fraction
        children.append(
            Piece(
                lot_id=piece.lot_id,
                purchase=piece.purchase,
                account=piece.account,
                symbol=child_symbol,
                acquired=piece.acquired,
                hp_start=piece.hp_start,
                quantity=action.scaled(piece.quantity),
                basis=basis,
                adjustment=adjustment,
                used=piece.used,
                seq=ledger.seq(),
            )
        )
        piece.basis -= basis
        piece.adjustment -= adjustment
        piece.rescale(quantity=piece.quantity)
    if children:
        _add(ledger=ledger, account=children[0].account, symbol=child_symbol, pieces=children)


def _move(*, ledger: Ledger, action: CorporateAction, account: str, pieces: list[Piece]) -> None:
    new_symbol = action.new_symbol or action.symbol
    ledger.holdings[(account, action.symbol)] = []
    for piece in pieces:
        piece.symbol = new_symbol
    _add(ledger=ledger, account=account, symbol=new_symbol, pieces=pieces)


def _add(*, ledger: Ledger, account: str, symbol: str, pieces: Iterable[Piece]) -> None:
    """Add pieces to a holding, kept in purchase order (used pieces of a purchase first)."""
    held = ledger.pieces(account=account, symbol=symbol)
    held.extend(pieces)
    held.sort(key=lambda p: (p.purchase, not p.used, p.seq))


def _pay_fraction(
    action: CorporateAction,
    account: str,
    symbol: str,
    received: Decimal,
    sell: Sell,
    cash: list[CashRow],
) -> None:
    """Sell the fraction of a share in ``received`` at ``action.price`` (cash in lieu)."""
    if action.price is None:
        return
    fraction = received - _whole(action, received)
    if fraction <= ZERO:
        return
    sell(_sale(action, account, symbol, fraction, action.price))
    cash.append(_cash(action, account, symbol, CashKind.CASH_IN_LIEU, fraction * action.price))


def _sale(
    action: CorporateAction, account: str, symbol: str, quantity: Decimal, price: Decimal
) -> Transaction:
    return Transaction(
        id=action_event_id(action, account),
        date=action.date,
        account=account,
        type=TransactionType.SELL,
        symbol=symbol,
        quantity=quantity,
        amount=quantity * price,
        index=action.index,
    )


def _cash(
    action: CorporateAction, account: str, symbol: str, kind: CashKind, amount: Decimal
) -> CashRow:
    return CashRow(
        event=action.id,
        account=account,
        symbol=symbol,
        kind=kind,
        date=action.date,
        amount=amount,
    )
