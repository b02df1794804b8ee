"""Property tests: random accounts, every invariant of the contract on every answer."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from optimizer import optimize_account, result_to_dict
from tests.optimizer.generators import cases
from tests.optimizer.invariants import check_invariants


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_every_optimal_answer_meets_all_nine_invariants(case: dict) -> None:
    # when
    result = result_to_dict(optimize_account(case))

    # then
    assert result["status"] in ("optimal", "infeasible"), result["message"]
    if result["status"] == "infeasible":
        assert result["message"] and not result["trades"]
        trading = case["preferences"]["trading"]
        if trading["fractional_shares"] and trading["min_trade_value"] == "0":
            assert "whole-share" not in result["message"]
    assert check_invariants(case, result) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(simple=True), exempt=st.booleans())
def test_an_account_already_on_target_with_nothing_to_do_gets_no_trades(
    case: dict, exempt: bool
) -> None:
    # given the account's own weights as its target, no gain caps, no cash need and, in a
    # taxable account, no loss to harvest
    prices = {s: Decimal(v["price"]) for s, v in case["securities"].items()}
    held: dict[str, Decimal] = {}
    for lot in case["lots"]:
        held[lot["symbol"]] = held.get(lot["symbol"], Decimal(0)) + Decimal(lot["quantity"])
        if not exempt:
            lot["cost_basis"] = str(
                (Decimal(lot["quantity"]) * prices[lot["symbol"]] / 2).quantize(Decimal("0.01"))
            )
    value = Decimal(case["account"]["cash"]) + sum(q * prices[s] for s, q in held.items())
    assume(value > 0)
    case["target"] = {
        s: str((q * prices[s] / value).quantize(Decimal("1e-10"))) for s, q in held.items()
    }
    case["account"]["tax_status"] = "tax_exempt" if exempt else "taxable"
    case["preferences"]["tax"].update(max_realized_gain=None, max_short_term_gain=None)
    case["preferences"]["cash"] = {"min": "0", "withdrawal": "0"}
    case["wash_sale"] = {}

    # when
    result = result_to_dict(optimize_account(case))

    # then
    assert result["status"] == "optimal"
    assert result["trades"] == []
    assert check_invariants(case, result) == []
