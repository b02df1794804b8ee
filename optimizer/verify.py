"""A last check of an answer against the contract's hard invariants (1-6), in decimals.

The optimizer never returns an `optimal` answer that fails it.
"""

from __future__ import annotations

from decimal import Decimal

from optimizer.prepare import Prepared
from optimizer.rules import within_wash_window
from optimizer.types import Trade

ZERO = Decimal("0")


def violations(
    *,
    prep: Prepared,
    trades: tuple[Trade, ...],
    cash_after: Decimal,
    short_gain: Decimal,
    total_gain: Decimal,
) -> list[str]:
    case = prep.case
    problems = []
    held: dict[str, Decimal] = {}
    lot_qty = {lot.id: lot.quantity for lot in case.lots}
    for lot in case.lots:
        held[lot.symbol] = held.get(lot.symbol, ZERO) + lot.quantity
    whole = not case.preferences.trading.fractional_shares
    minimum = case.preferences.trading.min_trade_value
    bought_groups = {case.securities[t.symbol].identical_group for t in trades if t.side == "buy"}
    blocked_buy = {
        case.securities[e.symbol].identical_group
        for e in case.recent_loss_sales
        if within_wash_window(event=e.date, as_of=case.as_of)
    }
    blocked_loss = {
        case.securities[e.symbol].identical_group
        for e in case.recent_buys
        if within_wash_window(event=e.date, as_of=case.as_of)
    }
    index = {symbol: i for i, symbol in enumerate(prep.symbols)}
    for t in trades:
        group = case.securities[t.symbol].identical_group
        if t.quantity <= 0 or (whole and t.quantity != t.quantity.to_integral_value()):
            problems.append(f"{t.symbol}: quantity {t.quantity}")
        if t.side == "buy" and prep.buy_block[index[t.symbol]]:
            problems.append(f"{t.symbol}: bought against a rule")
        if t.side == "buy" and group in blocked_buy:
            problems.append(f"{t.symbol}: bought within 30 days of a loss sale")
        closes = t.side == "sell" and t.quantity == held.get(t.symbol, ZERO)
        if t.value < minimum and not closes:
            problems.append(f"{t.symbol}: trade of {t.value} under the minimum")
        if t.side != "sell":
            continue
        if prep.restricted.get(t.symbol) in ("do_not_sell", "hold"):
            problems.append(f"{t.symbol}: sold against a restriction")
        if (
            t.quantity > held.get(t.symbol, ZERO)
            or sum((r.quantity for r in t.lots), ZERO) != t.quantity
        ):
            problems.append(f"{t.symbol}: lots do not add up")
        for r in t.lots:
            if r.quantity > lot_qty.get(r.lot, ZERO):
                problems.append(f"lot {r.lot}: more than it holds")
            if (
                case.tax_status == "taxable"
                and r.gain < 0
                and (group in bought_groups or group in blocked_loss)
            ):
                problems.append(f"lot {r.lot}: wash sale")
    required = case.preferences.cash.min + case.preferences.cash.withdrawal
    if cash_after < required:
        problems.append(f"cash after {cash_after} under {required}")
    tax = case.preferences.tax
    if tax.max_realized_gain is not None and total_gain > tax.max_realized_gain:
        problems.append(f"net realized gain {total_gain} over its cap")
    if tax.max_short_term_gain is not None and short_gain > tax.max_short_term_gain:
        problems.append(f"net short-term gain {short_gain} over its cap")
    return problems
