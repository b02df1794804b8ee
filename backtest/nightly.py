"""The product's policy: on every step day, one holistic optimization of the account with
the real optimizer (`optimizer.api.optimize_account`), trades applied as it proposes them,
each sale relieving exactly the lots it chose (specific identification).

The case is built as the nightly run builds it: every listed stock the model or the
account holds (the same securities every day while the model keeps its names), the open
lots with their holding-period start, the model's weights, the client's restrictions, the
cash need as a withdrawal, and the account's purchases and loss sales of the last 30 days
so the optimizer keeps the wash-sale rule. With the rule switched off (a comparison only)
no history is passed. On real prices the case carries the risk model estimated for the day
and the tracking-error limit (`backtest.real`).

With realistic loss use the case also carries the filer's Schedule D position, as a firm
that knows its client's tax year feeds it (`preferences.tax.schedule_d`): the net
short- and long-term gains realized so far this year (deductible amounts: wash sales
applied), the losses carried into the year (through `lot_engine.schedule_d`, as the
simulation settles them), and the other gains the filer realizes elsewhere each year. The
optimizer then values a harvested loss at what it saves this filer (the rate of the gains
it offsets, the ordinary rate while the $3,000 deduction has room, a carried loss's
discounted worth beyond), not at the full short-term rate.

Every step day is solved: no pre-check skips an account. A sound one (no trade can lower
the objective) needs the optimizer's private objective weights, and on 100-stock daily
runs more than half of the account-days trade anyway, so it would save little.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

import numpy as np

from backtest.ledger import Realized
from backtest.nightly_lots import LotColumns
from backtest.simulator import AccountState, Market, Order, TaxRates
from backtest.taxes import FULL, REALISTIC, year_taxes
from optimizer.api import optimize_account
from optimizer.types import (
    Case,
    CashPreferences,
    Preferences,
    RecentBuy,
    RecentLossSale,
    Restriction,
    RiskModel,
    RiskPreferences,
    ScheduleDInputs,
    Securities,
    TaxPreferences,
    TradingPreferences,
)

logger = logging.getLogger(__name__)


class NightlyOptimizer:
    """Calls the optimizer on step days and on any day with a cash flow or cash need."""

    def __init__(
        self,
        *,
        name: str = "nightly_optimizer",
        rates: TaxRates,
        cost_bps: float,
        min_trade_usd: float,
        harvest_losses: bool = True,
        wash_sale: bool = True,
        risk: Callable[[int], RiskModel | None] | None = None,
        tracking_limit_pct: float | None = None,
        loss_use: str = FULL,
        other_gains_usd: float = 0.0,
    ) -> None:
        self.tax = TaxPreferences(
            short_term_rate=Decimal(str(rates.short_term)),
            long_term_rate=Decimal(str(rates.long_term)),
            harvest_losses=harvest_losses,
        )
        self.trading = TradingPreferences(
            min_trade_value=Decimal(str(min_trade_usd)),
            fractional_shares=False,
            cost_bps=Decimal(str(cost_bps)),
        )
        self.name = name
        self.risk = risk
        self.risk_preferences = RiskPreferences(
            tracking_error_limit_pct=None
            if tracking_limit_pct is None
            else Decimal(str(tracking_limit_pct))
        )
        self.wash_sale = wash_sale
        self.position = (
            TaxPosition(rates=rates, other_gains_usd=other_gains_usd)
            if loss_use == REALISTIC
            else None
        )
        self.solves = 0
        self.failures = 0
        self.statuses: Counter[str] = Counter()
        self._lots = LotColumns()
        self._symbols: tuple[str, ...] = ()
        self._symbol_column = self._sector_column = np.empty(0, dtype=object)
        self._target_kept: tuple[tuple[str, ...], np.ndarray, dict[str, Decimal]] | None = None

    def orders(self, *, state: AccountState, market: Market) -> list[Order]:
        if not (market.is_step or state.cash_in_today or state.need_usd > state.cash_usd):
            return []
        case = self.case(state=state, market=market)
        result = optimize_account(case, explain=False)
        self.solves += 1
        self.statuses[result.status] += 1
        if result.status != "optimal":
            self.failures += 1
            logger.warning("%s %s: %s %s", state.spec.id, market.day, result.status, result.message)
            return []
        return [
            Order(
                symbol=trade.symbol,
                side=trade.side,
                quantity=float(trade.quantity),
                lots=tuple((lot.lot.split("|")[0], float(lot.quantity)) for lot in trade.lots)
                or None,
            )
            for trade in result.trades
        ]

    def case(self, *, state: AccountState, market: Market) -> Case:
        """The optimizer's input for this account tonight."""
        spec = state.spec
        held = state.quantities(symbols=market.symbols)
        wanted = (market.target > 0) | (held > 0)
        securities = self._securities(
            market=market, listed=wanted & (market.prices == market.prices)
        )
        lots = self._lots.lots(ledger=state.ledger, symbols=market.symbols, prices=market.prices)
        restrictions = tuple(
            Restriction(symbol=s, type="do_not_buy") for s in spec.do_not_buy
        ) + tuple(Restriction(symbol=s, type="do_not_sell") for s in spec.do_not_sell)
        recent_buys: tuple[RecentBuy, ...] = ()
        recent_losses: tuple[RecentLossSale, ...] = ()
        if self.wash_sale:
            buys, losses = state.ledger.recent(day=market.day)
            # a symbol out of the case (neither in the model nor held) cannot be bought
            listed = set(securities.symbol.tolist())
            last_buy = {symbol: day for day, symbol in buys if symbol in listed}
            last_loss = {symbol: day for day, symbol in losses if symbol in listed}
            recent_buys = tuple(RecentBuy(symbol=s, date=d) for s, d in sorted(last_buy.items()))
            recent_losses = tuple(
                RecentLossSale(symbol=s, date=d) for s, d in sorted(last_loss.items())
            )
        return Case(
            account_id=spec.id,
            as_of=market.day,
            tax_status="taxable",
            cash=Decimal(f"{max(0.0, state.cash_usd):.2f}"),
            securities=securities,
            lots=lots,
            target=self._target(market=market),
            preferences=Preferences(
                tax=self.tax
                if self.position is None
                else replace(
                    self.tax,
                    schedule_d=self.position.inputs(realized=state.ledger.realized, day=market.day),
                ),
                restrictions=restrictions,
                cash=CashPreferences(withdrawal=Decimal(f"{state.need_usd:.2f}")),
                trading=self.trading,
                risk=self.risk_preferences,
            ),
            recent_buys=recent_buys,
            recent_loss_sales=recent_losses,
            risk_model=None if self.risk is None else self.risk(market.t),
        )

    def _securities(self, *, market: Market, listed: np.ndarray) -> Securities:
        """The `listed` securities at tonight's prices (symbol and sector columns kept)."""
        if market.symbols is not self._symbols:
            self._symbols = market.symbols
            self._symbol_column = np.array(market.symbols, dtype=object)
            self._sector_column = np.array(market.sectors, dtype=object)
        symbols = self._symbol_column[listed]
        return Securities.from_columns(
            symbol=symbols,
            price=[Decimal(f"{price:.4f}") for price in market.prices[listed].tolist()],
            asset_class=["us_equity"] * len(symbols),
            sector=self._sector_column[listed],
            identical_group=symbols,
        )

    def _target(self, *, market: Market) -> dict[str, Decimal]:
        """The model's weights, kept while they are the same (most nights)."""
        kept = self._target_kept
        if (
            kept is None
            or kept[0] is not market.symbols
            or not np.array_equal(kept[1], market.target)
        ):
            weights = market.target.tolist()
            kept = self._target_kept = (
                market.symbols,
                market.target.copy(),
                {
                    symbol: Decimal(f"{weight:.6f}")
                    for symbol, weight in zip(market.symbols, weights, strict=True)
                    if weight > 0
                },
            )
        return dict(kept[2])


