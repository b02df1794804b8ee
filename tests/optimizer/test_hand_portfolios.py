"""Small portfolios whose right answer can be worked out by hand."""

from __future__ import annotations

import logging
from decimal import Decimal

from optimizer import optimize_account, result_to_dict
from optimizer.answer import contract_result, no_trades
from optimizer.contract.parse import parse_case
from optimizer.prepare import prepare
from tests.optimizer.invariants import check_invariants


def account(**overrides) -> dict:
    """One bond fund and one stock fund, $100 each, tax-exempt, no costs."""
    case = {
        "as_of": "2025-06-30",
        "account": {"id": "HAND", "tax_status": "tax_exempt", "cash": "0.00"},
        "securities": {
            "STK": {"price": "100.00", "asset_class": "equity", "identical_group": "STK"},
            "BND": {"price": "100.00", "asset_class": "bond", "identical_group": "BND"},
        },
        "lots": [
            {
                "id": "S1",
                "symbol": "STK",
                "quantity": "50",
                "cost_basis": "4000.00",
                "acquired": "2020-01-02",
            },
            {
                "id": "B1",
                "symbol": "BND",
                "quantity": "50",
                "cost_basis": "5000.00",
                "acquired": "2020-01-02",
            },
        ],
        "target": {"STK": "0.50", "BND": "0.50"},
        "preferences": {"trading": {"cost_bps": "0"}},
    }
    for key, value in overrides.items():
        case[key] = value
    return case


def solve(case: dict) -> dict:
    result = result_to_dict(optimize_account(case))
    assert check_invariants(case, result) == []
    return result


def test_on_target_account_gets_no_trades() -> None:
    # given an account exactly at 50/50 with no cash need
    # when
    result = solve(account())

    # then
    assert result["status"] == "optimal"
    assert result["trades"] == []
    assert result["summary"]["drift_before"] == "0.0000"
    assert result["summary"]["drift_after"] == "0.0000"
    assert result["cash_after"] == "0.00"


def test_tax_exempt_rebalance_trades_to_exact_target() -> None:
    # given 50/50 held, 80/20 wanted: sell 30 BND, buy 30 STK
    case = account(target={"STK": "0.80", "BND": "0.20"})

    # when
    result = solve(case)

    # then
    trades = {(t["side"], t["symbol"]): t["quantity"] for t in result["trades"]}
    assert trades == {("sell", "BND"): "30", ("buy", "STK"): "30"}
    assert result["summary"]["drift_after"] == "0.0000"
    assert result["summary"]["estimated_tax"] == "0.00"


def test_withdrawal_is_raised_pro_rata_to_target() -> None:
    # given $10,000 on target and a $2,000 withdrawal
    case = account()
    case["preferences"]["cash"] = {"withdrawal": "2000.00"}

    # when
    result = solve(case)

    # then: 10 shares of each sold, cash 2,000.00
    trades = {(t["side"], t["symbol"]): t["quantity"] for t in result["trades"]}
    assert trades == {("sell", "STK"): "10", ("sell", "BND"): "10"}
    assert result["cash_after"] == "2000.00"
    assert all("raise_cash" in t["reasons"] for t in result["trades"])


def test_no_trades_weighed_against_a_withdrawal_fails_the_check_without_a_warning(
    caplog,
) -> None:
    # given a $2,000 withdrawal from an account with no cash: no trades cannot meet it
    case = account()
    case["preferences"]["cash"] = {"withdrawal": "2000.00"}
    prep = prepare(case=parse_case(case))
    nothing = no_trades(prep)

    # when no trades is only weighed against the answer, then when it is the answer
    with caplog.at_level(logging.DEBUG, logger="optimizer"):
        weighed = contract_result(prep=prep, plan=nothing, rules=(), alternative=True)
        proposed = contract_result(prep=prep, plan=nothing, rules=())

    # then both fail the check; only the proposed one warns
    assert weighed is None and proposed is None
    levels = [r.levelname for r in caplog.records if "answer rejected" in r.getMessage()]
    assert levels == ["DEBUG", "WARNING"]


