"""The figures of a re-checked proposal are written as the optimizer writes them."""

from __future__ import annotations

from trading.proposal_checks import Account, summarize

CASE = {
    "as_of": "2025-06-30",
    "account": {"tax_status": "taxable", "cash": "0"},
    "securities": {"X": {"price": "10.00"}},
    "lots": [
        {
            "id": "1",
            "symbol": "X",
            "quantity": "1",
            "cost_basis": "10.01",
            "acquired": "2025-01-02",
        }
    ],
    "preferences": {"tax": {"short_term_rate": "0.37"}},
}


def test_a_tax_that_rounds_to_nothing_is_0_00_never_minus_0_00():
    # given a sale at a one-cent short-term loss: the tax is -0.0037
    sale = {
        "side": "sell",
        "symbol": "X",
        "quantity": "1",
        "lots": [
            {"lot": "1", "quantity": "1", "cost_basis": "10.01", "gain": "-0.01", "term": "short"}
        ],
    }

    # when
    figures = summarize(Account(CASE), [sale])

    # then
    assert figures["realized_short_term_gain"] == "-0.01"
    assert figures["estimated_tax"] == "0.00"
