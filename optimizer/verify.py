"""A last check of an answer against the contract's hard invariants (1-6), in decimals.

The optimizer never returns an `optimal` answer that fails it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from money import ZERO
from optimizer.prepare import Prepared
from optimizer.rules import recent_groups
from optimizer.types import Trade


@dataclass(frozen=True)
class _Facts:
    held: dict[str, Decimal]
    lot_qty: dict[str, Decimal]
    bought_groups: set[str]
    no_buy_groups: set[str]
    no_loss_groups: set[str]
    index: dict[str, int]


def violations(
    *,
    prep: Prepared,
    trades: tuple[Trade, ...],
    cash_after: Decimal,
    short_gain: Decimal,
    total_gain: Decimal,
) -> list[str]:
    """Every hard invariant the answer breaks, in words (empty when none)."""
    case = prep.case
    held: dict[str, Decimal] = {}
    for lot in case.lots:
        held[lot.symbol] = held.get(lot.symbol, ZERO) + lot.quantity
    facts = _Facts(
        held=held,
        lot_qty={lot.id: lot.quantity for lot in case.lots},
        bought_groups={
            case.securities[t.symbol].identical_group for t in trades if t.side == "buy"
        },
        no_buy_groups=recent_groups(case=case, events=case.recent_loss_sales),
        no_loss_groups=recent_groups(case=case, events=case.recent_buys),
        index={symbol: i for i, symbol in enumerate(prep.symbols)},
    )
    problems = []
    for trade in trades:
        problems += _trade_problems(prep=prep, trade=trade, facts=facts)
        if trade.side == "sell":
            problems += _sale_problems(prep=prep, trade=trade, facts=facts)
    return problems + _account_problems(
        prep=prep, cash_after=cash_after, short_gain=short_gain, total_gain=total_gain
    )


def _trade_problems(*, prep: Prepared, trade: Trade, facts: _Facts) -> list[str]:
    """Invariants 1, 2, 4 and 6 for any trade."""
    case = prep.case
    whole = not case.preferences.trading.fractional_shares
    out = []
    if trade.quantity <= 0 or (whole and trade.quantity != trade.quantity.to_integral_value()):
        out.append(f"{trade.symbol}: quantity {trade.quantity}")
    if trade.side == "buy" and prep.buy_block[facts.index[trade.symbol]]:
        out.append(f"{trade.symbol}: bought against a rule")
    if trade.side == "buy" and case.securities[trade.symbol].identical_group in facts.no_buy_groups:
        out.append(f"{trade.symbol}: bought within 30 days of a loss sale")
    closes = trade.side == "sell" and trade.quantity == facts.held.get(trade.symbol, ZERO)
    if trade.value < case.preferences.trading.min_trade_value and not closes:
        out.append(f"{trade.symbol}: trade of {trade.value} under the minimum")
    return out


def _sale_problems(*, prep: Prepared, trade: Trade, facts: _Facts) -> list[str]:
    """Invariants 1, 2 and 6 for a sale and the lots it relieves."""
    case = prep.case
    group = case.securities[trade.symbol].identical_group
    out = []
    if prep.restricted.get(trade.symbol) in ("do_not_sell", "hold"):
        out.append(f"{trade.symbol}: sold against a restriction")
    relieved = sum((r.quantity for r in trade.lots), ZERO)
    if trade.quantity > facts.held.get(trade.symbol, ZERO) or relieved != trade.quantity:
        out.append(f"{trade.symbol}: lots do not add up")
    washing = group in facts.bought_groups or group in facts.no_loss_groups
    for relief in trade.lots:
        if relief.quantity > facts.lot_qty.get(relief.lot, ZERO):
            out.append(f"lot {relief.lot}: more than it holds")
        if case.tax_status == "taxable" and relief.gain < 0 and washing:
            out.append(f"lot {relief.lot}: wash sale")
    return out


def _account_problems(
    *, prep: Prepared, cash_after: Decimal, short_gain: Decimal, total_gain: Decimal
) -> list[str]:
    """Invariants 3 and 5."""
    case = prep.case
    out = []
    required = case.preferences.cash.min + case.preferences.cash.withdrawal
    if cash_after < required:
        out.append(f"cash after {cash_after} under {required}")
    tax = case.preferences.tax
    if tax.max_realized_gain is not None and total_gain > tax.max_realized_gain:
        out.append(f"net realized gain {total_gain} over its cap")
    if tax.max_short_term_gain is not None and short_gain > tax.max_short_term_gain:
        out.append(f"net short-term gain {short_gain} over its cap")
    return out
