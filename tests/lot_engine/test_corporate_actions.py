"""Corporate actions in the lot engine: each kind with hand-computed figures."""

from __future__ import annotations

from typing import Any

import pytest

from lot_engine import LotEngineInputError, run

from .events import buy, household, sell


def action(
    action_id: str, date: str, kind: str, symbol: str = "X", **fields: str
) -> dict[str, Any]:
    return {"id": action_id, "date": date, "type": kind, "symbol": symbol, **fields}


def _lots(result: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    return [
        (
            lot["id"],
            lot["symbol"],
            lot["quantity"],
            lot["cost_basis"],
            lot["acquired"],
            lot["holding_period_start"],
        )
        for lot in result["lots"]
    ]


def test_a_three_for_two_split_of_a_lot_bought_at_100_keeps_basis_and_holding_period():
    # given 100 shares bought at $100 on 2024-01-02, split 3-for-2 on 2024-06-03
    result = run(
        household(
            buy("b1", "2024-01-02", "100", "10000.00"),
            action("s32", "2024-06-03", "split", ratio="3:2"),
            sell("s1", "2025-01-03", "150", "12000.00"),
        )
    )

    # then 150 shares of $66.67 each were sold long-term a year and a day after purchase
    row = result["realized"][0]
    assert (row["quantity"], row["cost_basis"], row["gain"], row["term"]) == (
        "150",
        "10000.00",
        "2000.00",
        "long",
    )
    assert result["cash"] == []


def test_a_split_pays_each_accounts_fraction_in_cash_as_a_sale():
    # 101 shares for $10,100 become 151.5; the half share is paid at $70
    result = run(
        household(
            buy("b1", "2024-01-02", "101", "10100.00"),
            action("s32", "2024-06-03", "split", ratio="3:2", price="70.00"),
        )
    )

    assert _lots(result) == [("b1", "X", "151", "10066.67", "2024-01-02", "2024-01-02")]
    # basis of the half share: 10,100 x 0.5 / 151.5 = 33.33
    row = result["realized"][0]
    assert (row["sale"], row["quantity"], row["proceeds"], row["cost_basis"], row["gain"]) == (
        "s32/TAX-1",
        "0.5",
        "35.00",
        "33.33",
        "1.67",
    )
    assert result["cash"] == [
        {
            "event": "s32",
            "account": "TAX-1",
            "symbol": "X",
            "kind": "cash_in_lieu",
            "date": "2024-06-03",
            "amount": "35.00",
        }
    ]


def test_a_one_for_ten_reverse_split_with_cash_in_lieu():
    result = run(
        household(
            buy("b1", "2024-01-02", "1005", "2010.00"),
            action("r", "2024-06-03", "split", ratio="1:10", price="25.00"),
        )
    )

    # 100.5 shares; the half pays 12.50 for a basis of 2010 x 0.5 / 100.5 = 10.00
    assert _lots(result) == [("b1", "X", "100", "2000.00", "2024-01-02", "2024-01-02")]
    assert [(r["proceeds"], r["cost_basis"], r["gain"]) for r in result["realized"]] == [
        ("12.50", "10.00", "2.50")
    ]


def test_a_cash_dividend_pays_the_shares_held_before_the_ex_date_on_the_pay_date():
    result = run(
        household(
            buy("b1", "2024-01-02", "100", "5000.00"),
            buy("b2", "2024-03-01", "50", "2500.00"),
            action(
                "d1", "2024-03-15", "cash_dividend", cash_per_share="0.25", ex_date="2024-03-01"
            ),
        )
    )

    # the 50 shares bought on the ex-date are not paid: 100 x 0.25
    assert [(c["kind"], c["date"], c["amount"]) for c in result["cash"]] == [
        ("dividend", "2024-03-15", "25.00")
    ]
    assert [lot["quantity"] for lot in result["lots"]] == ["100", "50"]


def test_a_reinvested_dividend_ten_days_after_a_loss_sale_is_a_wash_sale():
    # given a loss of 500 on 50 shares sold on 2024-03-01
    result = run(
        household(
            buy("b1", "2024-01-02", "100", "5000.00"),
            sell("s1", "2024-03-01", "50", "2000.00"),
            action(
                "div",
                "2024-03-11",
                "reinvested_dividend",
                cash_per_share="1.00",
                price="40.00",
                ex_date="2024-03-05",
            ),
        )
    )

    # then the $50 dividend buys 1.25 shares 10 days later: 1.25 of the 50 sold shares are
    # replaced, 500 x 1.25 / 50 = 12.50 is disallowed and moves into the new lot's basis,
    # with the sold shares' 59 days carried (2024-03-11 - 59 days = 2024-01-12)
    assert result["realized"][0]["disallowed_loss"] == "12.50"
    assert result["totals"]["short_term_gain"] == "-487.50"
    assert _lots(result) == [
        ("b1", "X", "50", "2500.00", "2024-01-02", "2024-01-02"),
        ("div/TAX-1", "X", "1.25", "62.50", "2024-03-11", "2024-01-12"),
    ]
    assert result["lots"][1]["wash_sale_adjustment"] == "12.50"


def test_a_reinvested_dividend_more_than_30_days_after_the_loss_is_not_a_wash_sale():
    result = run(
        household(
            buy("b1", "2024-01-02", "100", "5000.00"),
            sell("s1", "2024-03-01", "50", "2000.00"),
            action("div", "2024-04-01", "reinvested_dividend", cash_per_share="1", price="40"),
        )
    )

    assert result["realized"][0]["disallowed_loss"] == "0.00"
    assert _lots(result)[1] == ("div/TAX-1", "X", "1.25", "50.00", "2024-04-01", "2024-04-01")


def test_a_reinvested_dividends_shares_are_paid_by_the_next_dividend():
    result = run(
        household(
            buy("b1", "2024-01-02", "100", "5000.00"),
            action("q1", "2024-03-28", "reinvested_dividend", cash_per_share="1", price="50"),
            action("q2", "2024-06-27", "reinvested_dividend", cash_per_share="1", price="51"),
        )
    )

    # 100 x $1 / $50 = 2 shares; then 102 x $1 / $51 = 2 shares
    assert [(lot["id"], lot["quantity"], lot["cost_basis"]) for lot in result["lots"]] == [
        ("b1", "100", "5000.00"),
        ("q1/TAX-1", "2", "100.00"),
        ("q2/TAX-1", "2", "102.00"),
    ]


def test_a_spin_off_moves_the_stated_part_of_the_basis_to_the_child():
    # 100 parent shares for $10,000; one child share for every 4, with 20% of the basis
    result = run(
        household(
            buy("b1", "2023-01-03", "100", "10000.00", symbol="P"),
            action(
                "so",
                "2024-07-01",
                "spin_off",
                "P",
                new_symbol="C",
                ratio="1:4",
                basis_fraction="0.2",
            ),
        )
    )

    assert _lots(result) == [
        ("b1", "P", "100", "8000.00", "2023-01-03", "2023-01-03"),
        ("b1", "C", "25", "2000.00", "2023-01-03", "2023-01-03"),
    ]


def test_a_spin_off_pays_the_childs_fraction_and_keeps_the_holding_period():
    result = run(
        household(
            buy("b1", "2023-01-03", "102", "10200.00", symbol="P"),
            action(
                "so",
                "2024-07-01",
                "spin_off",
                "P",
                new_symbol="C",
                ratio="0.25",
                basis_fraction="0.2",
                price="30",
            ),
        )
    )

    # child: 25.5 shares with basis 2,040; the half share's basis is 40.00, paid 15.00
    row = result["realized"][0]
    assert (row["symbol"], row["proceeds"], row["cost_basis"], row["gain"], row["term"]) == (
        "C",
        "15.00",
        "40.00",
        "-25.00",
        "long",
    )
    assert _lots(result)[1] == ("b1", "C", "25", "2000.00", "2023-01-03", "2023-01-03")


def test_a_symbol_change_moves_lots_unchanged_and_later_sales_use_the_new_symbol():
    result = run(
        household(
            buy("b1", "2024-01-02", "10", "100.00", symbol="OLD"),
            action("sc", "2024-05-01", "symbol_change", "OLD", new_symbol="NEW"),
            sell("s1", "2024-06-03", "4", "60.00", symbol="NEW"),
        )
    )

    assert _lots(result) == [("b1", "NEW", "6", "60.00", "2024-01-02", "2024-01-02")]
    assert result["realized"][0]["gain"] == "20.00"


def test_a_cash_merger_sells_every_share_at_the_cash_price():
    result = run(
        household(
            buy("b1", "2024-01-02", "100", "3000.00", symbol="T"),
            action("m", "2024-09-03", "merger", "T", cash_per_share="45.00"),
        )
    )

    assert result["lots"] == []
    row = result["realized"][0]
    assert (row["sale"], row["proceeds"], row["gain"], row["term"]) == (
        "m/TAX-1",
        "4500.00",
        "1500.00",
        "short",
    )
    assert [(c["kind"], c["amount"]) for c in result["cash"]] == [("merger", "4500.00")]


def test_a_stock_merger_converts_shares_with_the_same_basis_and_holding_period():
    result = run(
        household(
            buy("b1", "2024-01-02", "100", "3000.00", symbol="T"),
            action("m", "2024-09-03", "merger", "T", new_symbol="A", ratio="0.5"),
        )
    )

    assert _lots(result) == [("b1", "A", "50", "3000.00", "2024-01-02", "2024-01-02")]
    assert result["realized"] == []


def test_an_action_applies_to_every_account_that_holds_the_symbol():
    result = run(
        household(
            buy("b1", "2024-01-02", "10", "100.00"),
            buy("b2", "2024-01-02", "20", "200.00", account="TAX-2"),
            action("s", "2024-06-03", "split", ratio="2"),
        )
    )

    assert [(lot["account"], lot["quantity"]) for lot in result["lots"]] == [
        ("TAX-1", "20"),
        ("TAX-2", "40"),
    ]


def test_output_without_corporate_actions_has_no_cash_key():
    result = run(household(buy("b1", "2024-01-02", "10", "100.00")))

    assert set(result) == {"lots", "realized", "totals"}


def _error(*events: dict[str, Any]) -> LotEngineInputError:
    with pytest.raises(LotEngineInputError) as caught:
        run(household(buy("b1", "2024-01-02", "10", "100.00"), *events))
    return caught.value


@pytest.mark.parametrize(
    ("event", "field", "words"),
    [
        (action("a", "2024-06-03", "split", ratio="0"), "ratio", "greater than 0"),
        (action("a", "2024-06-03", "split", ratio="0:2"), "ratio", "greater than 0"),
        (action("a", "2024-06-03", "split"), "ratio", "required"),
        (
            action("a", "2024-06-03", "spin_off", new_symbol="C", ratio="1", basis_fraction="1.2"),
            "basis_fraction",
            "at most 1",
        ),
        (
            action("a", "2024-06-03", "merger", new_symbol="A", ratio="1", cash_per_share="3"),
            "cash_per_share",
            "cash (cash_per_share) or stock",
        ),
        (action("a", "2024-06-03", "symbol_change", new_symbol="X"), "new_symbol", "differ"),
        (action("a", "2024-06-03", "cash_dividend"), "cash_per_share", "required"),
        (
            action("a", "2024-06-03", "reinvested_dividend", cash_per_share="1"),
            "price",
            "required",
        ),
        (
            action("a", "2024-06-03", "cash_dividend", cash_per_share="1", ex_date="2024-06-04"),
            "ex_date",
            "after the pay date",
        ),
        (action("a", "2024-06-03", "split", ratio="2", account="TAX-1"), "account", "every holder"),
    ],
)
def test_a_bad_action_is_refused_naming_it_and_the_field(event, field, words):
    error = _error(event)

    assert (error.transaction_id, error.field) == ("a", field)
    assert words in str(error)


def test_a_sale_of_pre_split_quantities_after_the_split_still_sells_post_split_shares():
    error = _error(
        action("s", "2024-06-03", "split", ratio="1:2"), sell("x", "2024-07-01", "10", "50")
    )

    assert (error.transaction_id, error.field) == ("x", "quantity")
    assert "only 5 are held" in str(error)
