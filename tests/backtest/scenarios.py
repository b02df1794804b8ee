"""Small hand-made markets for the back-test's tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backtest import Scenario
from backtest.accounts import AccountSpec, cap_weighted_model
from backtest.prices import PriceHistory
from backtest.scenarios import NO_FLOWS
from backtest.simulator import AccountRun, Policy, RunSettings, TaxRates, simulate

RATES = TaxRates(short_term=0.35, long_term=0.15)
SETTINGS = RunSettings(rates=RATES, cost_bps=5.0, keep_transactions=True)


def falling_stock_market(*, n_days: int = 90, drop_from: int = 40, drop_to: int = 50):
    """Four flat stocks; FALL loses 40 % between `drop_from` and `drop_to`."""
    days = tuple(d.date() for d in pd.bdate_range(start=date(2024, 1, 2), periods=n_days))
    prices = np.tile(np.array([100.0, 50.0, 80.0, 120.0]), (n_days, 1))
    path = np.ones(n_days)
    path[drop_from:drop_to] = np.linspace(1.0, 0.6, drop_to - drop_from)
    path[drop_to:] = 0.6
    prices[:, 0] *= path
    return PriceHistory(
        days=days,
        symbols=("FALL", "PART1", "PART2", "PART3"),
        sectors=("Energy", "Energy", "Utilities", "Utilities"),
        prices=prices,
    )


def run_one(
    *,
    history: PriceHistory,
    policy: Policy,
    spec: AccountSpec | None = None,
    steps: np.ndarray | None = None,
) -> AccountRun:
    """One $1M account entering on day 0 (no flows), the optimizer stepping daily."""
    return simulate(
        spec=spec or AccountSpec(id="ACC-T", entry=0, initial_usd=1_000_000.0),
        policy=policy,
        history=history,
        model=cap_weighted_model(history=history, seed=3),
        steps=np.ones(history.n_days, dtype=bool) if steps is None else steps,
        settings=SETTINGS,
    )


def trade_days(run: AccountRun) -> set[int]:
    return {int(t) for t in np.flatnonzero((run.bought_usd > 0) | (run.sold_usd > 0))}


def real_scenario(*, prices: Path, tickers: Path, membership: Path, **changes: Any) -> Scenario:
    """One account of K = 10 on real-price files, stepped daily, a 1 %/yr limit, the
    wash-sale law applied, no cash flows; `changes` on top."""
    settings: dict[str, Any] = {
        "name": "tiny",
        "n_accounts": 1,
        "years": 1,
        "n_stocks": 10,
        "step": "daily",
        "prices_csv": str(prices),
        "tickers_csv": str(tickers),
        "membership_csv": str(membership),
        "tracking_limit_pct": 1.0,
        "wash_sale_law_applies": True,
        "flows": NO_FLOWS,
    }
    return Scenario(**(settings | changes))
