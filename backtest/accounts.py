"""The accounts of a back-test and the model they follow.

Every account follows one model: a market-cap index of the price universe (weights move
with prices, so an account that never trades stays on it), `invested` of the account in
stocks and the rest in cash. Accounts enter on different days, so their lots differ;
they receive monthly contributions and pay occasional withdrawals; some carry a client
restriction (a stock never to buy, or a legacy stock never to sell).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from backtest.prices import TRADING_DAYS_PER_YEAR, PriceHistory


@dataclass(frozen=True)
class AccountSpec:
    """One simulated taxable account.

    `entry`: index of the day it is funded with `initial_usd`. `flows_usd`: day index ->
    contribution (positive) or withdrawal request (negative). `do_not_buy` /
    `do_not_sell`: symbols under that client restriction for the whole test.
    """

    id: str
    entry: int
    initial_usd: float
    flows_usd: dict[int, float] = field(default_factory=dict)
    do_not_buy: tuple[str, ...] = ()
    do_not_sell: tuple[str, ...] = ()


class TargetModel(Protocol):
    """What accounts track: the target weights on day `t` with these prices."""

    def weights(self, *, prices: np.ndarray, t: int | None = None) -> np.ndarray: ...


@dataclass(frozen=True)
class Model:
    """Index weights: `weight(t)[i]` = invested * cap_i(t) / sum of listed caps, where
    cap_i(t) = base_cap_i * price_i(t) / price_i(listing)."""

    base_cap: np.ndarray
    listing_price: np.ndarray
    invested: float

    def weights(self, *, prices: np.ndarray, t: int | None = None) -> np.ndarray:
        """Target weights on a day with these prices (0 for an unlisted symbol); the
        day's index `t` is not needed."""
        cap = np.where(np.isfinite(prices), self.base_cap * prices / self.listing_price, 0.0)
        total = cap.sum()
        return cap / total * self.invested if total > 0 else cap


def cap_weighted_model(*, history: PriceHistory, seed: int, invested: float = 0.99) -> Model:
    """Lognormal starting caps (a few large names, a long tail, as in a real index)."""
    rng = np.random.default_rng(seed + 7919)
    base = rng.lognormal(0.0, 1.0, size=len(history.symbols))
    first = np.argmax(np.isfinite(history.prices), axis=0)
    listing = history.prices[first, np.arange(len(history.symbols))]
    return Model(base_cap=base, listing_price=listing, invested=invested)


@dataclass(frozen=True)
class FlowSettings:
    """How accounts are funded and drawn down.

    `entry_span`: fraction of the test over which entries are spread (0: all on day 0).
    Each month an account contributes `monthly_contribution` of its initial value with
    probability `contribution_probability`; each year it withdraws
    `yearly_withdrawal` of its initial value with probability `withdrawal_probability`.
    `restricted_share`: share of accounts given one do-not-buy and one do-not-sell stock.
    """

    entry_span: float = 0.2
    monthly_contribution: float = 0.005
    contribution_probability: float = 0.5
    yearly_withdrawal: float = 0.04
    withdrawal_probability: float = 0.5
    restricted_share: float = 0.2
    initial_median_usd: float = 1_000_000.0


def make_accounts(
    *, history: PriceHistory, n_accounts: int, seed: int, flows: FlowSettings | None = None
) -> tuple[AccountSpec, ...]:
    """`n_accounts` accounts, seeded; see `FlowSettings` for what varies between them."""
    cfg = flows or FlowSettings()
    rng = np.random.default_rng(seed + 104729)
    last_entry = int(cfg.entry_span * (history.n_days - 1))
    month_starts = _month_starts(history=history)
    accounts = []
    for k in range(n_accounts):
        entry = int(rng.integers(0, last_entry + 1)) if last_entry > 0 else 0
        initial = float(cfg.initial_median_usd * rng.lognormal(0.0, 0.5))
        flows_usd: dict[int, float] = {}
        for t in month_starts:
            if t > entry and rng.random() < cfg.contribution_probability:
                flows_usd[t] = round(initial * cfg.monthly_contribution, 2)
        for t in range(entry + TRADING_DAYS_PER_YEAR // 2, history.n_days, TRADING_DAYS_PER_YEAR):
            if rng.random() < cfg.withdrawal_probability:
                flows_usd[t] = flows_usd.get(t, 0.0) - round(initial * cfg.yearly_withdrawal, 2)
        do_not_buy: tuple[str, ...] = ()
        do_not_sell: tuple[str, ...] = ()
        if rng.random() < cfg.restricted_share and len(history.symbols) >= 4:
            picks = rng.choice(len(history.symbols), size=2, replace=False)
            do_not_buy = (history.symbols[picks[0]],)
            do_not_sell = (history.symbols[picks[1]],)
        accounts.append(
            AccountSpec(
                id=f"ACC-{k + 1:03d}",
                entry=entry,
                initial_usd=round(initial, 2),
                flows_usd=flows_usd,
                do_not_buy=do_not_buy,
                do_not_sell=do_not_sell,
            )
        )
    return tuple(accounts)


def _month_starts(*, history: PriceHistory) -> list[int]:
    """Indices of the first trading day of each month after the first."""
    return [
        t for t in range(1, history.n_days) if history.days[t].month != history.days[t - 1].month
    ]
