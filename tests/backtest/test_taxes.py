"""The back-test's yearly tax, with full and with realistic loss use (Schedule D)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from backtest.after_tax import account_tax
from backtest.ledger import Realized
from backtest.simulator import AccountRun, TaxRates
from backtest.taxes import FULL, REALISTIC, year_taxes


def _row(sold: date, gain: float, *, long_term: bool) -> Realized:
    return Realized(
        sale="s",
        lot="l",
        symbol="X",
        quantity=1,
        acquired=date(2000, 1, 3),
        sold=sold,
        proceeds=max(gain, 0.0) + 100.0,
        basis=100.0 - min(gain, 0.0),
        gain=gain,
        long_term=long_term,
    )


ROWS = [
    _row(date(2008, 10, 1), -10_000.0, long_term=False),
    _row(date(2010, 3, 1), 12_000.0, long_term=True),
]


def _taxes(loss_use: str, other: float = 0.0) -> dict[int, float]:
    return year_taxes(
        rows=ROWS,
        years=range(2008, 2011),
        short_term_rate=0.35,
        long_term_rate=0.15,
        loss_use=loss_use,
        other_gains_usd=other,
    ).by_year


def test_full_loss_use_refunds_the_whole_loss_at_its_rate_the_year_it_is_realized():
    assert _taxes(FULL) == {2008: -3_500.0, 2009: 0.0, 2010: 1_800.0}


def test_realistic_use_deducts_3000_a_year_and_carries_the_rest_into_the_gain_year():
    # 2008: 3,000 deducted at 35 %, 7,000 carried short-term; 2009: 3,000 more, 4,000
    # carried; 2010: the 12,000 long-term gain less the 4,000 is taxed at 15 %.
    taxes = year_taxes(
        rows=ROWS,
        years=range(2008, 2011),
        short_term_rate=0.35,
        long_term_rate=0.15,
        loss_use=REALISTIC,
    )

    assert taxes.by_year == {2008: -1_050.0, 2009: -1_050.0, 2010: 1_200.0}
    assert taxes.carried_out.total_usd == 0


def test_other_gains_let_the_loss_offset_them_at_their_rate():
    # 2008: the 10,000 loss offsets 10,000 of the 20,000 elsewhere: 1,500 saved.
    assert _taxes(REALISTIC, other=20_000.0) == {2008: -1_500.0, 2009: 0.0, 2010: 1_800.0}


def test_a_loss_use_must_be_named():
    with pytest.raises(ValueError, match="loss_use"):
        _taxes("some")


def test_the_carryforward_is_reported_held_and_liquidated():
    """A $10,000 short-term loss in 2020: $3,000 deducted in 2020 and $3,000 in 2021, so
    $4,000 is carried out of 2021 with the portfolio held. Liquidated on the last day, the
    $20,000 long-term gain of the open lots absorbs the carry, so none is left."""
    # given
    days = (date(2020, 6, 1), date(2021, 6, 1), date(2021, 12, 31))
    run = AccountRun(
        account="A",
        policy="p",
        entry=0,
        value_usd=np.array([100_000.0, 100_000.0, 100_000.0]),
        external_flow_usd=np.zeros(3),
        tax_flow_usd=np.zeros(3),
        bought_usd=np.zeros(3),
        sold_usd=np.zeros(3),
        realized=[_row(date(2020, 6, 1), -10_000.0, long_term=False)],
        liquidation_tax_usd=3_000.0,
        liquidation_long_usd=20_000.0,
    )
    # when
    taxed = account_tax(
        run=run,
        days=days,
        rates=TaxRates(short_term=0.35, long_term=0.15),
        loss_use=REALISTIC,
        other_gains_usd=0.0,
    )
    # then
    assert taxed.carryforward_usd == 4_000.0
    assert taxed.carryforward_liquidated_usd == 0.0


def test_the_nightly_policy_sees_the_filers_schedule_d_position():
    # given a $10,000 short-term loss in 2020 ($3,000 deducted, $7,000 carried into 2021)
    # and, in 2021, a $2,000 long-term gain and a $500 short-term loss so far
    from backtest.nightly import TaxPosition

    rows = [
        _row(date(2020, 3, 2), -10000.0, long_term=False),
        _row(date(2021, 2, 1), 2000.0, long_term=True),
        _row(date(2021, 5, 3), -500.0, long_term=False),
    ]
    position = TaxPosition(rates=TaxRates(short_term=0.35, long_term=0.15), other_gains_usd=0.0)

    # when the optimizer runs in March 2020 (before the loss) and in June 2021
    march = position.inputs(realized=rows[:0], day=date(2020, 3, 1))
    june = position.inputs(realized=rows, day=date(2021, 6, 1))

    # then
    assert march.realized_short_term == Decimal("0.00")
    assert june.carryforward_short_term == Decimal("7000.00")
    assert june.carryforward_long_term == Decimal("0")
    assert june.realized_long_term == Decimal("2000.00")
    assert june.realized_short_term == Decimal("-500.00")
