"""The figures a firm can publish, per policy, with realistic and with full loss use.

For each account, over its own window (its entry to the last day):

- **Pre-tax return**: time-weighted, taxes counted as flows from outside (see `metrics`).
- **After-tax return, held**: the account's pre-tax daily returns with each year's tax
  (as `loss_use` computes it, `backtest.taxes`) paid from the account on the first trading
  day from 15 April of the next year, or on the last day for the years still open; a
  negative tax (a refund, or what a deducted loss saves) is credited to the account. Both
  loss uses are computed this way from the same trades (the simulation itself paid its
  taxes with realistic loss use on real prices), so they differ only by their taxes.
  The deferred tax (what liquidating would cost) is reported separately, and so is the
  loss carried forward out of the last year with the portfolio held (realistic loss use).
- **After-tax return, liquidated**: the same, every open lot sold on the last day and its
  tax paid (netted with the last year's gains under Schedule D for realistic use); the
  loss still carried forward after that sale is reported as the liquidated carryforward.
- **Benchmark**: buying the equal-weighted index (as a fund that pays no tax until sold)
  with the account's cash on its entry day and holding it: pre-tax its daily returns;
  after tax its gain taxed (or loss used) once, when sold on the last day, long-term if
  held over a year, with the same loss use.

`pretax_excess` = pre-tax return - the benchmark's; `aftertax_excess` = after-tax return
liquidated - the benchmark's liquidated; `tax_alpha` = their difference (what tax
management added, not tracking luck). Tracking error: the annualized standard deviation of
daily pre-tax returns minus the benchmark's. Dispersion: the cross-sectional standard
deviation over accounts of annualized active returns (pre-tax, and after tax liquidated),
each over its own window so that start timing is not dispersion (None with one account).
All means are over accounts; percentages are per year.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from backtest.metrics import daily_returns, turnover
from backtest.prices import TRADING_DAYS_PER_YEAR, PriceHistory
from backtest.simulator import AccountRun, TaxRates
from backtest.taxes import FULL, LOSS_USES, REALISTIC, year_taxes

LABELS = {
    REALISTIC: "realistic loss use: losses offset this portfolio's gains, the other gains "
    "set, and $3,000 of ordinary income a year; the rest carried forward",
    FULL: "full loss use: every loss refunded at its rate the year it is realized "
    "(the papers' assumption)",
}


def _growth_rate(returns: np.ndarray, final_factor: float = 1.0) -> float:
    live = returns[np.isfinite(returns)]
    if len(live) == 0:
        return 0.0
    growth = float(np.prod(1.0 + live)) * final_factor
    return float(np.sign(growth) * abs(growth) ** (TRADING_DAYS_PER_YEAR / len(live))) - 1.0


def _pay_day(days: tuple[date, ...], year: int) -> int:
    for t, day in enumerate(days):
        if (day.year, day.month, day.day) >= (year + 1, 4, 15):
            return t
    return len(days) - 1


@dataclass(frozen=True)
class AccountTax:
    """One account's after-tax path under one loss use."""

    after_returns: np.ndarray
    liquidated_factor: float
    taxes_paid_usd: float
    deferred_tax_usd: float
    carryforward_usd: float
    carryforward_liquidated_usd: float