def test_cash_is_invested_and_costs_are_charged() -> None:
    # given $2,000 of idle cash, 10 bp cost
    case = account(account={"id": "HAND", "tax_status": "tax_exempt", "cash": "2000.00"})
    case["target"] = {"STK": "0.50", "BND": "0.50"}
    case["preferences"]["trading"] = {"cost_bps": "10"}

    # when
    result = solve(case)

    # then: 19 shares in all (20 would leave cash short of the cost), cost 1.90
    trades = {(t["side"], t["symbol"]): int(t["quantity"]) for t in result["trades"]}
    assert set(trades) == {("buy", "STK"), ("buy", "BND")}
    assert sum(trades.values()) == 19
    assert result["summary"]["transaction_cost"] == "1.90"
    assert result["cash_after"] == "98.10"
    assert all("invest_cash" in t["reasons"] for t in result["trades"])


def test_lots_with_the_cheapest_tax_per_share_go_first() -> None:
    # given three STK lots: long-term gain $40/share (tax 8.00), short-term gain $10 (3.70),
    # short-term loss $20 (-7.40); target wants 30 of 90 STK shares sold
    case = account(account={"id": "HAND", "tax_status": "taxable", "cash": "0.00"})
    case["lots"] = [
        {
            "id": "LT",
            "symbol": "STK",
            "quantity": "30",
            "cost_basis": "1800.00",
            "acquired": "2020-01-02",
        },
        {
            "id": "STG",
            "symbol": "STK",
            "quantity": "30",
            "cost_basis": "2700.00",
            "acquired": "2025-03-03",
        },
        {
            "id": "STL",
            "symbol": "STK",
            "quantity": "30",
            "cost_basis": "3600.00",
            "acquired": "2025-03-03",
        },
        {
            "id": "B1",
            "symbol": "BND",
            "quantity": "10",
            "cost_basis": "1000.00",
            "acquired": "2020-01-02",
        },
    ]
    case["target"] = {"STK": "0.60", "BND": "0.40"}

    # when
    result = solve(case)

    # then
    sale = next(t for t in result["trades"] if t["side"] == "sell")
    assert sale["symbol"] == "STK"
    assert [r["lot"] for r in sale["lots"]][0] == "STL"
    assert "tax_loss_harvest" in sale["reasons"]


def test_no_harvest_means_no_sale_for_a_loss_alone() -> None:
    # given an on-target taxable account with a deep loss and a swap partner
    case = account(account={"id": "HAND", "tax_status": "taxable", "cash": "0.00"})
    case["securities"]["STK2"] = {
        "price": "100.00",
        "asset_class": "equity",
        "identical_group": "OTHER",
    }
    case["lots"][0]["cost_basis"] = "9000.00"
    case["preferences"]["tax"] = {"harvest_losses": False}

    # when
    result = solve(case)

    # then
    assert result["trades"] == []


def test_harvest_swaps_into_the_partner_without_a_wash_sale() -> None:
    # given the same account with harvesting on
    case = account(account={"id": "HAND", "tax_status": "taxable", "cash": "0.00"})
    case["securities"]["STK2"] = {
        "price": "100.00",
        "asset_class": "equity",
        "identical_group": "OTHER",
    }
    case["lots"][0]["cost_basis"] = "9000.00"
    # the firm keeps them as tax-swap partners: one line, so the swap is no drift
    case["equivalents"] = [["STK", "STK2"]]

    # when
    result = solve(case)

    # then: STK sold at a loss, STK2 bought, STK not bought back
    sides = {(t["side"], t["symbol"]) for t in result["trades"]}
    assert ("sell", "STK") in sides and ("buy", "STK2") in sides
    assert ("buy", "STK") not in sides
    assert Decimal(result["summary"]["estimated_tax"]) < 0


def test_recent_loss_sale_blocks_buying_the_group() -> None:
    case = account(target={"STK": "0.80", "BND": "0.20"})
    case["wash_sale"] = {"recent_loss_sales": [{"symbol": "STK", "date": "2025-06-15"}]}

    result = solve(case)

    assert not any(t["side"] == "buy" and t["symbol"] == "STK" for t in result["trades"])


