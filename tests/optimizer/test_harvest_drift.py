"""A direct index's loss harvest raises its effective drift by what the wash-sale rule keeps
out of the harvested stocks, and its proposal says so (`optimizer/harvest_drift.py`); a
rise the harvest does not explain is not flagged."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from optimizer import optimize_account, parse_case
from optimizer.harvest_drift import NO_WASH_SALES_RULE, harvest_forced
from optimizer.payoff import DRIFT_FORCED
from optimizer.prepare import prepare
from optimizer.types import OptimizeResult

STOCKS = {"AAA": "Tech", "BBB": "Tech", "CCC": "Energy", "DDD": "Energy"}


def _direct_index() -> dict:
    """Taxable, $10,000 in four stocks at $100 a share, each 25 % of the target and held at
    25 shares; AAA was bought at $150 (a $1,250 long-term loss), the rest at $100. AAA and
    BBB move together (one Tech factor, 1 %/yr of specific risk each), so selling AAA and
    buying BBB costs little tracking error against the 1 %/yr limit."""
    securities = {
        s: {"price": "100.00", "asset_class": "us_equity", "sector": sector, "identical_group": s}
        for s, sector in STOCKS.items()
    }
    lots = [
        {
            "id": f"L-{s}",
            "symbol": s,
            "quantity": "25",
            "cost_basis": "3750.00" if s == "AAA" else "2500.00",
            "acquired": "2020-01-02",
        }
        for s in STOCKS
    ]
    loadings = {"AAA": ["1", "1", "0"], "BBB": ["1", "1", "0"], "CCC": ["1", "0", "1"]}
    loadings["DDD"] = ["1", "0", "1"]
    return {
        "as_of": "2025-06-30",
        "account": {"id": "DI-HARVEST", "tax_status": "taxable", "cash": "0.00"},
        "securities": securities,
        "lots": lots,
        "target": {s: "0.25" for s in STOCKS},
        "preferences": {
            "trading": {"cost_bps": "0"},
            "risk": {"tracking_error_limit_pct": "1.0"},
        },
        "risk_model": {
            "factors": ["market", "tech", "energy"],
            "factor_covariance": [
                ["0.04", "0", "0"],
                ["0", "0.01", "0"],
                ["0", "0", "0.01"],
            ],
            "securities": {
                s: {"loadings": loadings[s], "specific_variance": "0.0001"} for s in STOCKS
            },
        },
    }


@pytest.fixture(scope="module")
def harvested() -> OptimizeResult:
    result = optimize_account(_direct_index())
    assert result.status == "optimal"
    return result


def test_a_direct_indexs_harvest_raises_drift_flagged_as_forced_by_the_wash_sale_rule(
    harvested: OptimizeResult,
) -> None:
    # given a direct index on its target whose AAA stands at a loss
    summary = harvested.summary
    assert summary is not None

    # then it sells AAA at a loss, cannot buy it back, and puts the money elsewhere: drift
    # rises from 0 by at most what it sold, tracking error stays inside the limit, and the
    # proposal is flagged as forced by the wash-sale rule, naming the harvest and its tax
    sold = {t.symbol: t for t in harvested.trades if t.side == "sell"}
    assert "AAA" in sold and all(lot.gain < 0 for lot in sold["AAA"].lots)
    assert "AAA" not in {t.symbol for t in harvested.trades if t.side == "buy"}
    assert summary.estimated_tax < 0
    assert summary.drift_before == Decimal("0.0000")
    assert Decimal("0.0010") < summary.drift_after <= sold["AAA"].value / Decimal(10_000)
    assert summary.tracking_error_after_pct is not None
    assert summary.tracking_error_after_pct <= Decimal("1.05")
    assert DRIFT_FORCED in summary.flags
    forced = [r for r in summary.binding_rules if r.forced_drift]
    assert [r.rule for r in forced] == [NO_WASH_SALES_RULE]
    detail = forced[0].detail
    assert detail.startswith("loss harvest: $")
    assert "in 1 stock," in detail and f"${-summary.estimated_tax:,.2f} of tax saved" in detail
    assert detail.endswith("not bought back until after 2025-07-30")
    assert [r.rule for r in summary.binding_rules].count(NO_WASH_SALES_RULE) == 1


def _unflagged(result: OptimizeResult, **changes) -> OptimizeResult:
    summary = result.summary
    assert summary is not None
    rules = tuple(r for r in summary.binding_rules if not r.forced_drift)
    bare = replace(summary, flags=(), binding_rules=rules, **changes)
    return replace(result, summary=bare)


def test_a_rise_beyond_what_the_harvest_sold_is_not_flagged(harvested: OptimizeResult) -> None:
    # given the same trades, with drift said to end 1 % above the harvest's footprint, or
    # with tracking error said to end above the limit
    prep = prepare(case=parse_case(_direct_index()))
    sold = sum((t.value for t in harvested.trades if t.side == "sell"), Decimal(0))
    beyond = _unflagged(harvested, drift_after=sold / Decimal(10_000) + Decimal("0.0100"))
    outside = _unflagged(harvested, tracking_error_after_pct=Decimal("1.2000"))
    inside = _unflagged(harvested)

    # then neither is explained by the harvest, and the trades as they are still are
    for result in (beyond, outside):
        assert harvest_forced(result, prep=prep).summary.flags == ()  # type: ignore[union-attr]
    assert DRIFT_FORCED in harvest_forced(inside, prep=prep).summary.flags  # type: ignore[union-attr]


def test_no_harvest_no_flag() -> None:
    # given the same direct index with no loss anywhere
    data = _direct_index()
    data["lots"][0]["cost_basis"] = "2500.00"

    # when
    result = optimize_account(data)

    # then it has nothing to do, and nothing is flagged
    assert result.status == "optimal"
    assert result.trades == ()
    assert result.summary is not None and result.summary.flags == ()
