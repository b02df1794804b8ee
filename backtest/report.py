"""Turn an `Outcome` into the report: a JSON-ready dict, a text table, and PNG charts.

Money is rounded to cents and rates to basis points (4 decimals of a fraction) at this
edge only. Tax alpha is the policy's annualized after-tax return minus buy-and-hold's for
the same account at the same tax rates, averaged over accounts.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, SupportsFloat

import numpy as np

from backtest.after_tax import LABELS, LOSS_USES, policy_figures
from backtest.metrics import (
    account_figures,
    daily_returns,
    dispersion,
    final_factors,
    gains_by_year,
    model_returns,
    taxes_paid,
)
from backtest.runner import Outcome, rates_of

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BENCHMARK = "buy_and_hold"
DAYS_PER_YEAR = 365.25


def _ratio(value: SupportsFloat) -> float:
    return round(float(value), 4)


def build_report(*, outcome: Outcome) -> dict[str, Any]:
    """Per-policy figures (see `metrics`), the published figures, and run facts."""
    history = outcome.inputs.history
    weights = np.array(
        [outcome.inputs.model.weights(prices=p, t=t) for t, p in enumerate(history.prices)]
    )
    model = model_returns(history=history, weights=weights)
    figures = {
        name: [account_figures(run=run, model=model) for run in runs]
        for name, runs in outcome.runs.items()
    }
    bench = figures[BENCHMARK]
    policies = {}
    for name, runs in outcome.runs.items():
        figs = figures[name]
        yearly = dispersion(runs=runs, days=history.days, after_tax=False)
        yearly_after = dispersion(runs=runs, days=history.days, after_tax=True)
        engine = [run.engine for run in runs if run.engine]
        policies[name] = {
            "pre_tax_return": _ratio(np.mean([f.pre_tax for f in figs])),
            "after_tax_return": _ratio(np.mean([f.after_tax for f in figs])),
            "after_tax_return_liquidated": _ratio(np.mean([f.after_tax_liquidated for f in figs])),
            "tax_alpha": _ratio(
                np.mean([f.after_tax - b.after_tax for f, b in zip(figs, bench, strict=True)])
            ),
            "tax_alpha_liquidated": _ratio(
                np.mean(
                    [
                        f.after_tax_liquidated - b.after_tax_liquidated
                        for f, b in zip(figs, bench, strict=True)
                    ]
                )
            ),
            "tracking_error": _ratio(np.mean([f.tracking_error for f in figs])),
            "dispersion": _ratio(np.mean(list(yearly.values()))) if yearly else None,
            "dispersion_by_year": {str(y): _ratio(v) for y, v in yearly.items()},
            "dispersion_after_tax": _ratio(np.mean(list(yearly_after.values())))
            if yearly_after
            else None,
            "turnover": _ratio(np.mean([f.turnover for f in figs])),
            "taxes_paid_usd": round(sum(taxes_paid(run=run) for run in runs), 2),
            "liquidation_tax_usd": round(sum(run.liquidation_tax_usd for run in runs), 2),
            "end_value_usd": round(sum(float(run.value_usd[-1]) for run in runs), 2),
            "gains_by_year": {
                str(year): vars(gains) for year, gains in gains_by_year(runs=runs).items()
            },
            "wash_sales": sum(sum(r.disallowed > 0 for r in run.realized) for run in runs),
            "wash_sales_lot_engine": sum(e["wash_sales"] for e in engine) if engine else None,
            "ledger_agrees_with_lot_engine": all(e["ledger_agrees"] for e in engine)
            if engine
            else None,
            "restriction_breaches": sum(run.breaches for run in runs),
            "optimizer_solves": sum(run.solves for run in runs),
            "optimizer_failures": sum(run.solver_failures for run in runs),
            "cpu_seconds": round(outcome.seconds_by_policy[name], 1),
        }
    scenario = outcome.scenario
    issue, _ = published_figures(outcome=outcome)
    first_entry = history.days[min(a.entry for a in outcome.inputs.accounts)]
    return {
        "market": "real prices" if scenario.prices_csv else "synthetic market",
        "by_loss_use": issue,
        "assumptions": {
            **LABELS,
            "taxes": "each year's tax is paid from the account (a negative tax credited to "
            "it) on the first trading day from 15 April of the next year; open years on the "
            "last day",
            "benchmark": "buy-and-hold of the equal-weighted index of the point-in-time "
            "members (synthetic: of the model), bought with the account's cash on its entry "
            "day, liquidated on the last day",
            "simulation_loss_use": scenario.loss_use,
            "other_gains_usd_per_year": scenario.other_gains_usd,
            "risk_model": "estimated from the closes before each day the optimizer runs "
            "(no look-ahead); the built-in fallback before 60 days of history"
            if scenario.tickers_csv
            else "the optimizer's built-in fallback model",
        },
        "scenario": {
            "name": scenario.name,
            "description": scenario.description,
            "accounts": len(outcome.inputs.accounts),
            "years": round(_years(first=first_entry, last=history.days[-1]), 2)
            if scenario.tickers_csv
            else scenario.years,
            "stocks": len(history.symbols),
            "step": scenario.step,
            "short_term_rate": scenario.short_term_rate,
            "long_term_rate": scenario.long_term_rate,
            "cost_bps": scenario.cost_bps,
            "min_trade_usd": scenario.min_trade_usd,
            "seed": scenario.seed,
            "prices": scenario.prices_csv or "synthetic factor model",
            "tickers": scenario.tickers_csv,
            "membership": scenario.membership_csv,
            "start": scenario.start.isoformat() if scenario.start else None,
            "end": scenario.end.isoformat() if scenario.end else None,
            "tracking_limit_pct_per_year": scenario.tracking_limit_pct,
            "first_account_entry": first_entry.isoformat(),
            "first_day": history.days[0].isoformat(),
            "last_day": history.days[-1].isoformat(),
            "data_notes": list(outcome.inputs.notes),
        },
        "published": [vars(p) for p in scenario.published],
        "policies": policies,
        "elapsed_seconds": round(outcome.elapsed_seconds, 1),
        "workers": outcome.workers,
    }


def _years(*, first: date, last: date) -> float:
    return (last - first).days / DAYS_PER_YEAR


def period_text(*, report: dict[str, Any]) -> str:
    """The period the run covers: its dates on real prices ("2005-06-01 to 2012-12-31,
    7.58 years", from the first account's entry), its length on a synthetic market."""
    scenario = report["scenario"]
    if report["market"] != "real prices":
        return f"{scenario['years']:g} years"
    return (
        f"{scenario['first_account_entry']} to {scenario['last_day']}, {scenario['years']:g} years"
    )


def published_figures(
    *, outcome: Outcome
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, dict[str, np.ndarray]]]]:
    """Per loss use and policy, the figures of `backtest.after_tax`, and their series."""
    history = outcome.inputs.history
    model = outcome.inputs.model
    rows = []
    for t, prices in enumerate(history.prices):
        if hasattr(model, "benchmark"):
            rows.append(model.benchmark(t))
        else:
            w = model.weights(prices=prices, t=t)
            rows.append(w / w.sum() if w.sum() > 0 else w)
    bench = np.zeros(history.n_days)
    growth = np.nan_to_num(history.prices[1:] / history.prices[:-1] - 1.0)
    bench[1:] = (np.array(rows)[:-1] * growth).sum(axis=1)
    initial = {a.id: a.initial_usd for a in outcome.inputs.accounts}
    rates = rates_of(scenario=outcome.scenario)
    figures: dict[str, dict[str, Any]] = {}
    series: dict[str, dict[str, dict[str, np.ndarray]]] = {}
    for use in LOSS_USES:
        figures[use], series[use] = {}, {}
        for name, runs in outcome.runs.items():
            figures[use][name], series[use][name] = policy_figures(
                runs=runs,
                history=history,
                bench=bench,
                rates=rates,
                loss_use=use,
                other_gains_usd=outcome.scenario.other_gains_usd,
                initial_usd=initial,
            )
    return figures, series


