"""Known answers of each policy on small hand-made markets."""

from __future__ import annotations

from datetime import date

import numpy as np

from backtest.accounts import AccountSpec
from backtest.nightly import NightlyOptimizer
from backtest.policies import ActionForward, BuyAndHold
from backtest.prices import synthetic_prices
from tests.backtest.scenarios import RATES, falling_stock_market, run_one, trade_days


def _nightly(*, harvest: bool = True) -> NightlyOptimizer:
    return NightlyOptimizer(rates=RATES, cost_bps=5.0, min_trade_usd=100.0, harvest_losses=harvest)


def test_a_falling_stock_is_harvested_and_swapped_into_its_partners():
    # given: FALL drops 40 % over days 40-50, when its lot is older than 30 days
    history = falling_stock_market()
    # when
    run = run_one(history=history, policy=_nightly())
    # then: FALL is sold at a loss during the drop, and the partners bought that day
    losses = [r for r in run.realized if r.symbol == "FALL" and r.gain < 0]
    assert losses, "the falling stock was not harvested"
    first = history.days.index(min(r.sold for r in losses))
    assert 40 < first <= 50
    assert run.bought_usd[first] > 0.5 * run.sold_usd[first]
    bought = {
        t["symbol"]
        for t in run.transactions
        if t["date"] == history.days[first].isoformat() and t["type"] == "buy"
    }
    assert bought and "FALL" not in bought
    assert all(r.disallowed == 0 for r in run.realized)


def test_the_harvested_stock_is_not_bought_back_within_30_days():
    # given
    history = falling_stock_market(n_days=110)
    policy = _nightly()
    # when
    run = run_one(history=history, policy=policy)
    # then
    loss_days = sorted({r.sold for r in run.realized if r.symbol == "FALL" and r.gain < 0})
    fall_buys = [
        date.fromisoformat(t["date"])
        for t in run.transactions
        if t["symbol"] == "FALL" and t["type"] == "buy"
    ]
    assert loss_days
    for sold in loss_days:
        assert not [d for d in fall_buys if abs((d - sold).days) <= 30 and d != history.days[0]]
    assert policy.failures == 0


def test_nothing_is_harvested_when_harvesting_is_off():
    history = falling_stock_market()
    run = run_one(history=history, policy=_nightly(harvest=False))
    assert not [r for r in run.realized if r.gain < 0]
    assert not [t for t in run.transactions if t["symbol"] == "FALL" and t["type"] == "sell"]


def test_action_forward_trades_only_on_its_dates():
    # given: a noisy market, no cash flows, two years
    history = synthetic_prices(n_stocks=12, years=2, seed=5)
    policy = ActionForward(days=history.days)
    # when
    run = run_one(history=history, policy=policy)
    # then: beyond its quarter ends and harvest days, only days a tax was due
    tax_days = {int(t) for t in np.flatnonzero(run.tax_flow_usd)}
    action_days = policy.quarter_ends | policy.harvest_days
    assert trade_days(run) <= {0} | action_days | tax_days
    assert len(trade_days(run) & action_days) > 1


def test_buy_and_hold_never_trades_after_entry():
    history = synthetic_prices(n_stocks=12, years=2, seed=5)
    run = run_one(history=history, policy=BuyAndHold())
    assert trade_days(run) == {0}
    assert run.realized == []


def test_restrictions_hold_in_every_policy():
    # given: a client who must not buy PART1 and must not sell FALL
    history = falling_stock_market(n_days=120)
    spec = AccountSpec(
        id="ACC-R", entry=0, initial_usd=1_000_000.0, do_not_buy=("PART1",), do_not_sell=("FALL",)
    )
    for policy in (_nightly(), ActionForward(days=history.days), BuyAndHold()):
        # when
        run = run_one(history=history, policy=policy, spec=spec)
        # then
        assert run.breaches == 0
        assert not [r for r in run.realized if r.symbol == "FALL"]
        assert np.isfinite(run.value_usd[-1])