def account_tax(
    *,
    run: AccountRun,
    days: tuple[date, ...],
    rates: TaxRates,
    loss_use: str,
    other_gains_usd: float,
) -> AccountTax:
    """The account's after-tax daily returns and liquidation factor (see the docstring)."""
    last_year = days[-1].year
    first_year = run.realized[0].sold.year if run.realized else last_year
    years = range(first_year, last_year + 1)

    def taxes(extra: dict[int, tuple[float, float]] | None = None) -> Any:
        return year_taxes(
            rows=run.realized,
            years=years,
            short_term_rate=rates.short_term,
            long_term_rate=rates.long_term,
            loss_use=loss_use,
            other_gains_usd=other_gains_usd,
            extra=extra,
        )

    held = taxes()
    sold = taxes({last_year: (run.liquidation_short_usd, run.liquidation_long_usd)})
    deferred = sold.by_year[last_year] - held.by_year[last_year]
    tax_on = np.zeros(len(days))
    for year, tax in held.by_year.items():
        tax_on[_pay_day(days, year)] += tax
    pre = daily_returns(run=run, after_tax=False)
    out = np.full(len(days), np.nan)
    value = float(run.value_usd[run.entry])
    for t in range(run.entry + 1, len(days)):
        grown = value * (1.0 + pre[t]) - tax_on[t]
        out[t] = grown / value - 1.0 if value > 0 else 0.0
        value = grown + run.external_flow_usd[t]
    liquidated = (value - deferred) / value if value > 0 else 1.0
    return AccountTax(
        after_returns=out,
        liquidated_factor=liquidated,
        taxes_paid_usd=round(float(sum(held.by_year.values())), 2),
        deferred_tax_usd=round(deferred, 2),
        carryforward_usd=round(float(held.carried_out.total_usd), 2),
        carryforward_liquidated_usd=round(float(sold.carried_out.total_usd), 2),
    )


def benchmark_returns(*, history: PriceHistory, weights: np.ndarray) -> np.ndarray:
    """Daily return of the benchmark held on yesterday's weights (fully invested)."""
    growth = np.nan_to_num(history.prices[1:] / history.prices[:-1] - 1.0)
    out = np.zeros(history.n_days)
    out[1:] = (weights[:-1] * growth).sum(axis=1)
    return out


def benchmark_after_tax(
    *,
    returns: np.ndarray,
    entry: int,
    days: tuple[date, ...],
    initial_usd: float,
    rates: TaxRates,
    loss_use: str,
    other_gains_usd: float,
) -> tuple[float, float]:
    """(pre-tax, after-tax liquidated) annualized return of buying the benchmark on
    `entry` and selling it on the last day."""
    window = returns[entry + 1 :]
    pre = _growth_rate(window)
    growth = float(np.prod(1.0 + window))
    gain = initial_usd * (growth - 1.0)
    long_term = (days[-1] - days[entry]).days > 365
    last = days[-1].year
    tax = year_taxes(
        rows=(),
        years=range(last, last + 1),
        short_term_rate=rates.short_term,
        long_term_rate=rates.long_term,
        loss_use=loss_use,
        other_gains_usd=other_gains_usd,
        extra={last: (0.0, gain) if long_term else (gain, 0.0)},
    ).by_year[last]
    factor = (initial_usd * growth - tax) / (initial_usd * growth)
    return pre, _growth_rate(window, final_factor=factor)


def _pct(value: float) -> float:
    return round(100.0 * value, 3)


