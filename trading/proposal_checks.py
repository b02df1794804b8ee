"""An advisor's edit of a proposal: its sales re-relieved, its figures recomputed, and its
trades checked against the account's rules.

Over the optimizer's input format (``contracts/optimize.md``), read with the optimizer's
own parser. When an advisor edits a proposed quantity, the edited sale is re-relieved lot
by lot in the least taxed order, the proposal's figures are recomputed, and its trades
go to the optimizer's own rule checker (:func:`optimizer.verify.violations`), the one
that checks every answer the optimizer gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from money import ZERO, cents_half_up, plain_digits, to_decimal
from optimizer import parse_case, verify
from optimizer.rules import recent_groups
from optimizer.types import Case, LotRelief, Trade
from tax_calendar.holding import is_long_term


def _money(value: Decimal) -> str:
    return str(cents_half_up(value))


@dataclass(frozen=True)
class LotInfo:
    id: str
    symbol: str
    quantity: Decimal
    basis_per_share: Decimal
    term: str
    tax_per_share: Decimal


class Account:
    """One optimizer input (parsed: ``typed``) and what relieving and summing need."""

    def __init__(self, case: dict[str, Any] | Case):
        self.typed = typed = case if isinstance(case, Case) else parse_case(case)
        self.as_of = typed.as_of
        self.taxable = typed.tax_status == "taxable"
        self.cash = typed.cash
        securities = typed.securities
        self.prices = dict(zip(securities.symbol.tolist(), securities.price.tolist(), strict=True))
        tax = typed.preferences.tax
        self.rates = {"short": tax.short_term_rate, "long": tax.long_term_rate}
        self.cost_rate = typed.preferences.trading.cost_bps / Decimal(10000)
        self.recent_buy_groups = recent_groups(case=typed, events=typed.recent_buys)
        lots = typed.lots
        self.lots = [
            self._lot(*row)
            for row in zip(
                lots.id.tolist(),
                lots.symbol.tolist(),
                lots.quantity.tolist(),
                lots.cost_basis.tolist(),
                lots.acquired.tolist(),
                strict=True,
            )
        ]

    def group(self, symbol: str) -> str:
        return self.typed.securities.group_of(symbol)

    def _lot(
        self, lot_id: str, symbol: str, quantity: Decimal, cost_basis: Decimal, acquired: date
    ) -> LotInfo:
        basis = cost_basis / quantity
        term = "long" if is_long_term(start=acquired, sold=self.as_of) else "short"
        gain = self.prices[symbol] - basis
        rate = self.rates[term] if self.taxable else ZERO
        return LotInfo(lot_id, symbol, quantity, basis, term, gain * rate)


def relieve(account: Account, *, symbol: str, quantity: Decimal, no_losses: bool) -> list[dict]:
    """The lots a sale of ``quantity`` relieves, least tax per share first. With
    ``no_losses`` (the wash-sale rule forbids a loss sale), loss lots are left alone."""
    candidates = [lot for lot in account.lots if lot.symbol == symbol]
    price = account.prices[symbol]
    if no_losses:
        candidates = [lot for lot in candidates if price >= lot.basis_per_share]
    candidates.sort(key=lambda lot: (lot.tax_per_share, -lot.basis_per_share, lot.id))
    rows, left = [], quantity
    for lot in candidates:
        if left <= 0:
            break
        take = min(lot.quantity, left)
        basis = cents_half_up(lot.basis_per_share * take)
        rows.append(
            {
                "lot": lot.id,
                "quantity": plain_digits(take),
                "cost_basis": _money(basis),
                "gain": _money(price * take - basis),
                "term": lot.term,
            }
        )
        left -= take
    if left > 0:
        sold, held = plain_digits(quantity - left), plain_digits(quantity)
        raise ValueError(f"only {sold} of {held} {symbol} may be sold")
    return rows


def _buys_and_sells(trades: list[dict]) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    buys: dict[str, Decimal] = {}
    sells: dict[str, Decimal] = {}
    for trade in trades:
        side = buys if trade["side"] == "buy" else sells
        side[trade["symbol"]] = side.get(trade["symbol"], ZERO) + to_decimal(trade["quantity"])
    return buys, sells


def summarize(account: Account, trades: list[dict]) -> dict[str, str]:
    """Realized gains by term, estimated tax, cost, cash after and turnover of ``trades``
    (whose sales carry their ``lots``)."""
    short = long = traded = ZERO
    for trade in trades:
        traded += to_decimal(trade["quantity"]) * account.prices[trade["symbol"]]
        for lot in trade.get("lots") or []:
            if lot["term"] == "short":
                short += to_decimal(lot["gain"])
            else:
                long += to_decimal(lot["gain"])
    cost = cents_half_up(traded * account.cost_rate)
    buys, sells = _buys_and_sells(trades)
    cash = account.cash - cost
    cash += sum((q * account.prices[s] for s, q in sells.items()), ZERO)
    cash -= sum((q * account.prices[s] for s, q in buys.items()), ZERO)
    value = account.cash + sum(
        (lot.quantity * account.prices[lot.symbol] for lot in account.lots), ZERO
    )
    tax = short * account.rates["short"] + long * account.rates["long"] if account.taxable else ZERO
    return {
        "realized_short_term_gain": _money(short),
        "realized_long_term_gain": _money(long),
        "estimated_tax": _money(tax),
        "transaction_cost": _money(cost),
        "cash_after": _money(cash),
        "turnover": str((traded / value).quantize(Decimal("0.0001"))) if value else "0.0000",
    }


def violations(account: Account, trades: list[dict]) -> list[str]:
    """Every rule ``trades`` break, in words an advisor can read; empty when all hold."""
    figures = summarize(account, trades)
    short = to_decimal(figures["realized_short_term_gain"])
    return verify.violations(
        case=account.typed,
        trades=[_trade(account, trade) for trade in trades],
        cash_after=to_decimal(figures["cash_after"]),
        short_gain=short,
        total_gain=short + to_decimal(figures["realized_long_term_gain"]),
    )


def _trade(account: Account, trade: dict) -> Trade:
    """A trade of the proposal as the optimizer's ``Trade``; its value is unrounded."""
    quantity, price = to_decimal(trade["quantity"]), account.prices[trade["symbol"]]
    return Trade(
        symbol=trade["symbol"],
        side=trade["side"],
        quantity=quantity,
        price=price,
        value=quantity * price,
        reasons=(),
        lots=tuple(
            LotRelief(
                lot=lot["lot"],
                quantity=to_decimal(lot["quantity"]),
                cost_basis=to_decimal(lot.get("cost_basis")),
                gain=to_decimal(lot["gain"]),
                term=lot.get("term", ""),
            )
            for lot in trade.get("lots") or []
        ),
    )
