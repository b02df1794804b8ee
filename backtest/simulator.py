"""Run one account through the test under one policy: trades, lots, cash flows and taxes.

Each trading day, in order: the account is funded (entry day) or receives its cash flow
(a contribution is credited; a withdrawal becomes a cash need); taxes of the previous
year are settled on the first trading day on or after 15 April (a tax due becomes a cash
need, a negative tax is credited: with full loss use losses offset the investor's other
gains at the same rates, with realistic use they go through Schedule D, see
`backtest.taxes`); the policy trades at the day's close; cash needs are paid out of
cash. On the last day every unsettled year is settled and no policy trades.

Executions are at the close (to 4 decimals per share, so a stock that has fallen to
pennies keeps a price), amounts rounded to cents, whole shares. Transaction costs
(`cost_bps` of the traded value) are charged to cash and not to the lots' basis or
proceeds, which is also how the optimizer values a lot's gain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from backtest.accounts import AccountSpec, TargetModel
from backtest.ledger import Ledger, Realized
from backtest.prices import PriceHistory
from backtest.taxes import FULL, year_taxes
from tax_calendar.holding import is_long_term


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
    contributed_today: bool = False
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
        _settle_taxes(state=state, run=run, settled=settled, t=t, day=day, settings=settings)
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
        if t == n - 1:
            _settle_taxes(
                state=state,
                run=run,
                settled=settled,
                t=t,
                day=day,
                settings=settings,
                final=True,
            )
        orders = [] if market.is_last else policy.orders(state=state, market=market)
        _execute(state=state, run=run, market=market, orders=orders, settings=settings)
        _pay_needs(state=state, run=run, t=t)
        held = state.quantities(symbols=history.symbols)
        run.value_usd[t] = state.cash_usd + float(np.nansum(held * prices))
    run.realized = state.ledger.realized
    run.liquidation_short_usd, run.liquidation_long_usd = _liquidation_gains(
        state=state, history=history, day=history.days[-1]
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
    state.contributed_today = False
    amount = spec.initial_usd if t == spec.entry else spec.flows_usd.get(t, 0.0)
    if amount > 0:
        state.cash_usd += amount
        state.contributed_today = True
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
    final: bool = False,
) -> None:
    """Tax year Y is settled from 15 April of Y + 1 (every open year on the last day), as
    `settings.loss_use` has it (see `backtest.taxes`): a tax due becomes a cash need, a
    negative tax (a refund, or what a deducted loss saves) is credited to the account."""
    rows = state.ledger.realized
    if not rows:
        return
    due = day.year if final else day.year - (1 if (day.month, day.day) >= (4, 15) else 2)
    years = range(rows[0].sold.year, due + 1)
    if all(year in settled for year in years):
        return
    taxes = year_taxes(
        rows=rows,
        years=years,
        short_term_rate=settings.rates.short_term,
        long_term_rate=settings.rates.long_term,
        loss_use=settings.loss_use,
        other_gains_usd=settings.other_gains_usd,
    )
    for year in years:
        if year in settled:
            continue
        settled.add(year)
        tax = taxes.by_year[year]
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
        held = state.ledger.quantity(symbol=order.symbol)
        qty = min(order.quantity, held)
        if qty <= 0:
            continue
        price = float(market.prices[index[order.symbol]])
        amount = round(qty * price, 2)
        txn_id = f"{spec.id}-{market.t}-S-{order.symbol}"
        picks = list(order.lots) if order.lots else None
        state.ledger.sell(
            txn_id=txn_id,
            day=market.day,
            symbol=order.symbol,
            quantity=qty,
            proceeds=amount,
            picks=picks,
        )
        state.cash_usd += amount - round(amount * cost_rate, 2)
        run.sold_usd[market.t] += amount
        run.breaches += order.symbol in spec.do_not_sell
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


def _liquidation_gains(
    *, state: AccountState, history: PriceHistory, day: date
) -> tuple[float, float]:
    """(short-term, long-term) gain that selling every open lot at the last close would
    realize (negative: a loss); its tax at full loss use is the rates times these."""
    index = {s: i for i, s in enumerate(history.symbols)}
    last = history.prices[-1]
    short = long = 0.0
    for piece in state.ledger.pieces():
        gain = piece.quantity * float(last[index[piece.symbol]]) - piece.basis
        if is_long_term(start=piece.hp_start, sold=day):
            long += gain
        else:
            short += gain
    return round(short, 2), round(long, 2)
