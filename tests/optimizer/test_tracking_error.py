"""Tracking error as the objective's measure: the limit, what gives way to it, sector and
asset-class limits, and "no trades" unless a proposal pays."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import optimize_account, parse_case, result_to_dict
from optimizer.risk import fallback_model, tracking_error
from tests.optimizer.generators import cases
from tests.optimizer.invariants import check_invariants

TE_TOLERANCE_PCT = Decimal("0.10")
"""Whole shares move weights by up to a share's value; in these accounts ($10,000 to
$2,000,000, share prices up to $400) that moves tracking error by well under 0.1 %/yr."""
SECTOR_TOLERANCE = 0.005
"""Whole-share rounding, likewise, moves a sector's active weight by under 0.5 %."""


def _etf_case(**risk: Any) -> dict[str, Any]:
    """Two equity funds (different identical groups, one asset class, one equivalence set:
    tax-swap partners, so a swap is no drift and tracking error is what it costs) and a
    bond fund; the account holds the first equity fund at a deep loss, on target 50/50."""
    return {
        "as_of": "2025-06-30",
        "account": {"id": "TE", "tax_status": "taxable", "cash": "0.00"},
        "securities": {
            "EQ1": {"price": "100.00", "asset_class": "equity", "identical_group": "EQ1"},
            "EQ2": {"price": "100.00", "asset_class": "equity", "identical_group": "EQ2"},
            "BND": {"price": "100.00", "asset_class": "bond", "identical_group": "BND"},
        },
        "lots": [
            {
                "id": "E",
                "symbol": "EQ1",
                "quantity": "500",
                "cost_basis": "80000.00",
                "acquired": "2024-01-02",
            },
            {
                "id": "B",
                "symbol": "BND",
                "quantity": "500",
                "cost_basis": "50000.00",
                "acquired": "2020-01-02",
            },
        ],
        "target": {"EQ1": "0.50", "BND": "0.50"},
        "equivalents": [["EQ1", "EQ2"]],
        "preferences": {"trading": {"cost_bps": "2"}, "risk": risk},
    }


def _solve(case: dict[str, Any]) -> dict[str, Any]:
    result = result_to_dict(optimize_account(case))
    assert result["status"] == "optimal", result["message"]
    assert check_invariants(case, result) == []
    return result


def _pct(result: dict[str, Any], name: str) -> Decimal:
    return Decimal(result["summary"][name])


def test_without_a_limit_a_deep_loss_is_swapped_almost_whole() -> None:
    # a 60 % loss, long-term at 20 %: 12 cents of tax per dollar sold; swapping u of the
    # account between two funds of 5 %/yr specific risk costs 25 * 0.0025 * 2 u^2, whose
    # slope 0.25 u reaches 0.12 near u = 0.48: about 480 of the 500 shares
    result = _solve(_etf_case())

    trades = {(t["side"], t["symbol"]): t for t in result["trades"]}
    assert 470 <= int(trades[("sell", "EQ1")]["quantity"]) <= 500
    assert ("buy", "EQ2") in trades
    assert _pct(result, "tracking_error_after_pct") > Decimal("3")
    detail = trades[("sell", "EQ1")]["reason_details"]
    harvest = next(d for d in detail if d["code"] == "tax_loss_harvest")
    assert harvest["text"].endswith(" tax saved (loss harvest, replaced by EQ2)")
    assert harvest["unit"] == "USD tax saved" and Decimal(harvest["amount"]) > 5000


def test_the_limit_is_honoured_by_swapping_less() -> None:
    result = _solve(_etf_case(tracking_error_limit_pct="1.0"))

    assert _pct(result, "tracking_error_before_pct") < Decimal("1.0")
    assert _pct(result, "tracking_error_after_pct") <= Decimal("1.0") + TE_TOLERANCE_PCT
    assert "drift_forced" not in result["summary"]["flags"]
    assert result["summary"]["tracking_error_limit_pct"] == "1.0"
    sold = sum(int(t["quantity"]) for t in result["trades"] if t["side"] == "sell")
    assert 0 < sold < 500  # part of the loss is still worth harvesting


