"""``process``: apply a household's transactions in date order and report the result."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
from decimal import Decimal

from money import ZERO, plain_digits

from .actions import Event, apply_action, order_key, with_reinvestments
from .errors import LotEngineInputError
from .holding import term
from .numbers import PRECISION, RESIDUE
from .relief import method_order, specific, take_in_order
from .state import FutureBuy, Ledger, Piece
from .types import (
    CashRow,
    CorporateAction,
    EngineInput,
    EngineResult,
    GiftRow,
    OpenLot,
    RealizedRow,
    Replacement,
    TaxStatus,
    Term,
    Totals,
    Transaction,
    TransactionType,
)
from .wash_sales import LossSale, apply_wash_sale


def process(inp: EngineInput, /) -> EngineResult:
    """Apply every transaction of ``inp`` and return open lots, realized rows and totals.

    Transactions and corporate actions are applied in date order and, on one date, in
    file order (a dividend at its ex-date); a reinvested dividend's purchases are added
    first (:func:`with_reinvestments`). Amounts stay
    exact (Decimal, 60 significant digits) and are not rounded. Raises
    :class:`LotEngineInputError` for a sale of more than is held or of a lot that is not
    held; nothing is returned then, so nothing is half-applied.
    """
    with decimal.localcontext(decimal.Context(prec=PRECISION, rounding=decimal.ROUND_HALF_EVEN)):
        return _Run(with_reinvestments(inp)).result()


class _Run:
    """One pass over the transactions; holds the ledger and the rows so far."""

    def __init__(self, inp: EngineInput) -> None:
        self.inp = inp
        self.status_of = {name: spec.tax_status for name, spec in inp.accounts}
        self.method_of = {name: spec.method or inp.method for name, spec in inp.accounts}
        self.ledger = Ledger()
        for group in inp.identical_groups:
            for symbol in group:
                self.ledger.group_of[symbol] = group[0]
        events: list[Event] = [*inp.transactions, *inp.actions]
        self.ordered = sorted(events, key=order_key)
        self.known_lots = {t.id for t in inp.transactions if t.type is TransactionType.BUY}
        self.rows: list[RealizedRow] = []
        self.replacements: list[Replacement] = []
        self.cash: list[CashRow] = []
        self.gifts: list[GiftRow] = []
        for position, txn in enumerate(self.ordered):
            if isinstance(txn, Transaction) and txn.type is TransactionType.BUY:
                buy = FutureBuy(position=position, transaction=txn)
                self.ledger.group_buys.setdefault(self.ledger.group(txn.symbol), []).append(buy)
                self.ledger.buy_by_position[position] = buy

    def result(self) -> EngineResult:
        for position, event in enumerate(self.ordered):
            if isinstance(event, CorporateAction):
                self._action(position=position, action=event)
            elif event.type is TransactionType.BUY:
                self._buy(self.ledger.buy_by_position.pop(position))
            elif event.type is TransactionType.GIFT:
                self._gift(txn=event)
            else:
                self._sell(position=position, txn=event)
        return EngineResult(
            lots=self._open_lots(),
            realized=tuple(self.rows),
            totals=self._totals(),
            replacements=tuple(self.replacements),
            cash=tuple(self.cash),
            has_actions=bool(self.inp.actions),
            gifts=tuple(self.gifts),
            has_gifts=any(t.type is TransactionType.GIFT for t in self.inp.transactions),
        )

    def _action(self, *, position: int, action: CorporateAction) -> None:
        def sell(txn: Transaction) -> None:
            self._sell(position=position, txn=txn)

        apply_action(ledger=self.ledger, action=action, sell=sell, cash=self.cash)

    def _buy(self, buy: FutureBuy) -> None:
        """Open the purchase's pieces: claimed replacement chunks first, then the rest."""
        txn = buy.transaction
        pieces = self.ledger.pieces(account=txn.account, symbol=txn.symbol)
        cost_left = txn.amount
        for chunk in buy.chunks:
            cost = txn.amount * chunk.quantity / txn.quantity
            cost_left -= cost
            pieces.append(
                self._piece(
                    txn=txn,
                    position=buy.position,
                    quantity=chunk.quantity,
                    basis=cost + chunk.adjustment,
                    adjustment=chunk.adjustment,
                    hp_start=chunk.hp_start or txn.date,
                    used=True,
                )
            )
        if buy.unclaimed > ZERO:
            pieces.append(
                self._piece(
                    txn=txn,
                    position=buy.position,
                    quantity=buy.unclaimed,
                    basis=cost_left,
                    adjustment=ZERO,
                    hp_start=txn.date,
                    used=False,
                )
            )

    def _piece(
        self,
        *,
        txn: Transaction,
        position: int,
        quantity: Decimal,
        basis: Decimal,
        adjustment: Decimal,
        hp_start: dt.date,
        used: bool,
    ) -> Piece:
        return Piece(
            lot_id=txn.id,
            purchase=position,
            account=txn.account,
            symbol=txn.symbol,
            acquired=txn.date,
            hp_start=hp_start,
            quantity=quantity,
            basis=basis,
            adjustment=adjustment,
            used=used,
            seq=self.ledger.seq(),
        )

    def _taken(self, *, txn: Transaction, pieces: list[Piece]) -> list[tuple[Piece, Decimal]]:
        """The pieces a sale or gift relieves: its own ``lots``, else the account's method."""
        held = sum((p.quantity for p in pieces), ZERO)
        if txn.lots is None and txn.quantity > held:
            verb = "gives" if txn.type is TransactionType.GIFT else "sells"
            raise LotEngineInputError(
                transaction_id=txn.id,
                field="quantity",
                message=(
                    f"{verb} {plain_digits(txn.quantity)} {txn.symbol}, "
                    f"but only {plain_digits(held)} are held "
                    f"in {txn.account} on {txn.date.isoformat()}"
                ),
            )
        if txn.lots is not None:
            return specific(pieces=pieces, picks=txn.lots, txn=txn, known_lots=self.known_lots)
        method = self.method_of.get(txn.account, self.inp.method)
        ordered = method_order(
            pieces=pieces, method=method, sold=txn.date, price=txn.amount / txn.quantity
        )
        return take_in_order(ordered=ordered, quantity=txn.quantity)

    def _gift(self, *, txn: Transaction) -> None:
        """Give the shares away in kind: they leave the account and no gain is realized.

        A gift is not a sale, so it never triggers the wash-sale rule; the given shares
        are no longer held, so they cannot replace shares sold at a loss afterwards.
        """
        pieces = self.ledger.pieces(account=txn.account, symbol=txn.symbol)
        value_left = txn.amount
        taken = self._taken(txn=txn, pieces=pieces)
        for i, (piece, quantity) in enumerate(taken):
            hp_start = piece.hp_start
            basis, _ = piece.carve(quantity=quantity)
            if i == len(taken) - 1:
                value = value_left
            else:
                value = txn.amount * quantity / txn.quantity
            value_left -= value
            self.gifts.append(
                GiftRow(
                    gift=txn.id,
                    lot=piece.lot_id,
                    account=txn.account,
                    symbol=txn.symbol,
                    quantity=quantity,
                    acquired=piece.acquired,
                    given=txn.date,
                    market_value=value,
                    cost_basis=basis,
                    appreciation=value - basis,
                    term=term(holding_period_start=hp_start, sold=txn.date),
                )
            )
        self.ledger.holdings[(txn.account, txn.symbol)] = [p for p in pieces if p.quantity > ZERO]

    def _sell(self, *, position: int, txn: Transaction) -> None:
        pieces = self.ledger.pieces(account=txn.account, symbol=txn.symbol)
        taken = self._taken(txn=txn, pieces=pieces)
        first_row = len(self.rows)
        new_rows = self._relieve(txn=txn, taken=taken)
        self.ledger.holdings[(txn.account, txn.symbol)] = [p for p in pieces if p.quantity > ZERO]
        taxable = self.status_of.get(txn.account, TaxStatus.TAXABLE) is TaxStatus.TAXABLE
        if not (self.inp.wash_sale and taxable):
            return
        for index, (row, piece) in enumerate(new_rows):
            if row.gain >= -RESIDUE:
                continue
            loss = LossSale(
                sale_id=txn.id,
                position=position,
                sold=txn.date,
                symbol=txn.symbol,
                lot_id=row.lot,
                purchase=piece.purchase,
                hp_start=piece.hp_start,
                quantity=row.quantity,
                loss=-row.gain,
            )
            disallowed, links = apply_wash_sale(
                ledger=self.ledger, loss=loss, status_of=self.status_of
            )
            if disallowed > ZERO:
                self.rows[first_row + index] = dataclasses.replace(row, disallowed_loss=disallowed)
                self.replacements.extend(links)

    def _relieve(
        self, *, txn: Transaction, taken: list[tuple[Piece, Decimal]]
    ) -> list[tuple[RealizedRow, Piece]]:
        """Carve the sold shares out of their pieces and append one row per piece."""
        taxable = self.status_of.get(txn.account, TaxStatus.TAXABLE) is TaxStatus.TAXABLE
        rows = []
        proceeds_left = txn.amount
        for i, (piece, quantity) in enumerate(taken):
            hp_start = piece.hp_start
            basis, _ = piece.carve(quantity=quantity)
            if i == len(taken) - 1:
                proceeds = proceeds_left
            else:
                proceeds = txn.amount * quantity / txn.quantity
            proceeds_left -= proceeds
            row = RealizedRow(
                sale=txn.id,
                lot=piece.lot_id,
                account=txn.account,
                symbol=txn.symbol,
                quantity=quantity,
                acquired=piece.acquired,
                sold=txn.date,
                proceeds=proceeds,
                cost_basis=basis,
                gain=proceeds - basis,
                term=term(holding_period_start=hp_start, sold=txn.date),
                disallowed_loss=ZERO,
                taxable=taxable,
            )
            rows.append((row, piece))
            self.rows.append(row)
        return rows

    def _open_lots(self) -> tuple[OpenLot, ...]:
        pieces = [p for held in self.ledger.holdings.values() for p in held if p.quantity > ZERO]
        pieces.sort(key=lambda p: (p.purchase, not p.used, p.seq))
        return tuple(
            OpenLot(
                id=p.lot_id,
                account=p.account,
                symbol=p.symbol,
                quantity=p.quantity,
                cost_basis=p.basis,
                acquired=p.acquired,
                holding_period_start=p.hp_start,
                wash_sale_adjustment=p.adjustment,
            )
            for p in pieces
        )

    def _totals(self) -> Totals:
        short = long = disallowed = ZERO
        for row in self.rows:
            if not row.taxable:
                continue
            deductible = row.gain + row.disallowed_loss
            if row.term is Term.LONG:
                long += deductible
            else:
                short += deductible
            disallowed += row.disallowed_loss
        return Totals(short_term_gain=short, long_term_gain=long, disallowed_loss=disallowed)
