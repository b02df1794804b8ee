"""Gain harvesting: realize long-term gains up to the client's amount and buy the same
shares back, so their basis steps up (a client in the 0 % long-term bracket pays no tax
on them).

It runs after the rebalance, on the securities the answer leaves untouched: the room is
`harvest_gains_up_to` less the net long-term gain the answer already realizes, never
past the net gain cap or (at the long-term rate) the night's tax room. Lots are taken
long-term and at a gain, from the securities with the largest gain per dollar first
(the least trading per dollar of basis stepped up), each up to what the room leaves
(whole shares unless fractional).
A security qualifies when it may be sold and bought (restrictions, screens,
substitutions, a loss sale of its group in the last 30 days) and its group is not sold
at a loss in the answer (the purchase would wash that loss). Within a security, lots go
cheapest tax per share first (rule 7 of the contract; at a 0 % rate, the largest gain
per share first). The wash-sale rule never
binds a gain: a recent purchase of the group does not stop it. Each harvested security
is one sale and one purchase of the same quantity, both with reason `gain_harvest`; the
trading cost comes from cash, and nothing is harvested where the cash floor would break.
The answer with the harvest is checked by the rule checker like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

from money import CENT, ZERO, ZERO_CENTS, cents_half_up
from optimizer.output import SHARE_STEP, ratio
from optimizer.rules import active_restrictions, recent_groups, screened_symbols
from optimizer.tax_value import exact_tax
from optimizer.types import Case, LotRelief, OptimizeResult, ReasonDetail, Summary, Trade
from optimizer.verify import BUY_RESTRICTIONS, SELL_RESTRICTIONS, violations
from tax_calendar.holding import is_long_term

REASON_TEXT = "gain harvest: basis stepped up"
_BPS = Decimal("10000")


@dataclass(frozen=True)
class _Pick:
    lot: str
    symbol: str
    quantity: Decimal
    price: Decimal
    basis: Decimal
    gain: Decimal


def harvest_gains(result: OptimizeResult, *, case: Case) -> OptimizeResult:
    """`result` with long-term gains harvested up to the case's amount (unchanged when the
    case asks for none, the answer is not optimal, or nothing qualifies)."""
    tax = case.preferences.tax
    summary = result.summary
    if tax.harvest_gains_up_to is None or result.status != "optimal" or summary is None:
        return result
    if case.tax_status != "taxable" or result.cash_after is None:
        return replace(result, summary=replace(summary, gain_harvested=ZERO_CENTS))
    picks = _picks(case=case, result=result, room=_room(case=case, summary=summary))
    harvested = _with_picks(result, case=case, picks=picks)
    if harvested is None:
        return replace(result, summary=replace(summary, gain_harvested=ZERO_CENTS))
    return harvested


def _room(*, case: Case, summary: Summary) -> Decimal:
    tax = case.preferences.tax
    assert tax.harvest_gains_up_to is not None
    room = tax.harvest_gains_up_to - max(summary.realized_long_term_gain, ZERO)
    if tax.max_realized_gain is not None:
        net = summary.realized_short_term_gain + summary.realized_long_term_gain
        room = min(room, tax.max_realized_gain - net)
    if tax.max_tax is not None and tax.long_term_rate > 0:
        left = summary.tax_budget_left
        if left is None:
            left = tax.max_tax - max(summary.estimated_tax, ZERO)
        room = min(room, left / tax.long_term_rate)
    return max(room, ZERO)


def _qualifying(*, case: Case, result: OptimizeResult) -> set[str]:
    """Symbols the harvest may sell and buy back."""
    restricted = active_restrictions(case=case)
    screened = screened_symbols(case=case)
    substituted = {s.from_symbol for s in case.preferences.substitutions}
    loss_groups = recent_groups(case=case, events=case.recent_loss_sales)
    group_of = case.securities.group_of
    traded = {t.symbol for t in result.trades}
    washed = {
        group_of(t.symbol)
        for t in result.trades
        if t.side == "sell" and any(r.gain < 0 for r in t.lots)
    }
    return {
        symbol
        for symbol in case.securities.symbol.tolist()
        if symbol not in traded
        and restricted.get(symbol) not in (*SELL_RESTRICTIONS, *BUY_RESTRICTIONS)
        and symbol not in screened
        and symbol not in substituted
        and group_of(symbol) not in loss_groups
        and group_of(symbol) not in washed
    }


def _picks(*, case: Case, result: OptimizeResult, room: Decimal) -> list[_Pick]:
    prices = dict(zip(case.securities.symbol.tolist(), case.securities.price.tolist(), strict=True))
    allowed = _qualifying(case=case, result=result)
    whole = not case.preferences.trading.fractional_shares
    lots = case.lots
    candidates = []
    for index, (lot_id, symbol, quantity, basis, acquired) in enumerate(
        zip(
            lots.id.tolist(),
            lots.symbol.tolist(),
            lots.quantity.tolist(),
            lots.cost_basis.tolist(),
            lots.acquired.tolist(),
            strict=True,
        )
    ):
        price = prices[symbol]
        gain_per_share = price - basis / quantity
        if (
            symbol in allowed
            and gain_per_share > 0
            and is_long_term(start=acquired, sold=case.as_of)
        ):
            candidates.append((gain_per_share / price, index, lot_id, symbol, quantity, basis))
    best: dict[str, Decimal] = {}
    for share, _, _, symbol, _, _ in candidates:
        best[symbol] = max(best.get(symbol, share), share)
    rate = case.preferences.tax.long_term_rate
    candidates.sort(key=lambda c: (-best[c[3]], c[3], rate * c[0], -c[0], c[1]))
    picks = []
    for _, _, lot_id, symbol, quantity, basis in candidates:
        price = prices[symbol]
        gain_per_share = price - basis / quantity
        fits = min(quantity, room / gain_per_share)
        step = Decimal(1) if whole else SHARE_STEP
        fits = fits.quantize(step, ROUND_DOWN) if not whole else fits.to_integral_value(ROUND_DOWN)
        if fits <= 0:
            continue
        part_basis = cents_half_up(basis * fits / quantity)
        gain = cents_half_up(fits * price) - part_basis
        picks.append(_Pick(lot_id, symbol, fits, price, part_basis, gain))
        room -= gain
    return picks


def _with_picks(result: OptimizeResult, *, case: Case, picks: list[_Pick]) -> OptimizeResult | None:
    """The answer with the picks' trades added; None when there are none or a rule breaks."""
    summary, cash_after = result.summary, result.cash_after
    assert summary is not None and cash_after is not None
    trading = case.preferences.trading
    by_symbol: dict[str, list[_Pick]] = {}
    for pick in picks:
        by_symbol.setdefault(pick.symbol, []).append(pick)
    trades: list[Trade] = []
    cost = gain = traded = ZERO
    for symbol, of_symbol in by_symbol.items():
        quantity = sum((p.quantity for p in of_symbol), ZERO)
        price = of_symbol[0].price
        value = cents_half_up(quantity * price)
        if value < trading.min_trade_value:
            continue
        symbol_gain = sum((p.gain for p in of_symbol), ZERO)
        detail = ReasonDetail(code="gain_harvest", amount=symbol_gain, unit="USD", text=REASON_TEXT)
        reliefs = tuple(
            LotRelief(lot=p.lot, quantity=p.quantity, cost_basis=p.basis, gain=p.gain, term="long")
            for p in of_symbol
        )
        for side in ("sell", "buy"):
            trades.append(
                Trade(
                    symbol=symbol,
                    side=side,
                    quantity=quantity,
                    price=price,
                    value=value,
                    reasons=("gain_harvest",),
                    lots=reliefs if side == "sell" else (),
                    reason_details=(detail,),
                )
            )
        cost += (2 * value * trading.cost_bps / _BPS).quantize(CENT, ROUND_CEILING)
        gain += symbol_gain
        traded += 2 * value
    if not trades:
        return None
    return _checked(result, case=case, trades=trades, cost=cost, gain=gain, traded=traded)


