"""What the back-test measures, per policy, from the accounts' daily series.

Returns are time-weighted, so contributions and withdrawals do not count as performance:
the return of day t is (V_t - F_t) / V_{t-1} - 1, V the account value after the day's
trades and flows, F the day's external flow. For the *pre-tax* return, tax payments and
refunds count as external flows (as if paid from outside); for the *after-tax* return
they do not (they leave the account, so they cost performance). Figures are averages over
accounts of per-account annualized figures, each account from its entry to the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from backtest.prices import TRADING_DAYS_PER_YEAR, PriceHistory
from backtest.simulator import AccountRun


def daily_returns(*, run: AccountRun, after_tax: bool) -> np.ndarray:
    """Time-weighted daily returns from the day after entry (NaN before)."""
    value = run.value_usd
    flow = run.external_flow_usd if after_tax else run.external_flow_usd + run.tax_flow_usd
    out = np.full(len(value), np.nan)
    prev = value[run.entry : -1]
    out[run.entry + 1 :] = (value[run.entry + 1 :] - flow[run.entry + 1 :]) / prev - 1.0
    return out


def annualized(*, returns: np.ndarray, final_factor: float = 1.0) -> float:
    """Geometric annual rate of a daily return series (NaNs skipped); `final_factor`
    scales the final value (e.g. after paying the liquidation tax)."""
    live = returns[np.isfinite(returns)]
    if len(live) == 0:
        return 0.0
    growth = float(np.prod(1.0 + live)) * final_factor
    return float(growth ** (TRADING_DAYS_PER_YEAR / len(live))) - 1.0


def final_factors(*, run: AccountRun) -> tuple[float, float]:
    """Final-value factors (without, with liquidation): any tax still due is paid; with
    liquidation, the tax of selling every lot on the last day is paid too."""
    value = float(run.value_usd[-1])
    if value <= 0:
        return 1.0, 1.0
    kept = value - run.unpaid_tax_usd
    return kept / value, (kept - run.liquidation_tax_usd) / value


def model_returns(*, history: PriceHistory, weights: np.ndarray) -> np.ndarray:
    """Daily return of the model itself: yesterday's weights times today's stock returns
    (cash earns nothing). `weights[t]` is the model on day t."""
    growth = np.nan_to_num(history.prices[1:] / history.prices[:-1] - 1.0)
    out = np.zeros(history.n_days)
    out[1:] = (weights[:-1] * growth).sum(axis=1)
    return out


def tracking_error(*, run: AccountRun, model: np.ndarray) -> float:
    """Annualized standard deviation of the account's daily pre-tax return minus the
    model's: how far the account strays from what it is meant to hold."""
    active = daily_returns(run=run, after_tax=False) - model
    live = active[np.isfinite(active)]
    return float(np.std(live) * np.sqrt(TRADING_DAYS_PER_YEAR)) if len(live) > 1 else 0.0


def calendar_returns(
    *, run: AccountRun, days: tuple[date, ...], after_tax: bool
) -> dict[int, float]:
    """Return of each calendar year the account was invested from its first trading day."""
    returns = daily_returns(run=run, after_tax=after_tax)
    years = np.array([d.year for d in days])
    out = {}
    for year in np.unique(years):
        idx = np.flatnonzero(years == year)
        if run.entry >= idx[0] or len(idx) < TRADING_DAYS_PER_YEAR * 0.9:
            continue
        out[int(year)] = float(np.prod(1.0 + returns[idx])) - 1.0
    return out


def dispersion(
    *, runs: list[AccountRun], days: tuple[date, ...], after_tax: bool
) -> dict[int, float]:
    """Yearly cross-sectional standard deviation of the accounts' calendar-year returns
    (accounts invested the whole year only; years with fewer than two skipped). Pre-tax it
    measures how differently the portfolios themselves did; after tax it adds how
    differently their lots let them harvest."""
    by_year: dict[int, list[float]] = {}
    for run in runs:
        for year, value in calendar_returns(run=run, days=days, after_tax=after_tax).items():
            by_year.setdefault(year, []).append(value)
    return {y: float(np.std(v, ddof=1)) for y, v in sorted(by_year.items()) if len(v) > 1}


def turnover(*, run: AccountRun) -> float:
    """Yearly one-way turnover: (purchases + sales) / 2 over the average account value,
    per year invested. Entry purchases excluded."""
    bought = run.bought_usd.copy()
    bought[run.entry] = 0.0
    traded = 0.5 * (bought.sum() + run.sold_usd.sum())
    live = run.value_usd[run.entry :]
    years = len(live) / TRADING_DAYS_PER_YEAR
    return float(traded / np.mean(live) / years) if years > 0 else 0.0


@dataclass(frozen=True)
class YearGains:
    """Realized gains of one calendar year, deductible amounts (wash-sale disallowed
    losses excluded), short- and long-term, summed over accounts; dollars."""

    short_term_usd: float
    long_term_usd: float
    disallowed_usd: float
    wash_sales: int


def gains_by_year(*, runs: list[AccountRun]) -> dict[int, YearGains]:
    sums: dict[int, list[float]] = {}
    for run in runs:
        for row in run.realized:
            entry = sums.setdefault(row.sold.year, [0.0, 0.0, 0.0, 0.0])
            entry[1 if row.long_term else 0] += row.deductible
            entry[2] += row.disallowed
            entry[3] += row.disallowed > 0
    return {
        year: YearGains(
            short_term_usd=round(v[0], 2),
            long_term_usd=round(v[1], 2),
            disallowed_usd=round(v[2], 2),
            wash_sales=int(v[3]),
        )
        for year, v in sorted(sums.items())
    }


def taxes_paid(*, run: AccountRun) -> float:
    """Taxes paid net of refunds over the test, dollars (positive: paid)."""
    return round(-float(run.tax_flow_usd.sum()) + run.unpaid_tax_usd, 2)


@dataclass(frozen=True)
class AccountFigures:
    """Annualized returns of one account under one policy (fractions)."""

    pre_tax: float
    after_tax: float
    after_tax_liquidated: float
    tracking_error: float
    turnover: float


def account_figures(*, run: AccountRun, model: np.ndarray) -> AccountFigures:
    keep, liquidate = final_factors(run=run)
    after = daily_returns(run=run, after_tax=True)
    return AccountFigures(
        pre_tax=annualized(returns=daily_returns(run=run, after_tax=False)),
        after_tax=annualized(returns=after, final_factor=keep),
        after_tax_liquidated=annualized(returns=after, final_factor=liquidate),
        tracking_error=tracking_error(run=run, model=model),
        turnover=turnover(run=run),
    )