def format_issue_table(*, report: dict[str, Any]) -> str:
    """One table per loss use, each figure saying which assumption it uses."""
    lines = [
        f"{report['market']}, {period_text(report=report)}: against buy-and-hold of the "
        "benchmark, liquidated at the end; "
        "taxes paid from the account; %/yr, mean of accounts",
    ]
    for use, by_policy in report["by_loss_use"].items():
        lines.append(f"[{use}] {LABELS[use]}")
        head = (
            f"{'policy':<31}{'pre-tax':>8}{'AT held':>8}{'AT liq':>8}{'pre exc':>8}"
            f"{'AT exc':>8}{'TAX ALPHA':>10}{'TE':>7}{'disp pre':>9}{'disp AT':>8}"
            f"{'turn':>6}{'wash':>6}{'taxes paid $':>14}{'deferred $':>13}"
            f"{'carry held $':>14}{'carry liq $':>13}"
        )
        lines += [head, "-" * len(head)]
        for name, p in by_policy.items():
            lines.append(
                f"{name:<31}{p['pretax_return_pct_per_year']:>8.2f}"
                f"{p['aftertax_return_pct_per_year']:>8.2f}"
                f"{p['aftertax_liquidated_return_pct_per_year']:>8.2f}"
                f"{p['pretax_excess_pct_per_year']:>8.2f}{p['aftertax_excess_pct_per_year']:>8.2f}"
                f"{p['tax_alpha_pct_per_year']:>10.2f}{p['tracking_error_pct_per_year']:>7.2f}"
                f"{_fixed(p['dispersion_pct']['pretax_active']):>9}"
                f"{_fixed(p['dispersion_pct']['aftertax_active']):>8}"
                f"{p['turnover_pct_per_year']:>6.0f}{p['wash_sales']:>6}"
                f"{p['taxes_paid_usd']:>14,.0f}{p['deferred_tax_usd']:>13,.0f}"
                f"{p['loss_carryforward_usd']:>14,.0f}"
                f"{p['loss_carryforward_liquidated_usd']:>13,.0f}"
            )
    lines.append(
        "TE, dispersion, turnover and wash sales are the same trades under both loss uses; "
        "TE is realised (daily active returns against the benchmark, annualized). Carry: "
        "losses carried forward out of the last year, portfolio held and liquidated."
    )
    return "\n".join(lines)