def test_a_binding_limit_is_met_and_certified_against_the_same_objective() -> None:
    # the tighter the limit, the less of the loss is worth harvesting: the lower bound (in
    # the account's dollars, the limit's price left out) rises, and each answer sits on
    # its limit within 1 bp of that bound
    bounds = []
    for limit in ("0.25", "1.0", None):
        case = _etf_case(tracking_error_limit_pct=limit) if limit else _etf_case()
        summary = _solve(case)["summary"]
        if limit is not None:
            after = Decimal(summary["tracking_error_after_pct"])
            assert Decimal(limit) - TE_TOLERANCE_PCT <= after <= Decimal(limit) + TE_TOLERANCE_PCT
        assert "drift_forced" not in summary["flags"]
        assert Decimal(summary["certificate_gap_bp"]) <= 1
        bounds.append(Decimal(summary["lower_bound"]))

    assert bounds[0] > bounds[1] > bounds[2]
    assert -3000 < bounds[2] < 0  # a harvest of under $3,000 of tax in a $100,000 account


def test_an_account_inside_its_limit_with_nothing_to_harvest_gets_no_trades() -> None:
    # given a tax-exempt account 2 % off its 50/50 target: tracking error about 0.6 %/yr
    case = _etf_case(tracking_error_limit_pct="1.0")
    case["account"]["tax_status"] = "tax_exempt"
    case["lots"][0]["quantity"] = "520"
    case["lots"][1]["quantity"] = "480"

    result = _solve(case)

    assert result["trades"] == []
    assert _pct(result, "tracking_error_before_pct") < Decimal("1.0")
    assert "inside its 1.00 %/yr limit" in result["summary"]["no_trade_reason"]
    # without the limit the same account is rebalanced
    del case["preferences"]["risk"]["tracking_error_limit_pct"]
    assert _solve(case)["trades"]


def test_a_minimum_benefit_turns_a_small_harvest_into_no_trades() -> None:
    case = _etf_case()
    case["lots"][0]["cost_basis"] = "50500.00"  # a $500 loss: about $185 of tax

    assert _solve(case)["trades"]
    case["preferences"]["risk"] = {"min_benefit": "1000"}
    result = _solve(case)

    assert result["trades"] == []
    assert "minimum benefit of $1,000.00" in result["summary"]["no_trade_reason"]


def test_a_minimum_benefit_in_basis_points_scales_with_the_account() -> None:
    # a $100,000 account whose harvest saves $628 of tax (63 bp of the account)
    case = _etf_case()
    case["lots"][0]["cost_basis"] = "60000.00"
    assert _solve(case)["summary"]["estimated_tax"] == "-628.00"

    # a floor of 20 bp ($200) keeps the harvest; one of 100 bp ($1,000) makes it no trades
    case["preferences"]["risk"] = {"min_benefit_bps": "20"}
    assert _solve(case)["trades"]
    case["preferences"]["risk"] = {"min_benefit_bps": "100"}
    result = _solve(case)

    assert result["trades"] == []
    assert "minimum benefit of $1,000.00" in result["summary"]["no_trade_reason"]
    # the larger of the two minimums applies
    case["preferences"]["risk"] = {"min_benefit_bps": "20", "min_benefit": "1000"}
    assert _solve(case)["trades"] == []


