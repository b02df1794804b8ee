"""The two rule-based policies the product is measured against.

- `BuyAndHold`: invests at the model's weights on entry and when cash comes in, sells
  pro rata (FIFO) to pay cash needs, and otherwise never trades.
- `ActionForward`: how accounts are run by hand, one action at a time. Each quarter end
  it rebalances every stock to the model if the account's drift exceeds the band (5 %);
  once a year, on the first trading day from 15 December, a separate loss harvest sells
  every position standing at a loss of more than `harvest_loss` of its basis and puts the
  proceeds into the rest of the model; new cash is invested when it arrives and cash
  needs are raised pro rata. Lots are relieved FIFO. Its trading system keeps client
  restrictions and does not buy back a stock within 30 days of selling it at a loss, but
  no action looks at another's taxes.

Drift is the contract's: half the sum over stocks and cash of |actual - target weight|.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from backtest.simulator import AccountState, Market, Order
from tax_calendar.wash_sale import window_start

MIN_INVEST_USD = 100.0


def holdings(*, state: AccountState, market: Market) -> tuple[np.ndarray, np.ndarray, float]:
    """Shares and market values per symbol, and the account value (cash included)."""
    qty = state.quantities(symbols=market.symbols)
    values = np.nan_to_num(qty * market.prices)
    return qty, values, state.cash_usd + float(values.sum())


def drift(*, state: AccountState, market: Market) -> float:
    """Half the sum of |actual - target| over stocks and cash (0: on target)."""
    _, values, total = holdings(state=state, market=market)
    if total <= 0:
        return 0.0
    weights = values / total
    cash_gap = abs(state.cash_usd / total - (1.0 - market.target.sum()))
    return 0.5 * (float(np.abs(weights - market.target).sum()) + float(cash_gap))


def invest_cash(
    *, state: AccountState, market: Market, blocked: set[str], budget_usd: float | None = None
) -> list[Order]:
    """Buy the model's stocks in proportion to their weights with the cash above the
    model's cash weight and the account's cash needs (or with `budget_usd`)."""
    _, _, total = holdings(state=state, market=market)
    if budget_usd is None:
        keep = state.need_usd + (1.0 - market.target.sum()) * total
        budget_usd = state.cash_usd - keep
    if budget_usd < MIN_INVEST_USD:
        return []
    weights = _allowed(market=market, blocked=blocked)
    if weights.sum() <= 0:
        return []
    spend = budget_usd / 1.001 * weights / weights.sum()
    qty = np.floor(np.nan_to_num(spend / market.prices))
    return [
        Order(symbol=market.symbols[i], side="buy", quantity=float(qty[i]))
        for i in np.flatnonzero(qty > 0)
    ]


def raise_cash(*, state: AccountState, market: Market, blocked: set[str]) -> list[Order]:
    """Sell every sellable position pro rata (FIFO) to cover the cash need, with 1 % spare."""
    short = state.need_usd - state.cash_usd
    if short <= 0:
        return []
    qty, values, _ = holdings(state=state, market=market)
    sellable = np.array([s not in blocked for s in market.symbols]) & (qty > 0)
    pool = float(values[sellable].sum())
    if pool <= 0:
        return []
    fraction = min(1.0, short * 1.01 / pool)
    sell = np.where(sellable, np.minimum(qty, np.ceil(qty * fraction)), 0.0)
    return [
        Order(symbol=market.symbols[i], side="sell", quantity=float(sell[i]))
        for i in np.flatnonzero(sell > 0)
    ]


def _allowed(*, market: Market, blocked: set[str]) -> np.ndarray:
    keep = np.array([s not in blocked for s in market.symbols])
    return np.where(keep & np.isfinite(market.prices), market.target, 0.0)


class BuyAndHold:
    """Trades only to invest incoming cash and to pay cash needs."""

    name = "buy_and_hold"

    def orders(self, *, state: AccountState, market: Market) -> list[Order]:
        spec = state.spec
        if state.need_usd > state.cash_usd:
            return raise_cash(state=state, market=market, blocked=set(spec.do_not_sell))
        if state.cash_in_today:
            return invest_cash(state=state, market=market, blocked=set(spec.do_not_buy))
        return []


class ActionForward:
    """Quarterly rebalance inside drift bands, a December loss harvest, FIFO relief."""

    name = "action_forward"

    def __init__(
        self, *, days: tuple[date, ...], band: float = 0.05, harvest_loss: float = 0.02
    ) -> None:
        self.band = band
        self.harvest_loss = harvest_loss
        self.quarter_ends = {
            t
            for t in range(len(days) - 1)
            if days[t].month in (3, 6, 9, 12) and days[t + 1].month != days[t].month
        }
        self.harvest_days = {
            t
            for t in range(1, len(days))
            if days[t].month == 12
            and days[t].day >= 15
            and not (days[t - 1].month == 12 and days[t - 1].day >= 15)
        }
        self.loss_sales: list[tuple[date, str]] = []

    def orders(self, *, state: AccountState, market: Market) -> list[Order]:
        spec = state.spec
        since = window_start(sold=market.day)
        self.loss_sales = [e for e in state.ledger.loss_sales if e[0] >= since]
        no_buy = set(spec.do_not_buy) | {symbol for _, symbol in self.loss_sales}
        no_sell = set(spec.do_not_sell)
        if market.t in self.harvest_days:
            return self._harvest(state=state, market=market, no_buy=no_buy, no_sell=no_sell)
        if market.t in self.quarter_ends and drift(state=state, market=market) > self.band:
            return self._rebalance(state=state, market=market, no_buy=no_buy, no_sell=no_sell)
        if state.need_usd > state.cash_usd:
            return raise_cash(state=state, market=market, blocked=no_sell)
        if state.cash_in_today:
            return invest_cash(state=state, market=market, blocked=no_buy)
        return []

    def _harvest(
        self, *, state: AccountState, market: Market, no_buy: set[str], no_sell: set[str]
    ) -> list[Order]:
        """Sell whole positions at a loss beyond the threshold; reinvest in the rest."""
        qty, values, _ = holdings(state=state, market=market)
        basis = {s: 0.0 for s in market.symbols}
        for piece in state.ledger.pieces():
            basis[piece.symbol] += piece.basis
        orders, proceeds = [], 0.0
        for i, symbol in enumerate(market.symbols):
            if qty[i] <= 0 or symbol in no_sell:
                continue
            if values[i] < basis[symbol] * (1.0 - self.harvest_loss):
                orders.append(Order(symbol=symbol, side="sell", quantity=float(qty[i])))
                proceeds += float(values[i])
        if not orders:
            return []
        sold = {o.symbol for o in orders}
        budget = proceeds + state.cash_usd - state.need_usd
        budget -= (1.0 - market.target.sum()) * float(values.sum() + state.cash_usd)
        return orders + invest_cash(
            state=state, market=market, blocked=no_buy | sold, budget_usd=budget
        )

    def _rebalance(
        self, *, state: AccountState, market: Market, no_buy: set[str], no_sell: set[str]
    ) -> list[Order]:
        """Trade every stock to its model weight (whole shares), keeping the cash need."""
        qty, values, total = holdings(state=state, market=market)
        investable = total - state.need_usd
        want = np.floor(np.nan_to_num(market.target * investable / market.prices))
        can_buy = np.array([s not in no_buy for s in market.symbols])
        can_sell = np.array([s not in no_sell for s in market.symbols])
        want = np.where(can_buy, want, np.minimum(want, qty))
        want = np.where(can_sell, want, np.maximum(want, qty))
        delta = want - qty
        sells = [
            Order(symbol=market.symbols[i], side="sell", quantity=float(-delta[i]))
            for i in np.flatnonzero(delta < 0)
        ]
        cash_after = state.cash_usd + float(np.nansum(-delta[delta < 0] * market.prices[delta < 0]))
        buy_cost = float(np.nansum(delta[delta > 0] * market.prices[delta > 0])) * 1.001
        scale = min(1.0, max(0.0, cash_after - state.need_usd) / buy_cost) if buy_cost else 0.0
        buys = [
            Order(symbol=market.symbols[i], side="buy", quantity=float(np.floor(delta[i] * scale)))
            for i in np.flatnonzero(delta > 0)
            if np.floor(delta[i] * scale) > 0
        ]
        return sells + buys