def _checked(
    result: OptimizeResult,
    *,
    case: Case,
    trades: list[Trade],
    cost: Decimal,
    gain: Decimal,
    traded: Decimal,
) -> OptimizeResult | None:
    summary, cash_after = result.summary, result.cash_after
    assert summary is not None and cash_after is not None
    tax = case.preferences.tax
    all_trades = (*result.trades, *trades)
    long_gain = summary.realized_long_term_gain + gain
    total_gain = summary.realized_short_term_gain + long_gain
    cash = cash_after - cost
    if violations(
        case=case,
        trades=all_trades,
        cash_after=cash,
        short_gain=summary.realized_short_term_gain,
        total_gain=total_gain,
    ):
        return None
    turnover_before = summary.turnover
    account_value = _account_value(case)
    updated = replace(
        summary,
        realized_long_term_gain=long_gain,
        estimated_tax=cents_half_up(summary.estimated_tax + gain * tax.long_term_rate),
        transaction_cost=summary.transaction_cost + cost,
        turnover=ratio(turnover_before + traded / account_value)
        if account_value > 0
        else turnover_before,
        gain_harvested=gain,
    )
    exact = exact_tax(tax, short=updated.realized_short_term_gain, long=long_gain)
    if exact is not None:
        if exact.budget_left is not None and exact.budget_left < 0:
            return None
        updated = replace(
            updated,
            schedule_d_tax_after=cents_half_up(exact.after),
            tax_budget_left=None if exact.budget_left is None else cents_half_up(exact.budget_left),
        )
    return replace(result, trades=all_trades, cash_after=cash, summary=updated)


def _account_value(case: Case) -> Decimal:
    prices = dict(zip(case.securities.symbol.tolist(), case.securities.price.tolist(), strict=True))
    lots = case.lots
    return case.cash + sum(
        (q * prices[s] for s, q in zip(lots.symbol.tolist(), lots.quantity.tolist(), strict=True)),
        ZERO,
    )