def test_a_withdrawal_that_forces_tracking_error_up_is_flagged_with_its_rule() -> None:
    # given the bond fund may not be sold and $30,000 must be raised
    case = _etf_case(tracking_error_limit_pct="0.5")
    case["account"]["tax_status"] = "tax_exempt"
    case["preferences"]["restrictions"] = [{"symbol": "BND", "type": "hold"}]
    case["preferences"]["cash"] = {"withdrawal": "30000.00"}

    result = _solve(case)

    summary = result["summary"]
    assert _pct(result, "tracking_error_after_pct") > Decimal("0.5")
    assert "drift_forced" in summary["flags"]
    forced = {r["rule"]: r for r in summary["binding_rules"] if r["forced_drift"]}
    assert set(forced) == {"cash_need", "restriction"}
    assert Decimal(forced["cash_need"]["tracking_error_cost_pct"]) > 0
    sale = next(t for t in result["trades"] if t["side"] == "sell")
    assert any(d["text"] == "cash for the $30,000 withdrawal" for d in sale["reason_details"])


def test_a_screen_that_empties_a_sleeve_forces_tracking_error_and_is_named() -> None:
    # given every equity fund screened out: the equity half of the target goes to cash
    case = _etf_case(tracking_error_limit_pct="0.5")
    case["account"]["tax_status"] = "tax_exempt"
    case["preferences"]["screens"] = [{"field": "asset_class", "value": "equity"}]

    result = _solve(case)

    summary = result["summary"]
    assert "drift_forced" in summary["flags"]
    screen = next(r for r in summary["binding_rules"] if r["rule"] == "screen")
    assert screen["forced_drift"] and Decimal(screen["tracking_error_cost_pct"]) > 5


def _sector_case(limit: str | None) -> dict[str, Any]:
    """Four stocks, two sectors, 25 % each; LOSS (Energy) is at a deep loss."""
    stocks = {"LOSS": "Energy", "OIL": "Energy", "SOFT": "Tech", "CHIP": "Tech"}
    case: dict[str, Any] = {
        "as_of": "2025-06-30",
        "account": {"id": "SECT", "tax_status": "taxable", "cash": "0.00"},
        "securities": {
            s: {"price": "100.00", "asset_class": "equity", "sector": sector}
            for s, sector in stocks.items()
        },
        "lots": [
            {
                "id": s,
                "symbol": s,
                "quantity": "250",
                "cost_basis": "25000.00",
                "acquired": "2020-01-02",
            }
            for s in stocks
        ],
        "target": dict.fromkeys(stocks, "0.25"),
        "preferences": {"risk": {"sector_limit_pct": limit}},
    }
    case["lots"][0]["cost_basis"] = "60000.00"
    return case


def _sector_active(case: dict[str, Any], result: dict[str, Any], sector: str) -> float:
    held = {lot["symbol"]: Decimal(lot["quantity"]) for lot in case["lots"]}
    for t in result["trades"]:
        sign = 1 if t["side"] == "buy" else -1
        held[t["symbol"]] = held.get(t["symbol"], Decimal(0)) + sign * Decimal(t["quantity"])
    prices = {s: Decimal(v["price"]) for s, v in case["securities"].items()}
    value = sum((q * prices[s] for s, q in held.items()), Decimal(0)) + Decimal(
        result["cash_after"]
    )
    return float(
        sum(
            held.get(s, Decimal(0)) * prices[s] / value - Decimal(case["target"].get(s, "0"))
            for s, spec in case["securities"].items()
            if spec["sector"] == sector
        )
    )


