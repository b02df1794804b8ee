"""A fund account's proposal never raises its effective drift unless its cash need forces it,
and then says so (`optimizer/drift_cap.py`)."""

from __future__ import annotations

from decimal import Decimal

from optimizer import optimize_account, parse_case
from optimizer.drift import drift_is_measure
from optimizer.payoff import DRIFT_FORCED
from tests.optimizer.test_drift import etf_case


def _correlated_case(**overrides) -> dict:
    """Taxable, $10,000 at $100 a share: VTI 65 % (bought at $50), BND 15 %, VEA 20 %
    (bought at $150: a loss) against VTI 60 %, VEA 20 %, BND 20 %. The risk model holds
    VTI and VEA as one equity factor, so selling VEA at a loss and buying VTI lowers
    tracking error (1.03 %/yr, above its 0.5 %/yr limit) as well as selling VTI at a gain,
    and it saves tax: the tracking-error answer sells all the VEA and leaves drift at 20 %."""
    data = etf_case(
        holdings={"VTI": 65, "BND": 15},
        target={"VTI": "0.60", "VEA": "0.20", "BND": "0.20"},
        **overrides,
    )
    data["account"]["tax_status"] = "taxable"
    data["lots"][0]["cost_basis"] = "3250.00"
    data["lots"].append(
        {
            "id": "L-VEA",
            "symbol": "VEA",
            "quantity": "20",
            "cost_basis": "3000.00",
            "acquired": "2025-01-02",
        }
    )
    data["risk_model"] = {
        "factors": ["equity"],
        "factor_covariance": [["0.04"]],
        "securities": {
            "VTI": {"loadings": ["1.0"], "specific_variance": "0.0001"},
            "VEA": {"loadings": ["1.0"], "specific_variance": "0.0004"},
            "BND": {"loadings": ["0.0"], "specific_variance": "0.0025"},
        },
    }
    data["preferences"]["risk"] = {"tracking_error_limit_pct": "0.5"}
    return data


def test_a_fund_accounts_proposal_does_not_raise_its_effective_drift() -> None:
    # given a fund account whose tracking-error answer would raise drift from 5 % to 20 %
    data = _correlated_case()

    # when
    result = optimize_account(data)

    # then drift ends where it started, inside the tracking-error limit, unflagged, and
    # the loss on VEA is harvested as far as that allows
    assert result.status == "optimal"
    summary = result.summary
    assert summary is not None
    assert summary.drift_before == Decimal("0.0500")
    assert summary.drift_after <= summary.drift_before
    assert summary.tracking_error_after_pct is not None
    assert summary.tracking_error_after_pct <= Decimal("0.5")
    assert DRIFT_FORCED not in summary.flags
    assert not any(r.forced_drift for r in summary.binding_rules)
    assert ("sell", "VEA") in {(t.side, t.symbol) for t in result.trades}
    assert summary.estimated_tax < 0


def test_a_withdrawal_that_raises_drift_is_flagged_as_forced_by_the_cash_need() -> None:
    # given a fund account on its target with no cash and a $1,000 withdrawal
    prefs = {"trading": {"cost_bps": "0"}, "cash": {"min": "0", "withdrawal": "1000.00"}}
    data = etf_case(holdings={"VTI": 60, "BND": 40}, preferences=prefs)

    # when
    result = optimize_account(data)

    # then it sells $1,000, which leaves the cash 10 % of the account against none in the
    # target: drift rises by that, flagged as forced by the withdrawal, at that cost
    assert result.status == "optimal"
    summary = result.summary
    assert summary is not None
    assert sum(t.value for t in result.trades if t.side == "sell") == Decimal("1000.00")
    assert (summary.drift_before, summary.drift_after) == (Decimal("0.0000"), Decimal("0.1000"))
    assert DRIFT_FORCED in summary.flags
    forced = [r for r in summary.binding_rules if r.forced_drift]
    assert [(r.rule, r.detail, r.drift_cost) for r in forced] == [
        ("cash_need", "withdrawal $1,000.00", Decimal("0.1000"))
    ]


def test_drift_is_the_measure_of_a_fund_target_and_not_of_a_direct_index() -> None:
    # given a fund target, and one that holds a stock
    funds = parse_case(etf_case(holdings={"VTI": 60, "BND": 40}))
    data = etf_case(holdings={"VTI": 60}, target={"VTI": "0.60", "XOM": "0.40"})
    data["securities"]["XOM"] = {"price": "100.00", "asset_class": "us_equity", "sector": "Energy"}

    # then
    assert drift_is_measure(case=funds)
    assert not drift_is_measure(case=parse_case(data))


def test_a_cap_cut_past_zero_by_whole_shares_gives_no_trades_not_a_forced_answer() -> None:
    # given a fund account of about $10,000 in few, dear shares (VTI $411.90, VEA $137.41,
    # BND $233.17), all three at a loss, 1.9 % from its target, whose tracking-error
    # answer (limit 5 %/yr) would sell the bonds and the VEA and take drift to 40 %; under
    # the drift cap whole shares overshoot it, and cutting the cap by the overshoot takes it
    # below zero
    data = _correlated_case()
    prices = {"VTI": "411.90", "VEA": "137.41", "BND": "233.17"}
    for symbol, price in prices.items():
        data["securities"][symbol]["price"] = price
    data["lots"] = [
        {"id": f"L-{s}", "symbol": s, "quantity": q, "cost_basis": b, "acquired": "2025-01-02"}
        for s, q, b in (
            ("VTI", "14", "5478.27"),
            ("VEA", "15", "2885.61"),
            ("BND", "9", "2308.38"),
        )
    ]
    data["preferences"]["risk"] = {"tracking_error_limit_pct": "5"}

    # when
    result = optimize_account(data)

    # then no trades: the cap is cut no further than zero, and the first answer is not
    # passed off as forced by the tracking-error limit, which it is well inside
    summary = result.summary
    assert result.status == "optimal" and summary is not None
    assert summary.drift_after <= summary.drift_before
    assert not any(r.forced_drift for r in summary.binding_rules)
    assert DRIFT_FORCED not in summary.flags
