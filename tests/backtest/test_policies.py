"""Known answers of each policy on small hand-made markets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np

from backtest.accounts import AccountSpec
from backtest.ledger import Ledger, Piece
from backtest.nightly import NightlyOptimizer
from backtest.policies import ActionForward, BuyAndHold
from backtest.prices import synthetic_prices
from backtest.simulator import AccountState, Market
from optimizer.api import optimize_account
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


def _state_and_market(*, price: float) -> tuple[AccountState, Market]:
    """193 PEG bought for $4,506.16 ($23.348 a share, rounded), 14 more ten days ago."""
    ledger = Ledger()
    ledger.buy(txn_id="b1", day=date(2010, 4, 5), symbol="PEG", quantity=193, amount=4506.16)
    ledger.buy(txn_id="b2", day=date(2010, 11, 12), symbol="PEG", quantity=14, amount=327.10)
    market = _market(day=date(2010, 11, 22), symbols=("PEG", "XOM"), prices=[price, 80.0])
    return _state(ledger), market


def _state(ledger: Ledger) -> AccountState:
    return AccountState(spec=AccountSpec(id="A", entry=0, initial_usd=0.0), ledger=ledger)


def _market(*, day: date, symbols: tuple[str, str], prices: list[float]) -> Market:
    """Two stocks of one sector, the model all in the second but the cash."""
    return Market(
        t=0,
        day=day,
        symbols=symbols,
        sectors=("Energy", "Energy"),
        prices=np.array(prices),
        target=np.array([0.0, 0.99]),
        is_step=True,
        is_last=False,
    )


def test_a_lot_within_a_cent_a_share_of_its_basis_is_a_loss_to_the_optimizer():
    # given: PEG back at $23.348, where 54 of the 193 shares sell for $1,260.79 (proceeds
    # rounded to cents), a fraction of a cent below their $1,260.7909 basis: a loss the
    # lot engine washes against the shares bought ten days ago
    state, market = _state_and_market(price=23.348)
    # when
    case = _nightly().case(state=state, market=market)
    # then: the optimizer sees a loss, so its wash-sale rule keeps the lot unsold
    first = list(case.lots.id).index("b1")
    assert case.lots.cost_basis[first] == Decimal("4506.17")
    assert case.lots.quantity[first] * Decimal("23.348") < case.lots.cost_basis[first]
    result = optimize_account(case, explain=False)
    sold = [lot.lot for trade in result.trades for lot in trade.lots if trade.side == "sell"]
    assert "b1" not in sold


def test_a_lot_a_cent_a_share_or_more_above_its_basis_keeps_its_basis():
    state, market = _state_and_market(price=23.36)

    case = _nightly().case(state=state, market=market)

    assert case.lots.cost_basis.tolist() == [Decimal("4506.16"), Decimal("327.10")]


def test_the_pieces_of_a_purchase_are_numbered_in_order():
    # given: a purchase split in three pieces (wash sales), and a lot whose id starts
    # with the purchase's
    ledger = Ledger()
    ledger.holdings["AB"] = [_piece(lot_id="B-AB", symbol="AB")]
    ledger.holdings["A"] = [_piece(lot_id="B-A", symbol="A") for _ in range(3)]
    market = _market(day=date(2010, 6, 1), symbols=("A", "AB"), prices=[12.0, 12.0])
    # when
    case = _nightly().case(state=_state(ledger), market=market)
    # then
    assert case.lots.id.tolist() == ["B-AB", "B-A", "B-A|1", "B-A|2"]


def _piece(*, lot_id: str, symbol: str) -> Piece:
    return Piece(
        lot_id=lot_id,
        purchase=0,
        symbol=symbol,
        acquired=date(2010, 1, 4),
        hp_start=date(2010, 1, 4),
        quantity=10.0,
        basis=100.0,
        adjustment=0.0,
        used=False,
    )