def _fixed(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _pct(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{100 * value:.{digits}f}%"


def format_table(*, report: dict[str, Any]) -> str:
    """The stdout table: one row per policy, then the published figures beside ours."""
    head = (
        f"{'policy':<31}{'pre-tax':>9}{'after-tax':>10}{'liquid.':>9}{'alpha':>8}"
        f"{'alpha liq':>10}{'TE':>8}{'disp.':>8}{'disp.AT':>8}{'turn.':>8}{'taxes paid $':>15}"
        f"{'wash':>6}{'breach':>7}"
    )
    use = report["assumptions"]["simulation_loss_use"]
    title = (
        f"{report['market']}: after-tax back-test ({use} loss use, as the simulation paid "
        "its taxes; alpha: after-tax return less buy-and-hold's, same account)"
    )
    lines = [title, head, "-" * len(head)]
    for name, p in report["policies"].items():
        wash = (
            p["wash_sales_lot_engine"]
            if p["wash_sales_lot_engine"] is not None
            else p["wash_sales"]
        )
        lines.append(
            f"{name:<31}{_pct(p['pre_tax_return']):>9}{_pct(p['after_tax_return']):>10}"
            f"{_pct(p['after_tax_return_liquidated']):>9}{_pct(p['tax_alpha']):>8}"
            f"{_pct(p['tax_alpha_liquidated']):>10}{_pct(p['tracking_error']):>8}"
            f"{_pct(p['dispersion']):>8}{_pct(p['dispersion_after_tax']):>8}"
            f"{_pct(p['turnover'], 0):>8}"
            f"{p['taxes_paid_usd']:>15,.2f}{wash:>6}{p['restriction_breaches']:>7}"
        )
    policies = report["policies"]
    for pub in report["published"]:
        ours = "nightly_optimizer" if pub["wash_sale_rule"] else "nightly_optimizer_no_wash_rule"
        mine = policies.get(ours, {}).get("tax_alpha")
        lines.append(
            f"published: {pub['source']}, {pub['note']}: {pub['tax_alpha_pct']:.2f}%/yr; "
            f"ours ({ours}): {_pct(mine)}/yr"
        )
    return "\n".join(lines)


def write_outputs(*, report: dict[str, Any], outcome: Outcome, out: Path) -> list[Path]:
    """report.json and three charts into `out`; returns the paths written."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    out.mkdir(parents=True, exist_ok=True)
    written = [out / "report.json"]
    written[0].write_text(json.dumps(report, indent=2, sort_keys=False) + "\n")
    days = np.array(outcome.inputs.history.days)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for name, curve in excess_curves(outcome=outcome).items():
        ax.plot(days, 100 * curve, label=name)
    ax.set_title("Cumulative after-tax return over buy-and-hold (mean of accounts)")
    ax.set_ylabel("%")
    ax.legend()
    written.append(_save(fig=fig, path=out / "after_tax_excess.png", plt=plt))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for name, p in report["policies"].items():
        years = [int(y) for y in p["dispersion_by_year"]]
        ax.plot(years, [100 * v for v in p["dispersion_by_year"].values()], marker="o", label=name)
    ax.set_title("Dispersion: cross-sectional std of accounts' pre-tax calendar-year return")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("%")
    ax.legend()
    written.append(_save(fig=fig, path=out / "dispersion.png", plt=plt))
    written.append(_gains_chart(report=report, path=out / "realized_gains.png", plt=plt))
    _, series = published_figures(outcome=outcome)
    market = report["market"]
    for key, title, scale in (
        ("cumulative_tax_alpha", "Cumulative tax alpha (after-tax minus pre-tax, log)", 100),
        ("tracking_error", "Tracking error, trailing quarter, annualized", 100),
        ("dispersion", "Dispersion: std of accounts' cumulative active return", 100),
    ):
        fig, ax = plt.subplots(figsize=(9, 4.5))
        for use, style in (("realistic", "-"), ("full", ":")):
            if key != "cumulative_tax_alpha" and use == "full":
                continue
            for name, curves in series[use].items():
                label = f"{name} ({use})" if key == "cumulative_tax_alpha" else name
                ax.plot(days, scale * curves[key], style, label=label)
        ax.set_title(f"{title} ({market})")
        ax.set_ylabel("%")
        ax.legend(fontsize=7)
        name = "dispersion_over_time" if key == "dispersion" else key
        written.append(_save(fig=fig, path=out / f"{name}.png", plt=plt))
    return written


def excess_curves(*, outcome: Outcome) -> dict[str, np.ndarray]:
    """Per policy: mean over accounts of (after-tax wealth index / buy-and-hold's) - 1."""
    bench = outcome.runs[BENCHMARK]
    curves = {}
    for name, runs in outcome.runs.items():
        if name == BENCHMARK:
            continue
        rel = []
        for run, base in zip(runs, bench, strict=True):
            ours = np.cumprod(1.0 + np.nan_to_num(daily_returns(run=run, after_tax=True)))
            theirs = np.cumprod(1.0 + np.nan_to_num(daily_returns(run=base, after_tax=True)))
            ratio = ours / theirs - 1.0
            ratio[-1] = (ours[-1] * final_factors(run=run)[0]) / (
                theirs[-1] * final_factors(run=base)[0]
            ) - 1.0
            rel.append(ratio)
        curves[name] = np.mean(rel, axis=0)
    return curves


def _gains_chart(*, report: dict[str, Any], path: Path, plt: ModuleType) -> Path:
    """Grouped bars per year, one per policy: short-term on top, long-term below."""
    names = list(report["policies"])
    years = sorted({y for p in report["policies"].values() for y in p["gains_by_year"]})
    fig, axes = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    width = 0.8 / max(1, len(names))
    x = np.arange(len(years))
    for ax, key, title in (
        (axes[0], "short_term_usd", "short-term"),
        (axes[1], "long_term_usd", "long-term"),
    ):
        for k, name in enumerate(names):
            gains = report["policies"][name]["gains_by_year"]
            values = [gains.get(y, {}).get(key, 0.0) / 1e3 for y in years]
            ax.bar(x + k * width, values, width, label=name)
        ax.axhline(0.0, color="black", linewidth=0.5)
        ax.set_ylabel(f"{title}, $k")
    axes[0].set_title("Realized gains by year, all accounts (losses below zero)")
    axes[0].legend(fontsize=7)
    axes[1].set_xticks(x + 0.4 - width / 2, years, rotation=45)
    return _save(fig=fig, path=path, plt=plt)


def _save(*, fig: Figure, path: Path, plt: ModuleType) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
