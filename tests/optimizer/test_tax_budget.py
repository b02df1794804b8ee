"""The annual tax budget: tonight's room in dollars of tax, at the filer's marginal
Schedule D rates, figures worked by hand. STK: 80 shares at $100 bought for $4,000 (a
long-term gain of $50 a share), BND 20 shares; target 50/50, so unbounded the account
sells 28 STK ($1,400 of gain, $280 of tax at 0.20)."""

from __future__ import annotations

from decimal import Decimal

from optimizer import optimize_account, result_to_dict
from tests.optimizer.invariants import check_invariants


def account(*, max_tax: str | None, schedule_d: dict | None = None, **cash: str) -> dict:
    tax: dict = {"short_term_rate": "0.37", "long_term_rate": "0.20"}
    if max_tax is not None:
        tax["max_tax"] = max_tax
    if schedule_d is not None:
        tax["schedule_d"] = schedule_d
    return {
        "as_of": "2025-06-30",
        "account": {"id": "BUDGET", "tax_status": "taxable", "cash": "0.00"},
        "securities": {
            "STK": {"price": "100.00", "asset_class": "equity", "identical_group": "STK"},
            "BND": {"price": "100.00", "asset_class": "bond", "identical_group": "BND"},
        },
        "lots": [
            {
                "id": "S1",
                "symbol": "STK",
                "quantity": "80",
                "cost_basis": "4000.00",
                "acquired": "2020-01-02",
            },
            {
                "id": "B1",
                "symbol": "BND",
                "quantity": "20",
                "cost_basis": "2000.00",
                "acquired": "2020-01-02",
            },
        ],
        "target": {"STK": "0.50", "BND": "0.50"},
        "preferences": {"tax": tax, "trading": {"cost_bps": "0"}, "cash": cash},
    }


def solve(case: dict) -> dict:
    result = result_to_dict(optimize_account(case))
    assert result["status"] == "optimal", result
    assert check_invariants(case, result) == []
    return result


def sold(result: dict) -> Decimal:
    return sum(
        (Decimal(t["quantity"]) for t in result["trades"] if t["side"] == "sell"), Decimal(0)
    )


def test_without_a_budget_the_account_sells_what_the_trade_off_gives():
    assert sold(solve(account(max_tax=None))) == 28


def test_a_100_dollar_budget_at_20_percent_sells_500_dollars_of_gain():
    result = solve(account(max_tax="100", schedule_d={"realized_long_term": "20000"}))

    assert sold(result) == 10
    summary = result["summary"]
    assert summary["schedule_d_tax_before"] == "4000.00"
    assert summary["schedule_d_tax_after"] == "4100.00"
    assert summary["tax_budget_left"] == "0.00"


def test_a_spent_budget_realizes_no_further_gain():
    result = solve(account(max_tax="0", schedule_d={"realized_long_term": "20000"}))

    assert result["trades"] == []
    assert result["summary"]["tax_budget_left"] == "0.00"


def test_a_gain_that_takes_back_a_deducted_loss_costs_the_ordinary_rate():
    # $300 of long-term loss carried in and no gains: the year deducts $300 (saves $111).
    # A dollar of gain tonight takes a dollar back from the deduction (0.37): $100 of room
    # buys $270 of gain, 5 whole shares ($250): the deduction falls to $50 (saves $18.50),
    # so $92.50 of the budget is spent and $7.50 left
    result = solve(account(max_tax="100", schedule_d={"carryforward_long_term": "300"}))

    assert sold(result) == 5
    summary = result["summary"]
    assert summary["schedule_d_tax_before"] == "-111.00"
    assert summary["schedule_d_tax_after"] == "-18.50"
    assert summary["tax_budget_left"] == "7.50"


def test_a_cash_need_the_budget_cannot_pay_for_is_reported_naming_the_budget():
    case = account(max_tax="0", withdrawal="5000")

    result = result_to_dict(optimize_account(case))

    assert result["status"] == "infeasible"
    assert "tax budget" in result["message"]
