"""Run one account through the test under one policy: trades, lots, cash flows and taxes.

Each trading day, in order: the account is funded (entry day) or receives its cash flow
(a contribution is credited; a withdrawal becomes a cash need); a holding whose prices
have ended (a delisting: its price is NaN today after a close yesterday) is sold at its
last close, FIFO and without cost, and the policy may invest the proceeds as new cash
(every policy alike; a sale like any other for taxes, wash sales and turnover); taxes of
the previous year are settled on the first trading day on or after 15 April (a tax due
becomes a cash need, a negative tax is credited: with full loss use losses offset the
investor's other gains at the same rates, with realistic use they go through Schedule D,
see `backtest.taxes`); the policy trades at the day's close; cash needs are paid out of
cash. On the last day every unsettled year is settled and no policy trades.

Executions are at the close (to 4 decimals per share, so a stock that has fallen to
pennies keeps a price), amounts rounded to cents, whole shares. Transaction costs
(`cost_bps` of the traded value) are charged to cash and not to the lots' basis or
proceeds, which is also how the optimizer values a lot's gain.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from backtest.accounts import AccountSpec, TargetModel
from backtest.ledger import Ledger, Realized
from backtest.prices import PriceHistory
from backtest.taxes import FULL, taxes_due


@dataclass(frozen=True)
class TaxRates:
    short_term: float
    long_term: float


@dataclass(frozen=True)
class Order:
    """A trade a policy wants; `lots` (lot id, shares) is specific identification."""

    symbol: str
    side: str
    quantity: float
    lots: tuple[tuple[str, float], ...] | None = None


@dataclass
class AccountState:
    """What a policy may look at: the account, its lots and cash, and its cash need."""

    spec: AccountSpec
    ledger: Ledger
    cash_usd: float = 0.0
    tax_need_usd: float = 0.0
    client_need_usd: float = 0.0
    # cash came in today: a contribution, or the proceeds of a delisted holding
    cash_in_today: bool = False
    _held: tuple[Ledger, int, tuple[str, ...], np.ndarray] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def need_usd(self) -> float:
        return self.tax_need_usd + self.client_need_usd

    def quantities(self, *, symbols: tuple[str, ...]) -> np.ndarray:
        """Shares held of each of `symbols` (which must name every symbol held), read-only:
        kept while the ledger is unchanged (the day's value and the next night's case read
        the same holdings), and summed again only for the symbols it changed."""
        kept = self._held
        ledger = self.ledger
        if kept is not None and kept[0] is ledger and kept[2] is symbols:
            if kept[1] == ledger.revision:
                return kept[3]
            held = kept[3].copy()
            changed = [s for s, r in ledger.revisions.items() if r > kept[1]]
        else:
            held = np.zeros(len(symbols))
            changed = list(ledger.holdings)
        index = _positions(symbols)
        for symbol in changed:
            pieces = ledger.holdings.get(symbol)
            if pieces:
                held[index[symbol]] = sum(p.quantity for p in pieces)
            elif symbol in index:
                held[index[symbol]] = 0.0
        held.flags.writeable = False
        self._held = (ledger, ledger.revision, symbols, held)
        return held


@lru_cache(maxsize=8)
def _positions(symbols: tuple[str, ...]) -> dict[str, int]:
    return {s: i for i, s in enumerate(symbols)}


@dataclass(frozen=True)
class Market:
    """One day's view: prices (NaN unlisted), the model's weights, and whether this is a
    step day for policies that act on a schedule."""

    t: int
    day: date
    symbols: tuple[str, ...]
    sectors: tuple[str, ...]
    prices: np.ndarray
    target: np.ndarray
    is_step: bool
    is_last: bool


class Policy(Protocol):
    name: str

    def orders(self, *, state: AccountState, market: Market) -> list[Order]: ...


@dataclass
class AccountRun:
    """Daily series (NaN / 0 before entry) and the realized rows of one account."""

    account: str
    policy: str
    entry: int
    value_usd: np.ndarray
    external_flow_usd: np.ndarray
    tax_flow_usd: np.ndarray
    bought_usd: np.ndarray
    sold_usd: np.ndarray
    realized: list[Realized]
    liquidation_tax_usd: float
    unpaid_tax_usd: float = 0.0
    liquidation_short_usd: float = 0.0
    liquidation_long_usd: float = 0.0
    transactions: list[dict[str, Any]] = field(default_factory=list)
    engine: dict[str, Any] | None = None
    breaches: int = 0
    solver_failures: int = 0
    solves: int = 0


@dataclass(frozen=True)
class RunSettings:
    rates: TaxRates
    cost_bps: float
    wash_sale: bool = True
    keep_transactions: bool = False
    loss_use: str = FULL
    other_gains_usd: float = 0.0


def simulate(
    *,
    spec: AccountSpec,
    policy: Policy,
    history: PriceHistory,
    model: TargetModel,
    steps: np.ndarray,
    settings: RunSettings,
) -> AccountRun:
    """Run `spec` from its entry to the last day under `policy`; `steps[t]` marks the
    days a scheduled policy may act."""
    n = history.n_days
    run = AccountRun(
        account=spec.id,
        policy=policy.name,
        entry=spec.entry,
        value_usd=np.full(n, np.nan),
        external_flow_usd=np.zeros(n),
        tax_flow_usd=np.zeros(n),
        bought_usd=np.zeros(n),
        sold_usd=np.zeros(n),
        realized=[],
        liquidation_tax_usd=0.0,
    )
    state = AccountState(spec=spec, ledger=Ledger(wash_sale=settings.wash_sale))
    settled: set[int] = set()
    for t in range(spec.entry, n):
        day = history.days[t]
        prices = np.round(history.prices[t], 4)
        _cash_flow(state=state, run=run, t=t)
        market = Market(
            t=t,
            day=day,
            symbols=history.symbols,
            sectors=history.sectors,
            prices=prices,
            target=model.weights(prices=history.prices[t], t=t),
            is_step=bool(steps[t]) or t == spec.entry,
            is_last=t == n - 1,
        )
        last = history.prices[max(t - 1, 0)]
        _cash_out_delisted(state=state, run=run, market=market, last=last, settings=settings)
        _settle_taxes(
            state=state, run=run, settled=settled, t=t, day=day, settings=settings, final=t == n - 1
        )
        orders = [] if market.is_last else policy.orders(state=state, market=market)
        _execute(state=state, run=run, market=market, orders=orders, settings=settings)
        _pay_needs(state=state, run=run, t=t)
        held = state.quantities(symbols=history.symbols)
        run.value_usd[t] = state.cash_usd + float(np.nansum(held * prices))
    run.realized = state.ledger.realized
    run.liquidation_short_usd, run.liquidation_long_usd = state.ledger.unrealized_gains(
        prices=dict(zip(history.symbols, history.prices[-1].tolist(), strict=True)),
        day=history.days[-1],
    )
    run.liquidation_tax_usd = round(
        settings.rates.short_term * run.liquidation_short_usd
        + settings.rates.long_term * run.liquidation_long_usd,
        2,
    )
    run.unpaid_tax_usd = round(state.tax_need_usd, 2)
    run.solves = getattr(policy, "solves", 0)
    run.solver_failures = getattr(policy, "failures", 0)
    return run


def _cash_flow(*, state: AccountState, run: AccountRun, t: int) -> None:
    spec = state.spec
    state.cash_in_today = False
    amount = spec.initial_usd if t == spec.entry else spec.flows_usd.get(t, 0.0)
    if amount > 0:
        state.cash_usd += amount
        state.cash_in_today = True
        if t != spec.entry:
            run.external_flow_usd[t] += amount
    elif amount < 0:
        state.client_need_usd += -amount


def _settle_taxes(
    *,
    state: AccountState,
    run: AccountRun,
    settled: set[int],
    t: int,
    day: date,
    settings: RunSettings,
    final: bool,
) -> None:
    """The taxes falling due today (`backtest.taxes.taxes_due`), as `settings.loss_use` has
    them: a tax due becomes a cash need, a negative tax (a refund, or what a deducted loss
    saves) is credited to the account."""
    for tax in taxes_due(
        rows=state.ledger.realized,
        settled=settled,
        day=day,
        final=final,
        short_term_rate=settings.rates.short_term,
        long_term_rate=settings.rates.long_term,
        loss_use=settings.loss_use,
        other_gains_usd=settings.other_gains_usd,
    ):
        if tax > 0:
            state.tax_need_usd += tax
        else:
            state.cash_usd += -tax
            run.tax_flow_usd[t] += -tax


def _execute(
    *,
    state: AccountState,
    run: AccountRun,
    market: Market,
    orders: list[Order],
    settings: RunSettings,
) -> None:
    """Sales first, then purchases as far as cash (after costs) allows."""
    index = _positions(market.symbols)
    cost_rate = settings.cost_bps / 10_000.0
    spec = state.spec
    sells = [o for o in orders if o.side == "sell"]
    buys = [o for o in orders if o.side == "buy"]
    for order in sells:
        _sell(state=state, run=run, market=market, order=order, settings=settings)
    for order in buys:
        price = float(market.prices[index[order.symbol]])
        affordable = np.floor(max(0.0, state.cash_usd) / (price * (1 + cost_rate)))
        qty = float(min(order.quantity, affordable))
        if qty <= 0:
            continue
        amount = round(qty * price, 2)
        txn_id = f"{spec.id}-{market.t}-B-{order.symbol}"
        state.ledger.buy(
            txn_id=txn_id, day=market.day, symbol=order.symbol, quantity=qty, amount=amount
        )
        state.cash_usd -= amount + round(amount * cost_rate, 2)
        run.bought_usd[market.t] += amount
        run.breaches += order.symbol in spec.do_not_buy
        _record(
            run=run,
            settings=settings,
            txn_id=txn_id,
            market=market,
            order=order,
            qty=qty,
            amount=amount,
            picks=None,
        )


def _sell(
    *,
    state: AccountState,
    run: AccountRun,
    market: Market,
    order: Order,
    settings: RunSettings,
    forced: bool = False,
) -> None:
    """Sell up to the shares held at the market's price, less the cost; a `forced` sale
    (a delisting) costs nothing and breaches no client restriction."""
    qty = min(order.quantity, state.ledger.quantity(symbol=order.symbol))
    if qty <= 0:
        return
    amount = round(qty * float(market.prices[_positions(market.symbols)[order.symbol]]), 2)
    txn_id = f"{state.spec.id}-{market.t}-S-{order.symbol}"
    picks = list(order.lots) if order.lots else None
    state.ledger.sell(
        txn_id=txn_id,
        day=market.day,
        symbol=order.symbol,
        quantity=qty,
        proceeds=amount,
        picks=picks,
    )
    cost = 0.0 if forced else round(amount * (settings.cost_bps / 10_000.0), 2)
    state.cash_usd += amount - cost
    run.sold_usd[market.t] += amount
    run.breaches += not forced and order.symbol in state.spec.do_not_sell
    _record(
        run=run,
        settings=settings,
        txn_id=txn_id,
        market=market,
        order=order,
        qty=qty,
        amount=amount,
        picks=picks,
    )


def _cash_out_delisted(
    *, state: AccountState, run: AccountRun, market: Market, last: np.ndarray, settings: RunSettings
) -> None:
    """Sell every holding without a price today at `last`, its last close (see the
    module's docstring)."""
    held = state.quantities(symbols=market.symbols)
    gone = np.flatnonzero((held > 0) & ~np.isfinite(market.prices))
    if len(gone):
        at_last = replace(market, prices=np.round(last, 4))
        for i in gone.tolist():
            order = Order(symbol=market.symbols[i], side="sell", quantity=float(held[i]))
            _sell(state=state, run=run, market=at_last, order=order, settings=settings, forced=True)
        state.cash_in_today = True


def _record(
    *,
    run: AccountRun,
    settings: RunSettings,
    txn_id: str,
    market: Market,
    order: Order,
    qty: float,
    amount: float,
    picks: list[tuple[str, float]] | None,
) -> None:
    """Keep the transaction in the lot engine's input format (for the engine check)."""
    if not settings.keep_transactions:
        return
    txn: dict[str, Any] = {
        "id": txn_id,
        "date": market.day.isoformat(),
        "account": run.account,
        "type": order.side,
        "symbol": order.symbol,
        "quantity": f"{qty:.0f}",
        "amount": f"{amount:.2f}",
    }
    if picks:
        txn["lots"] = [{"lot": lot, "quantity": f"{q:.0f}"} for lot, q in picks]
    run.transactions.append(txn)


def _pay_needs(*, state: AccountState, run: AccountRun, t: int) -> None:
    """Pay taxes first, then the client's withdrawal, as far as cash allows."""
    tax = min(state.tax_need_usd, max(0.0, state.cash_usd))
    state.tax_need_usd -= tax
    state.cash_usd -= tax
    run.tax_flow_usd[t] -= tax
    client = min(state.client_need_usd, max(0.0, state.cash_usd))
    state.client_need_usd -= client
    state.cash_usd -= client
    run.external_flow_usd[t] -= client