def policy_figures(
    *,
    runs: list[AccountRun],
    history: PriceHistory,
    bench: np.ndarray,
    rates: TaxRates,
    loss_use: str,
    other_gains_usd: float,
    initial_usd: dict[str, float],
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The issue's keys for one policy and loss use, and the daily series behind the
    charts (mean cumulative tax alpha, rolling tracking error, dispersion of cumulative
    active return)."""
    days = history.days
    pre, after, after_liq, bpre, bliq, te, paid, deferred = ([] for _ in range(8))
    carry, carry_liquidated = [], []
    active_cum, tax_cum = [], []
    for run in runs:
        taxed = account_tax(
            run=run, days=days, rates=rates, loss_use=loss_use, other_gains_usd=other_gains_usd
        )
        r_pre = daily_returns(run=run, after_tax=False)
        pre.append(_growth_rate(r_pre))
        after.append(_growth_rate(taxed.after_returns))
        after_liq.append(_growth_rate(taxed.after_returns, final_factor=taxed.liquidated_factor))
        b_pre, b_liq = benchmark_after_tax(
            returns=bench,
            entry=run.entry,
            days=days,
            initial_usd=initial_usd[run.account],
            rates=rates,
            loss_use=loss_use,
            other_gains_usd=other_gains_usd,
        )
        bpre.append(b_pre)
        bliq.append(b_liq)
        active = r_pre - bench
        live = active[np.isfinite(active)]
        te.append(float(np.std(live) * np.sqrt(TRADING_DAYS_PER_YEAR)) if len(live) > 1 else 0.0)
        paid.append(taxed.taxes_paid_usd)
        deferred.append(taxed.deferred_tax_usd)
        carry.append(taxed.carryforward_usd)
        carry_liquidated.append(taxed.carryforward_liquidated_usd)
        since = np.arange(len(days)) >= run.entry
        active_cum.append(np.where(since, np.cumsum(np.log1p(np.nan_to_num(active))), np.nan))
        drag = np.log1p(np.nan_to_num(taxed.after_returns)) - np.log1p(np.nan_to_num(r_pre))
        tax_cum.append(np.where(since, np.cumsum(drag), np.nan))
    pre_x = np.array(pre) - np.array(bpre)
    after_x = np.array(after_liq) - np.array(bliq)

    def sd(values: np.ndarray) -> float | None:
        return _pct(float(np.std(values, ddof=1))) if len(values) > 1 else None

    figures = {
        "pretax_return_pct_per_year": _pct(float(np.mean(pre))),
        "aftertax_return_pct_per_year": _pct(float(np.mean(after))),
        "aftertax_liquidated_return_pct_per_year": _pct(float(np.mean(after_liq))),
        "benchmark_pretax_return_pct_per_year": _pct(float(np.mean(bpre))),
        "benchmark_aftertax_liquidated_return_pct_per_year": _pct(float(np.mean(bliq))),
        "pretax_excess_pct_per_year": _pct(float(np.mean(pre_x))),
        "aftertax_excess_pct_per_year": _pct(float(np.mean(after_x))),
        "tax_alpha_pct_per_year": _pct(float(np.mean(after_x - pre_x))),
        "tracking_error_pct_per_year": _pct(float(np.mean(te))),
        "dispersion_pct": {
            "pretax_active": sd(pre_x),
            "aftertax_active": sd(after_x),
        },
        "turnover_pct_per_year": _pct(float(np.mean([turnover(run=r) for r in runs]))),
        "wash_sales": int(sum(sum(r.disallowed > 0 for r in run.realized) for run in runs)),
        "taxes_paid_usd": round(float(sum(paid)), 2),
        "deferred_tax_usd": round(float(sum(deferred)), 2),
        "loss_carryforward_usd": round(float(sum(carry)), 2),
        "loss_carryforward_liquidated_usd": round(float(sum(carry_liquidated)), 2),
    }
    with warnings.catch_warnings():  # days before any account's entry are all NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        mean_tax = np.nanmean(np.vstack(tax_cum), axis=0)
        spread = np.nanstd(np.vstack(active_cum), axis=0)
    series = {
        "cumulative_tax_alpha": mean_tax,
        "dispersion": spread,
        "tracking_error": _rolling_te(runs=runs, bench=bench),
    }
    return figures, series


def _rolling_te(*, runs: list[AccountRun], bench: np.ndarray, window: int = 63) -> np.ndarray:
    """Mean over accounts of the trailing quarter's annualized tracking error."""
    rows = []
    for run in runs:
        active = daily_returns(run=run, after_tax=False) - bench
        out = np.full(len(active), np.nan)
        for t in range(run.entry + window, len(active), 5):
            out[t] = np.nanstd(active[t - window + 1 : t + 1]) * np.sqrt(TRADING_DAYS_PER_YEAR)
        rows.append(out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean: np.ndarray = np.nanmean(np.vstack(rows), axis=0)
    return mean


__all__ = ["LABELS", "LOSS_USES", "account_tax", "benchmark_after_tax", "policy_figures"]