class TaxPosition:
    """The filer's Schedule D position on a day, from the account's realized rows (in sale
    order): this year's net gains so far and the losses carried into the year."""

    def __init__(self, *, rates: TaxRates, other_gains_usd: float) -> None:
        self.rates = rates
        self.other = Decimal(f"{other_gains_usd:.2f}")
        self._year = 0
        self._seen = 0
        self._short = 0.0
        self._long = 0.0
        self._carried = (Decimal(0), Decimal(0))

    def inputs(self, *, realized: Sequence[Realized], day: date) -> ScheduleDInputs:
        if day.year != self._year:
            self._new_year(realized=realized, year=day.year)
        for row in realized[self._seen :]:
            if row.sold.year == self._year:
                if row.long_term:
                    self._long += row.deductible
                else:
                    self._short += row.deductible
        self._seen = len(realized)
        return ScheduleDInputs(
            realized_short_term=Decimal(f"{self._short:.2f}"),
            realized_long_term=Decimal(f"{self._long:.2f}"),
            expected_long_term=self.other,
            carryforward_short_term=self._carried[0],
            carryforward_long_term=self._carried[1],
        )

    def _new_year(self, *, realized: Sequence[Realized], year: int) -> None:
        before = [row for row in realized if row.sold.year < year]
        if before:
            first = min(row.sold.year for row in before)
            carried = year_taxes(
                rows=before,
                years=range(first, year),
                short_term_rate=self.rates.short_term,
                long_term_rate=self.rates.long_term,
                loss_use=REALISTIC,
                other_gains_usd=float(self.other),
            ).carried_out
            self._carried = (carried.short_term_usd, carried.long_term_usd)
        self._year = year
        self._seen = len(before)
        self._short = self._long = 0.0