def test_a_screen_and_a_substitution_that_force_drift_only_together_are_both_named() -> None:
    # given a target all in S0, a substitution of S0 by S1 and a screen on their sector,
    # which takes S1 away too: no one rule alone moves the target, the two together make it
    # all cash
    energy = {"asset_class": "class0", "sector": "Energy"}
    case = {
        "as_of": "2025-06-30",
        "account": {"id": "BOTH", "cash": "0.00", "tax_status": "taxable"},
        "securities": {
            "S0": {"price": "5.00", "identical_group": "G0"} | energy,
            "S1": {"price": "5.00", "identical_group": "G1"} | energy,
        },
        "lots": [
            {
                "id": "L0",
                "symbol": "S1",
                "quantity": "1",
                "cost_basis": "5.00",
                "acquired": "2025-06-29",
            }
        ],
        "target": {"S0": "1.0"},
        "preferences": {
            "screens": [{"field": "sector", "value": "Energy"}],
            "substitutions": [{"from": "S0", "to": "S1"}],
            "trading": {"min_trade_value": "0", "cost_bps": "0"},
            "risk": {"tracking_error_limit_pct": "0.25"},
        },
    }

    # when
    result = _solve(case)

    # then S1 is sold for the screen, the drift is forced, and both rules say so
    assert [(t["symbol"], t["side"]) for t in result["trades"]] == [("S1", "sell")]
    assert "drift_forced" in result["summary"]["flags"]
    forcing = {r["rule"] for r in result["summary"]["binding_rules"] if r["forced_drift"]}
    assert forcing == {"screen", "substitution"}


def test_a_cap_that_asks_for_a_loss_keeps_its_whole_share_sale_and_says_so() -> None:
    # given one share of S1 (the whole target) at a $2.50 loss, and a short-term cap of
    # -$0.01: the client must realize at least a cent of short-term loss tonight, and the
    # smallest sale is the whole share
    case = {
        "as_of": "2025-06-30",
        "account": {"id": "CAP", "cash": "0.00", "tax_status": "taxable"},
        "securities": {
            "S0": {"price": "5.00", "asset_class": "class0", "identical_group": "G0"},
            "S1": {"price": "5.00", "asset_class": "class0", "identical_group": "G1"},
        },
        "lots": [
            {
                "id": "L1",
                "symbol": "S1",
                "quantity": "1",
                "cost_basis": "7.50",
                "acquired": "2025-06-29",
            }
        ],
        "target": {"S1": "1.0"},
        "preferences": {
            "tax": {"max_short_term_gain": "-0.01"},
            "trading": {"min_trade_value": "0", "cost_bps": "0"},
            "risk": {"tracking_error_limit_pct": "0.25"},
        },
    }

    # when
    result = _solve(case)

    # then the share is sold (no trades would break the cap), and the drift it forces
    # is flagged, whole shares named
    assert [(t["symbol"], t["side"]) for t in result["trades"]] == [("S1", "sell")]
    assert "drift_forced" in result["summary"]["flags"]
    assert any(
        r["rule"] == "whole_shares" and r["forced_drift"]
        for r in result["summary"]["binding_rules"]
    )


def test_two_gain_caps_that_forbid_the_sale_only_together_are_both_named() -> None:
    # given a target all in cash, one share of S2 at a $2.50 short-term gain, and caps of
    # $0 on net realized gain and on net short-term gain: either cap alone forbids the sale
    case = {
        "as_of": "2025-06-30",
        "account": {"id": "CAPS", "cash": "0.00", "tax_status": "taxable"},
        "securities": {
            "S2": {"price": "5.00", "asset_class": "class0", "identical_group": "G2"},
        },
        "lots": [
            {
                "id": "L2",
                "symbol": "S2",
                "quantity": "1",
                "cost_basis": "2.50",
                "acquired": "2025-06-29",
            }
        ],
        "target": {},
        "preferences": {
            "tax": {"max_realized_gain": "0.00", "max_short_term_gain": "0.00"},
            "trading": {"min_trade_value": "0", "cost_bps": "0"},
            "risk": {"tracking_error_limit_pct": "0.25"},
        },
    }

    # when
    result = _solve(case)

    # then nothing is sold, the drift is forced, and both caps are named as forcing it
    assert result["trades"] == []
    assert "drift_forced" in result["summary"]["flags"]
    forcing = [r["detail"] for r in result["summary"]["binding_rules"] if r["forced_drift"]]
    assert len(forcing) == 2
    assert {d.split()[0] for d in forcing} == {"max_realized_gain", "max_short_term_gain"}


