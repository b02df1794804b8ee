"""Run a scenario: every account under every policy, in parallel worker processes.

Accounts are independent (each is its own household), so (account, policy) pairs are
spread over `workers` processes; each worker builds the prices once (they are seeded, so
every worker sees the same market). After an account's run, its transactions go through
the real lot engine (`lot_engine`) once: the engine's wash-sale count is the one
reported, and its realized totals must match the simulation's incremental ledger.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import lot_engine
from backtest.accounts import AccountSpec, TargetModel, cap_weighted_model, make_accounts
from backtest.nightly import NightlyOptimizer
from backtest.policies import ActionForward, BuyAndHold
from backtest.prices import PriceHistory, load_prices_csv, synthetic_prices
from backtest.real import DailyRiskModels, MemberModel, load_universe, staggered_accounts
from backtest.scenarios import Scenario
from backtest.simulator import AccountRun, Policy, RunSettings, TaxRates, simulate

BENCHMARK_POLICY = "buy_and_hold"
POLICY_NAMES = (BENCHMARK_POLICY, "action_forward", "nightly_optimizer")
OPTIMIZER_POLICIES = ("nightly_optimizer", "nightly_optimizer_no_wash_rule")
NO_WASH_RULE = "nightly_optimizer_no_wash_rule"
# The ledger agrees with the lot engine when every total is within a dollar.
LEDGER_TOLERANCE_USD = 1.0


@dataclass(frozen=True)
class Inputs:
    history: PriceHistory
    model: TargetModel
    accounts: tuple[AccountSpec, ...]
    steps: np.ndarray
    risk: DailyRiskModels | None = None
    notes: tuple[str, ...] = ()


def build_inputs(*, scenario: Scenario) -> Inputs:
    """Prices, model, accounts and step days of a scenario (deterministic in its seed)."""
    if scenario.prices_csv and scenario.tickers_csv and scenario.membership_csv:
        universe = load_universe(
            prices_csv=Path(scenario.prices_csv),
            tickers_csv=Path(scenario.tickers_csv),
            membership_csv=Path(scenario.membership_csv),
            start=scenario.start,
            end=scenario.end,
        )
        return Inputs(
            history=universe.history,
            model=MemberModel(universe=universe, stocks=scenario.n_stocks, seed=scenario.seed),
            accounts=staggered_accounts(universe=universe, n_accounts=scenario.n_accounts),
            steps=step_days(history=universe.history, step=scenario.step),
            risk=DailyRiskModels(history=universe.history),
            notes=universe.notes,
        )
    if scenario.prices_csv:
        history = load_prices_csv(path=Path(scenario.prices_csv), years=scenario.years)
    else:
        history = synthetic_prices(
            n_stocks=scenario.n_stocks, years=scenario.years, seed=scenario.seed
        )
    model = cap_weighted_model(history=history, seed=scenario.seed)
    accounts = make_accounts(
        history=history, n_accounts=scenario.n_accounts, seed=scenario.seed, flows=scenario.flows
    )
    return Inputs(
        history=history,
        model=model,
        accounts=accounts,
        steps=step_days(history=history, step=scenario.step),
    )


def step_days(*, history: PriceHistory, step: str) -> np.ndarray:
    """Mask of the days the optimizer runs: every day, the first trading day of each
    week, or the first trading day of each month."""
    days = history.days
    if step == "daily":
        return np.ones(len(days), dtype=bool)
    if step == "weekly":
        key = [d.isocalendar()[:2] for d in days]
    elif step == "monthly":
        key = [(d.year, d.month) for d in days]
    else:
        raise ValueError(f"step must be daily, weekly or monthly, not {step!r}")
    return np.array([t == 0 or key[t] != key[t - 1] for t in range(len(days))])


def policy_names(*, scenario: Scenario) -> tuple[str, ...]:
    names = POLICY_NAMES + ((NO_WASH_RULE,) if scenario.wash_sale_rule_off_too else ())
    if scenario.only_policies is None:
        return names
    unknown = sorted(set(scenario.only_policies) - set(names))
    if unknown:
        raise ValueError(f"unknown policies {unknown}: choose from {', '.join(names)}")
    return tuple(n for n in names if n == BENCHMARK_POLICY or n in scenario.only_policies)


def make_policy(*, name: str, scenario: Scenario, inputs: Inputs) -> Policy:
    rates = rates_of(scenario=scenario)
    if name == "buy_and_hold":
        return BuyAndHold()
    if name == "action_forward":
        return ActionForward(days=inputs.history.days)
    return NightlyOptimizer(
        name=name,
        rates=rates,
        cost_bps=scenario.cost_bps,
        min_trade_usd=scenario.min_trade_usd,
        harvest_losses=scenario.harvest_losses,
        wash_sale=name != NO_WASH_RULE,
        risk=inputs.risk,
        tracking_limit_pct=scenario.tracking_limit_pct,
        loss_use=scenario.loss_use,
        other_gains_usd=scenario.other_gains_usd,
    )


def rates_of(*, scenario: Scenario) -> TaxRates:
    return TaxRates(short_term=scenario.short_term_rate, long_term=scenario.long_term_rate)


_worker: dict[str, Any] = {}


def _init_worker(scenario: Scenario) -> None:
    _worker["scenario"] = scenario
    _worker["inputs"] = build_inputs(scenario=scenario)


def _run_pair(task: tuple[int, str, bool]) -> tuple[AccountRun, float]:
    index, name, engine_check = task
    scenario: Scenario = _worker["scenario"]
    inputs: Inputs = _worker["inputs"]
    start = time.perf_counter()
    run = simulate(
        spec=inputs.accounts[index],
        policy=make_policy(name=name, scenario=scenario, inputs=inputs),
        history=inputs.history,
        model=inputs.model,
        steps=inputs.steps,
        settings=RunSettings(
            rates=rates_of(scenario=scenario),
            cost_bps=scenario.cost_bps,
            wash_sale=name != NO_WASH_RULE or scenario.wash_sale_law_applies,
            keep_transactions=engine_check,
            loss_use=scenario.loss_use,
            other_gains_usd=scenario.other_gains_usd,
        ),
    )
    if engine_check:
        run.engine = engine_summary(
            run=run, wash_sale=name != NO_WASH_RULE or scenario.wash_sale_law_applies
        )
    run.transactions = []
    return run, time.perf_counter() - start


def engine_summary(*, run: AccountRun, wash_sale: bool) -> dict[str, Any]:
    """The real lot engine over the account's transactions: wash sales (realized rows
    with a disallowed loss, however small: one of a fraction of a cent still carries the
    sold shares' holding period), totals, and whether the simulation's ledger agrees."""
    result = lot_engine.process(
        lot_engine.parse_events(
            {
                "method": "FIFO",
                "wash_sale": wash_sale,
                "accounts": {run.account: {"tax_status": "taxable"}},
                "transactions": run.transactions,
            }
        )
    )
    totals = result.totals
    short = sum(r.deductible for r in run.realized if not r.long_term)
    long = sum(r.deductible for r in run.realized if r.long_term)
    disallowed = sum(r.disallowed for r in run.realized)
    agree = all(
        abs(float(theirs) - ours) <= LEDGER_TOLERANCE_USD
        for theirs, ours in (
            (totals.short_term_gain, short),
            (totals.long_term_gain, long),
            (totals.disallowed_loss, disallowed),
        )
    )
    return {
        "wash_sales": sum(r.disallowed_loss > 0 for r in result.realized),
        "short_term_gain": f"{totals.short_term_gain:.2f}",
        "long_term_gain": f"{totals.long_term_gain:.2f}",
        "disallowed_loss": f"{totals.disallowed_loss:.2f}",
        "ledger_agrees": agree,
    }


@dataclass(frozen=True)
class Progress:
    """A finished (account, policy) pair: `done` of `total` pairs, `share` of the run's
    work (account-days, an optimizer's day counted as fifty of a simple policy's)."""

    done: int
    total: int
    share: float
    run: AccountRun


def _work(*, days: int, policy: str) -> float:
    return float(days) * (1.0 if policy in OPTIMIZER_POLICIES else 0.02)


@dataclass(frozen=True)
class Outcome:
    scenario: Scenario
    inputs: Inputs
    runs: dict[str, list[AccountRun]]
    seconds_by_policy: dict[str, float]
    elapsed_seconds: float
    workers: int


def run_scenario(
    *,
    scenario: Scenario,
    workers: int | None = None,
    engine_check: bool = True,
    progress: Callable[[Progress], None] | None = None,
) -> Outcome:
    """Every (account, policy) pair, biggest jobs first, on `workers` processes (default:
    every CPU); `workers=1` runs in this process. `progress` is called as each pair
    finishes."""
    start = time.perf_counter()
    inputs = build_inputs(scenario=scenario)
    names = policy_names(scenario=scenario)
    tasks = [
        (i, name, engine_check)
        for name in reversed(names)
        for i in sorted(range(len(inputs.accounts)), key=lambda k: inputs.accounts[k].entry)
    ]
    count = workers or os.cpu_count() or 1
    results: list[tuple[AccountRun, float]] = []
    n_days = len(inputs.history.days)
    work = {
        (i, name): _work(days=n_days - inputs.accounts[i].entry, policy=name)
        for i, name, _ in tasks
    }
    total_work = sum(work.values()) or 1.0
    done_work = 0.0

    def finished(result: tuple[AccountRun, float]) -> None:
        nonlocal done_work
        results.append(result)
        run = result[0]
        index = next(i for i, a in enumerate(inputs.accounts) if a.id == run.account)
        done_work += work[(index, run.policy)]
        if progress:
            progress(
                Progress(done=len(results), total=len(tasks), share=done_work / total_work, run=run)
            )

    if count == 1:
        _init_worker(scenario)
        for task in tasks:
            finished(_run_pair(task))
    else:
        with ProcessPoolExecutor(
            max_workers=count, initializer=_init_worker, initargs=(scenario,)
        ) as pool:
            try:
                for future in as_completed([pool.submit(_run_pair, task) for task in tasks]):
                    finished(future.result())
            except BaseException:
                # a failed pair (or ^C) ends the run now, not after every queued pair
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    runs: dict[str, list[AccountRun]] = {name: [] for name in names}
    seconds: dict[str, float] = {name: 0.0 for name in names}
    for run, took in results:
        runs[run.policy].append(run)
        seconds[run.policy] += took
    for name in names:
        runs[name].sort(key=lambda r: r.account)
    return Outcome(
        scenario=scenario,
        inputs=inputs,
        runs=runs,
        seconds_by_policy=seconds,
        elapsed_seconds=time.perf_counter() - start,
        workers=count,
    )
