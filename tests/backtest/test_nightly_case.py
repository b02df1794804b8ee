"""The nightly optimizer's case, built from columns kept between nights, equals the case
built row by row through the optimizer's public `from_rows` constructors."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from backtest.accounts import AccountSpec
from backtest.ledger import Ledger
from backtest.nightly import NightlyOptimizer
from backtest.nightly_lots import BREAKEVEN_USD_PER_SHARE, breakeven_basis
from backtest.simulator import AccountState, Market
from optimizer.types import Case, Lots, Securities
from tests.backtest.scenarios import RATES

SYMBOLS = ("PEG", "XOM", "CVX", "GONE")
SECTORS = ("Utilities", "Energy", "Energy", "Energy")


def test_the_case_equals_one_built_row_by_row_night_after_night():
    # given: PEG bought in April, more in November, then April's shares partly sold at a
    # loss (the November purchase splits into a washed piece and the rest); XOM bought
    # at $80.00 a share, worth $80.004 tonight (within a cent a share: a loss); GONE held
    # without a price and out of the model
    ledger = Ledger()
    ledger.buy(txn_id="b1", day=date(2010, 4, 5), symbol="PEG", quantity=100, amount=3000.00)
    ledger.buy(txn_id="g1", day=date(2010, 4, 5), symbol="GONE", quantity=10, amount=100.00)
    ledger.buy(txn_id="b2", day=date(2010, 11, 1), symbol="PEG", quantity=50, amount=1250.00)
    ledger.buy(txn_id="x1", day=date(2010, 11, 1), symbol="XOM", quantity=100, amount=8000.00)
    ledger.sell(
        txn_id="s1",
        day=date(2010, 11, 5),
        symbol="PEG",
        quantity=30,
        proceeds=720.00,
        picks=[("b1", 30)],
    )
    state = AccountState(spec=AccountSpec(id="A", entry=0, initial_usd=0.0), ledger=ledger)
    state.cash_usd = 1234.567
    policy = NightlyOptimizer(rates=RATES, cost_bps=5.0, min_trade_usd=100.0)
    prices = np.array([24.5, 80.004, 110.0, np.nan])
    # when: tonight; after a purchase of XOM and a sale of PEG (the rest of the November
    # purchase washed); twice with no trade; after a sale of all of XOM
    first = _night(policy=policy, state=state, day=date(2010, 11, 8), prices=prices)
    ledger.buy(txn_id="x2", day=date(2010, 11, 9), symbol="XOM", quantity=5, amount=401.00)
    ledger.sell(txn_id="s2", day=date(2010, 11, 9), symbol="PEG", quantity=20, proceeds=500.00)
    second = _night(policy=policy, state=state, day=date(2010, 11, 9), prices=prices + 0.5)
    third = _night(policy=policy, state=state, day=date(2010, 11, 10), prices=prices)
    fourth = _night(policy=policy, state=state, day=date(2010, 11, 11), prices=prices + 0.5)
    ledger.sell(txn_id="s3", day=date(2010, 11, 12), symbol="XOM", quantity=105, proceeds=8400.0)
    fifth = _night(policy=policy, state=state, day=date(2010, 11, 12), prices=prices)
    # then: each night equals the row-by-row case (checked in `_night`), and
    assert first.lots.id.tolist() == ["b1", "b2", "b2|1", "g1", "x1"]
    assert first.lots.cost_basis[-1] == Decimal("8000.41")
    assert second.lots.id.tolist() == ["b1", "b2", "b2|1", "g1", "x1", "x2"]
    assert second.lots.cost_basis[4] == Decimal("8000.00")  # $80.504 a share
    assert third.lots.cost_basis[4] == Decimal("8000.41")
    assert fourth.lots.cost_basis[4] == Decimal("8000.00")
    assert fifth.lots.id.tolist() == ["b1", "b2", "b2|1", "g1"]
    assert fifth.securities.symbol.tolist() == ["PEG", "CVX"]


def test_a_lot_id_under_two_symbols_is_numbered_across_them():
    # given: one transaction id used for purchases of two symbols
    ledger = Ledger()
    ledger.buy(txn_id="t1", day=date(2010, 4, 5), symbol="PEG", quantity=10, amount=200.00)
    ledger.buy(txn_id="t1", day=date(2010, 4, 5), symbol="XOM", quantity=10, amount=700.00)
    state = AccountState(spec=AccountSpec(id="A", entry=0, initial_usd=0.0), ledger=ledger)
    policy = NightlyOptimizer(rates=RATES, cost_bps=5.0, min_trade_usd=100.0)
    # when
    case = _night(
        policy=policy, state=state, day=date(2010, 5, 3), prices=np.array([21, 71, 110, 1.0])
    )
    # then
    assert case.lots.id.tolist() == ["t1", "t1|1"]


def test_an_account_with_no_lots_has_an_empty_lots_column():
    state = AccountState(spec=AccountSpec(id="A", entry=0, initial_usd=0.0), ledger=Ledger())
    policy = NightlyOptimizer(rates=RATES, cost_bps=5.0, min_trade_usd=100.0)

    case = _night(policy=policy, state=state, day=date(2010, 5, 3), prices=[21, 71, 110, 1.0])

    assert len(case.lots) == 0
    assert case.securities.symbol.tolist() == ["PEG", "CVX"]


def test_columns_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="different lengths"):
        Lots.from_columns(
            id=["a"], symbol=["A"], quantity=[], cost_basis=[], acquired=[date(2010, 1, 4)]
        )


def _night(*, policy: NightlyOptimizer, state: AccountState, day: date, prices) -> Case:
    market = Market(
        t=0,
        day=day,
        symbols=SYMBOLS,
        sectors=SECTORS,
        prices=np.asarray(prices, dtype=float),
        target=np.array([0.3, 0.0, 0.69, 0.0]),
        is_step=True,
        is_last=False,
    )
    case = policy.case(state=state, market=market)
    securities, lots, target = _row_by_row(state=state, market=market)
    assert case.securities == securities
    assert case.lots == lots
    assert [(k, v.as_tuple()) for k, v in case.target.items()] == [
        (k, v.as_tuple()) for k, v in target.items()
    ]
    fresh = NightlyOptimizer(rates=RATES, cost_bps=5.0, min_trade_usd=100.0)
    assert fresh.case(state=state, market=market) == case
    return case


def _row_by_row(
    *, state: AccountState, market: Market
) -> tuple[Securities, Lots, dict[str, Decimal]]:
    """The case's securities, lots and target as rows, one piece and one symbol at a time."""
    held: dict[str, float] = {}
    for piece in state.ledger.pieces():
        held[piece.symbol] = held.get(piece.symbol, 0.0) + piece.quantity
    price_of = dict(zip(market.symbols, market.prices.tolist(), strict=True))
    securities = Securities.from_rows(
        (symbol, Decimal(f"{price:.4f}"), "us_equity", sector, symbol)
        for symbol, sector, price, weight in zip(
            market.symbols,
            market.sectors,
            market.prices.tolist(),
            market.target.tolist(),
            strict=True,
        )
        if (weight > 0 or held.get(symbol, 0.0) > 0) and price == price
    )
    seen = Counter[str]()
    rows = []
    for piece in state.ledger.pieces():
        n = seen[piece.lot_id]
        seen[piece.lot_id] += 1
        quantity = Decimal(f"{piece.quantity:.0f}")
        basis = Decimal(f"{piece.basis:.2f}")
        price = price_of[piece.symbol]
        if abs(piece.quantity * price - piece.basis) < BREAKEVEN_USD_PER_SHARE * piece.quantity:
            basis = breakeven_basis(basis_usd=basis, value_usd=quantity * Decimal(f"{price:.4f}"))
        rows.append(
            (
                f"{piece.lot_id}|{n}" if n else piece.lot_id,
                piece.symbol,
                quantity,
                basis,
                piece.hp_start,
            )
        )
    target = {
        symbol: Decimal(f"{weight:.6f}")
        for symbol, weight in zip(market.symbols, market.target.tolist(), strict=True)
        if weight > 0
    }
    return securities, Lots.from_rows(rows), target
