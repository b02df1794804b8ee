"""A short-term lot at a gain that turns long-term within the wait is kept, unless the cash
need cannot be met without it."""

from __future__ import annotations

import pytest

from optimizer import optimize_account, result_to_dict
from optimizer.api import RELEASED_WAIT
from tests.optimizer.invariants import check_invariants


def account(*, wait: int | None, withdrawal: str = "0.00") -> dict:
    """STK bought 2024-07-09 at $40 (a short-term gain of $3,000), long-term from
    2025-07-10, ten days after the as-of date; far over its target; BND under."""
    tax: dict = {"short_term_rate": "0.20", "long_term_rate": "0.15"}
    if wait is not None:
        tax["long_term_wait_days"] = wait
    return {
        "as_of": "2025-06-30",
        "account": {"id": "WAIT", "tax_status": "taxable", "cash": "0.00"},
        "securities": {
            "STK": {"price": "100.00", "asset_class": "equity", "identical_group": "STK"},
            "BND": {"price": "100.00", "asset_class": "bond", "identical_group": "BND"},
        },
        "lots": [
            {
                "id": "S1",
                "symbol": "STK",
                "quantity": "50",
                "cost_basis": "2000.00",
                "acquired": "2024-07-09",
            },
            {
                "id": "B1",
                "symbol": "BND",
                "quantity": "10",
                "cost_basis": "1000.00",
                "acquired": "2020-01-02",
            },
        ],
        "target": {"STK": "0.20", "BND": "0.80"},
        "preferences": {
            "tax": tax,
            "trading": {"cost_bps": "0"},
            "cash": {"withdrawal": withdrawal},
        },
    }


def solve(case: dict) -> dict:
    result = result_to_dict(optimize_account(case))
    assert check_invariants(case, result) == []
    return result


def _sold(result: dict) -> dict:
    return {t["symbol"]: t["quantity"] for t in result["trades"] if t["side"] == "sell"}


def test_without_a_wait_the_short_term_gain_is_sold_to_rebalance():
    result = solve(account(wait=None))
    assert result["status"] == "optimal"
    assert "STK" in _sold(result)
    assert not [r for r in result["summary"]["binding_rules"] if r["rule"] == "long_term_wait"]


def test_a_lot_ten_days_from_long_term_is_kept_and_the_proposal_says_until_when():
    result = solve(account(wait=30))
    assert result["status"] == "optimal"
    assert "STK" not in _sold(result)
    (rule,) = [r for r in result["summary"]["binding_rules"] if r["rule"] == "long_term_wait"]
    assert rule["detail"] == "waiting for long-term on 2025-07-10"


def test_a_wait_shorter_than_the_days_left_does_not_hold_the_lot():
    assert "STK" in _sold(solve(account(wait=9)))
    assert "STK" not in _sold(solve(account(wait=10)))


def test_a_cash_need_that_only_the_lot_can_meet_sells_it_and_says_so():
    # $1,000 of BND cannot meet a $3,000 withdrawal: STK must be sold
    result = solve(account(wait=30, withdrawal="3000.00"))
    assert result["status"] == "optimal"
    assert "STK" in _sold(result)
    assert result["message"] == RELEASED_WAIT


@pytest.mark.parametrize("wait", [-1, 2.5, 366, "soon"])
def test_a_bad_wait_is_refused_naming_the_field(wait):
    result = result_to_dict(optimize_account(account(wait=wait)))
    assert result["status"] == "invalid"
    assert "preferences.tax.long_term_wait_days" in result["message"]
