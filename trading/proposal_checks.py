"""Checking a trade list against an account's rules, outside the optimizer.

Pure Python over the optimizer's input format (``contracts/optimize.md``): when an advisor
edits a proposed quantity, the edited proposal is re-checked here against the same rules the
optimizer obeys (whole shares, holdings, restrictions, screens, substitutions, cash, minimum
trade, gain caps and the wash-sale rule), its sales are re-relieved lot by lot in the least
taxed order, and its figures are recomputed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from money import ZERO, cents_half_up, to_decimal
from tax_calendar.holding import is_long_term
from tax_calendar.wash_sale import window_start


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
    """The parts of one optimizer input that the checks need, with defaults applied."""

    def __init__(self, case: dict[str, Any]):
        self.case = case
        self.as_of = dt.date.fromisoformat(case["as_of"])
        self.taxable = case["account"].get("tax_status", "taxable") == "taxable"
        self.cash = to_decimal(case["account"].get("cash"))
        self.securities = case["securities"]
        self.prices = {s: to_decimal(v["price"]) for s, v in self.securities.items()}
        prefs = case.get("preferences") or {}
        tax = prefs.get("tax") or {}
        self.rates = {
            "short": to_decimal(tax.get("short_term_rate", "0.37")),
            "long": to_decimal(tax.get("long_term_rate", "0.20")),
        }
        self.max_gain = (
            None if tax.get("max_realized_gain") is None else to_decimal(tax["max_realized_gain"])
        )
        self.max_short = (
            None
            if tax.get("max_short_term_gain") is None
            else to_decimal(tax["max_short_term_gain"])
        )
        trading = prefs.get("trading") or {}
        self.min_trade = to_decimal(trading.get("min_trade_value"))
        self.fractional = bool(trading.get("fractional_shares", False))
        self.cost_rate = to_decimal(trading.get("cost_bps")) / Decimal(10000)
        cash = prefs.get("cash") or {}
        self.cash_floor = to_decimal(cash.get("min")) + to_decimal(cash.get("withdrawal"))
        self.restrictions = {(r["symbol"], r["type"]) for r in prefs.get("restrictions") or []}
        self.screens = [(s["field"], s["value"]) for s in prefs.get("screens") or []]
        self.substituted = {s["from"] for s in prefs.get("substitutions") or []}
        wash = case.get("wash_sale") or {}
        since = window_start(sold=self.as_of)
        self.loss_sale_groups = {
            self.group(e["symbol"])
            for e in wash.get("recent_loss_sales") or []
            if dt.date.fromisoformat(e["date"]) >= since
        }
        self.recent_buy_groups = {
            self.group(e["symbol"])
            for e in wash.get("recent_buys") or []
            if dt.date.fromisoformat(e["date"]) >= since
        }
        self.lots = [self._lot(lot) for lot in case.get("lots") or []]

    def group(self, symbol: str) -> str:
        return (self.securities.get(symbol) or {}).get("identical_group") or symbol

    def _lot(self, lot: dict) -> LotInfo:
        quantity = to_decimal(lot["quantity"])
        basis = to_decimal(lot["cost_basis"]) / quantity
        acquired = dt.date.fromisoformat(lot["acquired"])
        term = "long" if is_long_term(start=acquired, sold=self.as_of) else "short"
        gain = self.prices[lot["symbol"]] - basis
        rate = self.rates[term] if self.taxable else ZERO
        return LotInfo(lot["id"], lot["symbol"], quantity, basis, term, gain * rate)

    def held(self, symbol: str) -> Decimal:
        return sum((lot.quantity for lot in self.lots if lot.symbol == symbol), ZERO)

    def screened(self, symbol: str) -> bool:
        info = self.securities.get(symbol) or {}
        return any(
            (field == "symbol" and symbol == value) or (info.get(field) == value)
            for field, value in self.screens
        )


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
                "quantity": str(take.normalize()),
                "cost_basis": _money(basis),
                "gain": _money(price * take - basis),
                "term": lot.term,
            }
        )
        left -= take
    if left > 0:
        raise ValueError(f"only {quantity - left} of {quantity} {symbol} may be sold")
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
    found: list[str] = []
    buys, sells = _buys_and_sells(trades)
    for trade in trades:
        symbol, quantity = trade["symbol"], to_decimal(trade["quantity"])
        if quantity <= 0:
            found.append(f"{symbol}: the quantity must be positive")
        if not account.fractional and quantity != quantity.to_integral_value():
            found.append(f"{symbol}: this account trades whole shares only")
        value = quantity * account.prices[symbol]
        closes = trade["side"] == "sell" and quantity == account.held(symbol)
        if value < account.min_trade and not closes:
            found.append(
                f"{symbol}: ${value:,.2f} is below the minimum trade of ${account.min_trade:,.2f}"
            )
    for symbol in buys:
        if {(symbol, "do_not_buy"), (symbol, "hold")} & account.restrictions:
            found.append(f"{symbol} is restricted from buying")
        if account.screened(symbol):
            found.append(f"{symbol} is excluded by a screen")
        if symbol in account.substituted:
            found.append(f"{symbol} is substituted away and may not be bought")
        if account.group(symbol) in account.loss_sale_groups:
            found.append(
                f"buying {symbol} would be a wash sale: its group was sold at a loss within 30 days"
            )
    bought_groups = {account.group(s) for s in buys}
    for symbol, quantity in sells.items():
        if {(symbol, "do_not_sell"), (symbol, "hold")} & account.restrictions:
            found.append(f"{symbol} is restricted from selling")
        if quantity > account.held(symbol):
            found.append(f"{symbol}: selling {quantity} but only {account.held(symbol)} is held")
    for trade in trades:
        if trade["side"] != "sell" or not account.taxable:
            continue
        group = account.group(trade["symbol"])
        at_loss = any(to_decimal(lot["gain"]) < 0 for lot in trade.get("lots") or [])
        if at_loss and group in account.recent_buy_groups:
            found.append(
                f"selling {trade['symbol']} at a loss would be a wash sale: bought within 30 days"
            )
        if at_loss and group in bought_groups:
            found.append(
                f"selling {trade['symbol']} at a loss while buying its group is a wash sale"
            )
    figures = summarize(account, trades)
    if to_decimal(figures["cash_after"]) < account.cash_floor:
        found.append(
            f"cash after trades ${to_decimal(figures['cash_after']):,.2f} is below the "
            f"${account.cash_floor:,.2f} needed (minimum plus withdrawal)"
        )
    short = to_decimal(figures["realized_short_term_gain"])
    net = short + to_decimal(figures["realized_long_term_gain"])
    if account.max_gain is not None and net > account.max_gain:
        found.append(f"net realized gain ${net:,.2f} exceeds the cap of ${account.max_gain:,.2f}")
    if account.max_short is not None and short > account.max_short:
        found.append(
            f"net short-term gain ${short:,.2f} exceeds the cap of ${account.max_short:,.2f}"
        )
    return found