def test_loss_sale_older_than_thirty_days_does_not_block() -> None:
    case = account(target={"STK": "0.80", "BND": "0.20"})
    case["wash_sale"] = {"recent_loss_sales": [{"symbol": "STK", "date": "2025-05-30"}]}

    result = solve(case)

    assert any(t["side"] == "buy" and t["symbol"] == "STK" for t in result["trades"])


def test_minimum_trade_drops_small_trades_but_not_a_closing_sale() -> None:
    # given a $50 position to close and a $300 minimum trade
    case = account(target={"STK": "0.50", "BND": "0.50"})
    case["securities"]["OLD"] = {"price": "50.00", "asset_class": "equity"}
    case["lots"].append(
        {
            "id": "O1",
            "symbol": "OLD",
            "quantity": "1",
            "cost_basis": "40.00",
            "acquired": "2020-01-02",
        }
    )
    case["preferences"]["trading"] = {"min_trade_value": "300.00"}

    result = solve(case)

    old = [t for t in result["trades"] if t["symbol"] == "OLD"]
    assert old and old[0]["side"] == "sell" and old[0]["quantity"] == "1"
    assert all(Decimal(t["value"]) >= 300 for t in result["trades"] if t["symbol"] != "OLD")


def test_gain_cap_limits_the_sale() -> None:
    # given STK at a $20/share long-term gain, 80/20 wanted, gain capped at $200
    case = account(
        account={"id": "HAND", "tax_status": "taxable", "cash": "0.00"},
        target={"STK": "0.20", "BND": "0.80"},
    )
    case["preferences"]["tax"] = {"max_realized_gain": "200.00"}

    result = solve(case)

    sale = next(t for t in result["trades"] if t["side"] == "sell")
    assert sale["symbol"] == "STK" and sale["quantity"] == "10"
    assert result["summary"]["realized_long_term_gain"] == "200.00"
    assert any(r["rule"] == "gain_cap" for r in result["summary"]["binding_rules"])


def test_screened_target_moves_to_the_rest_of_its_class() -> None:
    # given STK screened out: its 50% goes to STK2, the rest of equity
    case = account(account={"id": "HAND", "tax_status": "tax_exempt", "cash": "0.00"})
    case["securities"]["STK2"] = {"price": "100.00", "asset_class": "equity"}
    case["preferences"]["screens"] = [{"field": "symbol", "value": "STK"}]

    result = solve(case)

    trades = {(t["side"], t["symbol"]): t for t in result["trades"]}
    assert trades[("sell", "STK")]["quantity"] == "50"
    assert trades[("buy", "STK2")]["quantity"] == "50"
    assert "screen" in trades[("sell", "STK")]["reasons"]


def test_do_not_sell_makes_a_withdrawal_infeasible_with_a_named_conflict() -> None:
    case = account()
    case["preferences"]["restrictions"] = [
        {"symbol": "STK", "type": "do_not_sell"},
        {"symbol": "BND", "type": "hold"},
    ]
    case["preferences"]["cash"] = {"withdrawal": "100.00"}

    result = solve(case)

    assert result["status"] == "infeasible"
    assert "withdrawal of $100.00" in result["message"]
    assert "do-not-sell (STK)" in result["message"] and "on hold (BND)" in result["message"]


def test_whole_share_rounding_never_relieves_more_than_a_lot_holds():
    """Rounding each lot's share of a sale can leave a remainder; it must go to lots with
    room, not onto the last lot (found on a 10,000-account book)."""
    from decimal import Decimal

    import numpy as np

    from optimizer.output import _settle

    pieces = [Decimal("2"), Decimal("3")]
    _settle(pieces, capacity=[Decimal("4"), Decimal("3")], total=Decimal("7"))
    assert pieces == [Decimal("4"), Decimal("3")]
    pieces = [Decimal("4"), Decimal("3")]
    _settle(pieces, capacity=[Decimal("4"), Decimal("3")], total=Decimal("5"))
    assert pieces == [Decimal("4"), Decimal("1")]
    assert np.isclose(float(sum(pieces)), 5.0)
