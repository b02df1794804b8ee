"""Gifts in kind in the lot engine: shares leave the account, no gain is realized."""

from __future__ import annotations

from typing import Any

import pytest

from lot_engine import LotEngineInputError, run

from .events import buy, household, sell


def gift(
    txn_id: str, date: str, quantity: str, amount: str, *, lots: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    event = sell(txn_id, date, quantity, amount, lots=lots)
    event["type"] = "gift"
    return event


def test_a_gift_of_a_named_lot_leaves_the_account_without_realizing_its_gain():
    # given two lots: 100 shares at $10 (2022) and 100 at $40 (2023); $50 a share in 2025
    result = run(
        household(
            buy("b1", "2022-01-03", "100", "1000.00"),
            buy("b2", "2023-01-03", "100", "4000.00"),
            gift("g1", "2025-03-03", "60", "3000.00", lots=[("b1", "60")]),
        )
    )

    # then 60 shares of b1 are given: $3,000 of value on $600 of basis, $2,400 avoided
    assert result["gifts"] == [
        {
            "gift": "g1",
            "lot": "b1",
            "account": "TAX-1",
            "symbol": "X",
            "quantity": "60",
            "acquired": "2022-01-03",
            "given": "2025-03-03",
            "market_value": "3000.00",
            "cost_basis": "600.00",
            "appreciation": "2400.00",
            "term": "long",
        }
    ]
    assert result["realized"] == []
    assert result["totals"]["long_term_gain"] == "0.00"
    assert [(lot["id"], lot["quantity"], lot["cost_basis"]) for lot in result["lots"]] == [
        ("b1", "40", "400.00"),
        ("b2", "100", "4000.00"),
    ]


def test_a_gift_without_lots_relieves_by_the_method_and_a_later_sale_sees_what_is_left():
    # given FIFO: a gift of 100 takes b1 whole, so the sale of 50 is from b2
    result = run(
        household(
            buy("b1", "2022-01-03", "100", "1000.00"),
            buy("b2", "2023-01-03", "100", "4000.00"),
            gift("g1", "2025-03-03", "100", "5000.00"),
            sell("s1", "2025-03-04", "50", "2500.00"),
        )
    )

    assert [(g["lot"], g["appreciation"]) for g in result["gifts"]] == [("b1", "4000.00")]
    assert [(r["lot"], r["gain"]) for r in result["realized"]] == [("b2", "500.00")]


def test_a_gift_is_not_a_sale_for_the_wash_sale_rule():
    # given a lot at a loss given away, and the same security bought 10 days later
    result = run(
        household(
            buy("b1", "2024-01-02", "100", "5000.00"),
            gift("g1", "2024-06-03", "100", "3000.00"),
            buy("b2", "2024-06-13", "100", "3000.00"),
        )
    )

    # then nothing is disallowed and the new lot keeps its own basis
    assert result["totals"]["disallowed_loss"] == "0.00"
    assert [(lot["id"], lot["cost_basis"]) for lot in result["lots"]] == [("b2", "3000.00")]


def test_output_without_gifts_has_no_gifts_key():
    result = run(household(buy("b1", "2022-01-03", "100", "1000.00")))

    assert "gifts" not in result


def test_a_gift_of_more_than_is_held_is_refused_naming_the_quantity():
    with pytest.raises(LotEngineInputError) as error:
        run(household(buy("b1", "2022-01-03", "10", "100.00"), gift("g1", "2025-01-03", "11", "0")))

    assert error.value.field == "quantity"
    assert "gives 11 X, but only 10 are held" in str(error.value)
