"""The account's rules applied to a list of trades, in decimals: the one rule checker.

The optimizer checks its own answer with it before returning one (it never returns an
`optimal` answer that fails it), and an advisor's edited proposal is checked with it
(`trading.proposal_checks` converts the stored proposal and calls :func:`violations`).
The rules: whole shares unless fractional, a positive quantity, the minimum trade (a sale
that closes the position is exempt), restrictions, screens and substitutions, no selling
more than is held or than a lot holds, the wash-sale rule both ways, the cash floor and
the gain caps. Each broken rule is one sentence an advisor can read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from money import ZERO
from optimizer.rules import active_restrictions, recent_groups, screened_symbols
from optimizer.types import Case, Trade
from tax_calendar.wash_sale import WASH_SALE_WINDOW_DAYS

BUY_RESTRICTIONS = ("do_not_buy", "hold")
SELL_RESTRICTIONS = ("do_not_sell", "hold")


@dataclass(frozen=True)
class _Facts:
    case: Case
    restricted: dict[str, str]
    screened: frozenset[str]
    substituted: frozenset[str]
    loss_sale_groups: set[str]
    recent_buy_groups: set[str]
    held: dict[str, Decimal]
    lot_qty: dict[str, Decimal]

    def group(self, symbol: str) -> str:
        return self.case.securities.group_of(symbol)


def _facts(case: Case) -> _Facts:
    lots = case.lots
    return _Facts(
        case=case,
        restricted=active_restrictions(case=case),
        screened=screened_symbols(case=case),
        substituted=frozenset(sub.from_symbol for sub in case.preferences.substitutions),
        loss_sale_groups=recent_groups(case=case, events=case.recent_loss_sales),
        recent_buy_groups=recent_groups(case=case, events=case.recent_buys),
        held=lots.held_by_symbol,
        lot_qty=lots.quantity_by_id,
    )


def violations(
    *,
    case: Case,
    trades: Sequence[Trade],
    cash_after: Decimal,
    short_gain: Decimal,
    total_gain: Decimal,
) -> list[str]:
    """Every rule ``trades`` break on ``case``'s account, in words (empty when none).

    ``cash_after``, ``short_gain`` and ``total_gain`` (net realized gains) are the
    trades' figures; a sale's ``lots`` are the lots it relieves, with their gains.
    """
    facts = _facts(case)
    buys: dict[str, Decimal] = {}
    sells: dict[str, Decimal] = {}
    for trade in trades:
        side = buys if trade.side == "buy" else sells
        side[trade.symbol] = side.get(trade.symbol, ZERO) + trade.quantity
    found = [p for trade in trades for p in _quantity_problems(case=case, trade=trade, facts=facts)]
    found += [p for symbol in buys for p in _buy_problems(symbol=symbol, facts=facts)]
    found += [
        p
        for symbol, quantity in sells.items()
        for p in _sell_problems(symbol=symbol, quantity=quantity, facts=facts)
    ]
    found += [p for trade in trades for p in _relief_problems(trade=trade, facts=facts)]
    bought_groups = {facts.group(symbol) for symbol in buys}
    if case.tax_status == "taxable":
        found += [p for trade in trades for p in _wash_problems(trade, facts, bought_groups)]
    return found + _account_problems(
        case=case, cash_after=cash_after, short_gain=short_gain, total_gain=total_gain
    )


def _quantity_problems(*, case: Case, trade: Trade, facts: _Facts) -> list[str]:
    trading = case.preferences.trading
    symbol, quantity = trade.symbol, trade.quantity
    found = []
    if quantity <= 0:
        found.append(f"{symbol}: the quantity must be positive")
    if not trading.fractional_shares and quantity != quantity.to_integral_value():
        found.append(f"{symbol}: this account trades whole shares only")
    closes = trade.side == "sell" and quantity == facts.held.get(symbol, ZERO)
    if trade.value < trading.min_trade_value and not closes:
        found.append(
            f"{symbol}: ${trade.value:,.2f} is below the minimum trade of "
            f"${trading.min_trade_value:,.2f}"
        )
    return found


def _buy_problems(*, symbol: str, facts: _Facts) -> list[str]:
    found = []
    if facts.restricted.get(symbol) in BUY_RESTRICTIONS:
        found.append(f"{symbol} is restricted from buying")
    if symbol in facts.screened:
        found.append(f"{symbol} is excluded by a screen")
    if symbol in facts.substituted:
        found.append(f"{symbol} is substituted away and may not be bought")
    if facts.group(symbol) in facts.loss_sale_groups:
        found.append(
            f"buying {symbol} would be a wash sale: its group was sold at a loss "
            f"within {WASH_SALE_WINDOW_DAYS} days"
        )
    return found


def _sell_problems(*, symbol: str, quantity: Decimal, facts: _Facts) -> list[str]:
    found = []
    if facts.restricted.get(symbol) in SELL_RESTRICTIONS:
        found.append(f"{symbol} is restricted from selling")
    held = facts.held.get(symbol, ZERO)
    if quantity > held:
        found.append(f"{symbol}: selling {quantity} but only {held} is held")
    return found


def _relief_problems(*, trade: Trade, facts: _Facts) -> list[str]:
    """A sale's lots must add up to it, each no more than the lot holds."""
    if trade.side != "sell":
        return []
    relieved = sum((relief.quantity for relief in trade.lots), ZERO)
    found = []
    if relieved != trade.quantity:
        found.append(f"{trade.symbol}: the lots sold add up to {relieved}, not {trade.quantity}")
    for relief in trade.lots:
        held = facts.lot_qty.get(relief.lot, ZERO)
        if relief.quantity > held:
            found.append(f"lot {relief.lot}: selling {relief.quantity} but it holds {held}")
    return found


def _wash_problems(trade: Trade, facts: _Facts, bought_groups: set[str]) -> list[str]:
    """In a taxable account, no loss sale of a group bought within the window or now."""
    if trade.side != "sell" or not any(relief.gain < 0 for relief in trade.lots):
        return []
    group = facts.group(trade.symbol)
    found = []
    if group in facts.recent_buy_groups:
        found.append(
            f"selling {trade.symbol} at a loss would be a wash sale: "
            f"bought within {WASH_SALE_WINDOW_DAYS} days"
        )
    if group in bought_groups:
        found.append(f"selling {trade.symbol} at a loss while buying its group is a wash sale")
    return found


def _account_problems(
    *, case: Case, cash_after: Decimal, short_gain: Decimal, total_gain: Decimal
) -> list[str]:
    cash, tax = case.preferences.cash, case.preferences.tax
    floor = cash.min + cash.withdrawal
    found = []
    if cash_after < floor:
        found.append(
            f"cash after trades ${cash_after:,.2f} is below the "
            f"${floor:,.2f} needed (minimum plus withdrawal)"
        )
    if tax.max_realized_gain is not None and total_gain > tax.max_realized_gain:
        found.append(
            f"net realized gain ${total_gain:,.2f} exceeds the cap of ${tax.max_realized_gain:,.2f}"
        )
    if tax.max_short_term_gain is not None and short_gain > tax.max_short_term_gain:
        found.append(
            f"net short-term gain ${short_gain:,.2f} exceeds the cap of "
            f"${tax.max_short_term_gain:,.2f}"
        )
    return found
