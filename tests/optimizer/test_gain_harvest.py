"""Gain harvesting: long-term gains realized up to the client's amount and bought back."""

from __future__ import annotations

from optimizer import optimize_account, result_to_dict
from optimizer.gain_harvest import REASON_TEXT
from tests.optimizer.invariants import check_invariants


def account(*, up_to: str | None, wash_sale: dict | None = None) -> dict:
    """On target (all in STK): S1 100 shares at $40 and S2 100 at $80, both long-term;
    STK is at $100, so S1 gains $60 a share and S2 $20; a 0 % long-term rate."""
    tax: dict = {"short_term_rate": "0.10", "long_term_rate": "0.00"}
    if up_to is not None:
        tax["harvest_gains_up_to"] = up_to
    case = {
        "as_of": "2025-06-30",
        "account": {"id": "HARVEST", "tax_status": "taxable", "cash": "0.00"},
        "securities": {
            "STK": {"price": "100.00", "asset_class": "equity", "identical_group": "STK"},
        },
        "lots": [
            {
                "id": "S1",
                "symbol": "STK",
                "quantity": "100",
                "cost_basis": "4000.00",
                "acquired": "2020-01-02",
            },
            {
                "id": "S2",
                "symbol": "STK",
                "quantity": "100",
                "cost_basis": "8000.00",
                "acquired": "2021-01-04",
            },
        ],
        "target": {"STK": "1.00"},
        "preferences": {"tax": tax, "trading": {"cost_bps": "0"}},
    }
    if wash_sale is not None:
        case["wash_sale"] = wash_sale
    return case


def solve(case: dict) -> dict:
    result = result_to_dict(optimize_account(case))
    assert result["status"] == "optimal", result["message"]
    assert check_invariants(case, result) == []
    return result


def test_without_the_menu_an_account_on_target_gets_no_trades():
    result = solve(account(up_to=None))

    assert result["trades"] == []
    assert "gain_harvested" not in result["summary"]


def test_gains_are_harvested_up_to_the_amount_and_the_shares_bought_back():
    # given $5,000 of room: S1 gives 83 shares ($4,980, the most gain per share first),
    # then S2 one share ($20) for the last $20
    result = solve(account(up_to="5000.00"))

    sell, buy = result["trades"]
    assert (sell["side"], sell["symbol"], sell["quantity"], sell["value"]) == (
        "sell",
        "STK",
        "84",
        "8400.00",
    )
    assert [
        (r["lot"], r["quantity"], r["cost_basis"], r["gain"], r["term"]) for r in sell["lots"]
    ] == [
        ("S1", "83", "3320.00", "4980.00", "long"),
        ("S2", "1", "80.00", "20.00", "long"),
    ]
    assert (buy["side"], buy["symbol"], buy["quantity"]) == ("buy", "STK", "84")
    for trade in (sell, buy):
        assert trade["reasons"] == ["gain_harvest"]
        assert trade["reason_details"][0]["text"] == REASON_TEXT == "gain harvest: basis stepped up"
    summary = result["summary"]
    assert summary["realized_long_term_gain"] == "5000.00"
    assert summary["gain_harvested"] == "5000.00"
    assert summary["estimated_tax"] == "0.00"
    assert result["cash_after"] == "0.00"


def test_the_harvest_stops_at_what_the_lots_hold():
    # given more room than the gains held: $6,000 + $2,000
    result = solve(account(up_to="100000"))

    assert result["summary"]["gain_harvested"] == "8000.00"
    assert [t["quantity"] for t in result["trades"]] == ["200", "200"]


def test_a_recent_purchase_does_not_block_a_gain_harvest():
    # given STK bought ten days ago: a loss sale would be a wash sale, a gain sale is not
    recent = {"recent_buys": [{"symbol": "STK", "date": "2025-06-20", "quantity": "1"}]}

    result = solve(account(up_to="600.00", wash_sale=recent))

    assert [(t["side"], t["quantity"]) for t in result["trades"]] == [("sell", "10"), ("buy", "10")]
    assert result["summary"]["gain_harvested"] == "600.00"


def test_a_recent_loss_sale_of_the_group_blocks_the_buy_back_so_nothing_is_harvested():
    recent = {"recent_loss_sales": [{"symbol": "STK", "date": "2025-06-20"}]}

    result = solve(account(up_to="600.00", wash_sale=recent))

    assert result["trades"] == []
    assert result["summary"]["gain_harvested"] == "0.00"


def test_a_negative_amount_is_refused_naming_the_field():
    result = result_to_dict(optimize_account(account(up_to="-1")))

    assert result["status"] == "invalid"
    assert "preferences.tax.harvest_gains_up_to" in result["message"]