def test_a_sector_limit_keeps_the_harvest_inside_its_sector() -> None:
    free = _sector_case(None)
    unlimited = _solve(free)
    assert _sector_active(free, unlimited, "Energy") < -0.05  # spread over every stock

    limited_case = _sector_case("2")
    limited = _solve(limited_case)

    assert any(t["symbol"] == "LOSS" and t["side"] == "sell" for t in limited["trades"])
    assert abs(_sector_active(limited_case, limited, "Energy")) <= 0.02 + SECTOR_TOLERANCE


def _risk_section(case: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """A random 3-factor model over the case's securities."""
    mix = rng.normal(size=(3, 3)) * 0.1
    return {
        "factors": ["market", "f1", "f2"],
        "factor_covariance": (mix @ mix.T + np.eye(3) * 0.01).tolist(),
        "securities": {
            s: {
                "loadings": [float(rng.normal(1.0, 0.2)), float(rng.normal()), float(rng.normal())],
                "specific_variance": float(rng.uniform(0.001, 0.09)),
            }
            for s in case["securities"]
        },
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=cases(),
    seed=st.integers(0, 2**16),
    limit=st.sampled_from(["0.25", "0.5", "1.0", "3.0"]),
    sector_limit=st.sampled_from([None, "1", "5"]),
    with_model=st.booleans(),
)
def test_every_optimal_answer_keeps_its_limits_or_says_what_forced_it(
    case: dict[str, Any], seed: int, limit: str, sector_limit: str | None, with_model: bool
) -> None:
    case = copy.deepcopy(case)
    if with_model:
        case["risk_model"] = _risk_section(case, np.random.default_rng(seed))
    case.setdefault("preferences", {})["risk"] = {
        "tracking_error_limit_pct": limit,
        "sector_limit_pct": sector_limit,
    }

    result = result_to_dict(optimize_account(case))

    if result["status"] != "optimal":
        return
    assert check_invariants(case, result) == []
    summary = result["summary"]
    before = Decimal(summary["tracking_error_before_pct"])
    after = Decimal(summary["tracking_error_after_pct"])
    forced = "drift_forced" in summary["flags"]
    empty = not case.get("lots") and Decimal(case["account"]["cash"]) <= 0
    if not forced:
        if not empty:  # an empty account has nothing to track with: no ceiling
            assert after <= Decimal(limit) + TE_TOLERANCE_PCT, summary
    else:
        assert any(r["forced_drift"] for r in summary["binding_rules"]), summary
    if not result["trades"]:
        assert summary["no_trade_reason"]
    prefs = case["preferences"]
    if sector_limit is not None and not prefs.get("screens") and not prefs.get("substitutions"):
        _assert_sectors_within(case, result, limit=float(sector_limit) / 100, forced=forced)
    # the reported tracking error is the risk model's own
    typed = parse_case(case)
    model = typed.risk_model or fallback_model(typed.securities)
    held: dict[str, Decimal] = {}
    for lot in case.get("lots") or []:
        held[lot["symbol"]] = held.get(lot["symbol"], Decimal(0)) + Decimal(lot["quantity"])
    prices = {s: Decimal(v["price"]) for s, v in case["securities"].items()}
    cash = Decimal(case["account"].get("cash") or 0)
    value = cash + sum((q * prices[s] for s, q in held.items()), Decimal(0))
    # once the cash has paid what it can of a pending withdrawal
    withdrawal = Decimal((prefs.get("cash") or {}).get("withdrawal") or 0)
    value -= min(withdrawal, max(cash, Decimal(0)))
    if value > 0:
        active = np.array(
            [
                float(
                    held.get(s, Decimal(0)) * prices[s] / value
                    - Decimal((case.get("target") or {}).get(s, "0"))
                )
                for s in model.symbols
            ]
        )
        assert abs(tracking_error(active, model) * 100 - float(before)) < 1e-3


def _assert_sectors_within(
    case: dict[str, Any], result: dict[str, Any], *, limit: float, forced: bool
) -> None:
    """Every sector's active weight after the trades (and the withdrawal) is within the
    limit, or no further out than before, give or take a share of each security (whole
    shares), unless the answer says the limit gave way."""
    prices = {s: Decimal(v["price"]) for s, v in case["securities"].items()}
    held: dict[str, Decimal] = {}
    for lot in case.get("lots") or []:
        held[lot["symbol"]] = held.get(lot["symbol"], Decimal(0)) + Decimal(lot["quantity"])
    value = Decimal(case["account"].get("cash") or 0) + sum(
        (q * prices[s] for s, q in held.items()), Decimal(0)
    )
    after = dict(held)
    for t in result["trades"]:
        sign = 1 if t["side"] == "buy" else -1
        after[t["symbol"]] = after.get(t["symbol"], Decimal(0)) + sign * Decimal(t["quantity"])
    withdrawal = Decimal(((case["preferences"].get("cash") or {}).get("withdrawal")) or 0)
    value_after = (
        Decimal(result["cash_after"])
        - withdrawal
        + sum((q * prices[s] for s, q in after.items()), Decimal(0))
    )
    if value <= 0 or value_after <= 0 or forced:
        return
    target = {s: Decimal(w) for s, w in (case.get("target") or {}).items()}
    for sector in {v.get("sector") for v in case["securities"].values()} - {None}:
        members = [s for s, v in case["securities"].items() if v.get("sector") == sector]
        before = float(
            sum(
                (held.get(s, 0) * prices[s] / value - target.get(s, 0) for s in members), Decimal(0)
            )
        )
        now = float(
            sum(
                (after.get(s, 0) * prices[s] / value_after - target.get(s, 0) for s in members),
                Decimal(0),
            )
        )
        slack = float(sum((prices[s] for s in members), Decimal(0)) / value_after) + 1e-4
        assert abs(now) <= max(limit, abs(before)) + slack, (sector, before, now, limit)


def test_a_screened_holding_is_sold_where_its_tax_is_less_than_the_objective_weighs_it() -> None:
    # given the equity fund screened out and held at a 40 % gain: selling it into its
    # partner costs $3,800 of tax, more than the tracking error the risk model sees it remove
    # ($3,117) but less than what the objective weighs an excluded holding at (at least a
    # single stock's specific risk)
    case = _etf_case(tracking_error_limit_pct="0.5")
    case["lots"][0]["cost_basis"] = "30000.00"
    case["preferences"]["screens"] = [{"field": "symbol", "value": "EQ1"}]

    result = _solve(case)

    # then the proposal the solve chose stands: the screened fund is sold, the screen named
    summary = result["summary"]
    sold = sum(Decimal(t["quantity"]) for t in result["trades"] if t["symbol"] == "EQ1")
    assert sold >= 450 and not summary["no_trade_reason"]
    assert Decimal(summary["estimated_tax"]) > 3000
    assert Decimal(summary["certificate_gap_bp"]) < 1
    assert "drift_forced" in summary["flags"]


def test_a_screened_holding_whose_tax_outweighs_it_is_kept() -> None:
    # given a screened equity fund that is 2 % of the account at a 90 % gain: its tax (about
    # 0.36 % of the account) is more than the objective weighs the holding at (about 0.06 %)
    case = _etf_case(tracking_error_limit_pct="0.5")
    case["lots"][0].update(quantity="20", cost_basis="200.00")
    case["lots"][1].update(quantity="980", cost_basis="98000.00")
    case["target"] = {"EQ1": "0.02", "BND": "0.98"}
    case["preferences"]["screens"] = [{"field": "symbol", "value": "EQ1"}]

    result = _solve(case)

    # then it is kept: no trade of it pays
    assert not [t for t in result["trades"] if t["symbol"] == "EQ1"]
