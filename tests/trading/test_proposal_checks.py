"""An advisor's edited proposal: its figures are written as the optimizer writes them, and
its trades are checked by the optimizer's own rule checker."""

from __future__ import annotations

from trading.proposal_checks import Account, summarize, violations


def _case(**changes) -> dict:
    case = {
        "as_of": "2025-06-30",
        "account": {"id": "P-1", "tax_status": "taxable", "cash": "1000"},
        "securities": {"X": {"price": "10.00"}, "Y": {"price": "20.00"}},
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
    case.update(changes)
    return case


SALE_AT_A_CENT_LOSS = {
    "side": "sell",
    "symbol": "X",
    "quantity": "1",
    "lots": [
        {"lot": "1", "quantity": "1", "cost_basis": "10.01", "gain": "-0.01", "term": "short"}
    ],
}


def test_a_tax_that_rounds_to_nothing_is_0_00_never_minus_0_00():
    # given a sale at a one-cent short-term loss: the tax is -0.0037
    # when
    figures = summarize(Account(_case()), [SALE_AT_A_CENT_LOSS])

    # then
    assert figures["realized_short_term_gain"] == "-0.01"
    assert figures["estimated_tax"] == "0.00"


def test_a_restriction_that_has_ended_no_longer_blocks_an_edited_purchase():
    # given a do-not-buy on Y that ended before the proposal's date
    case = _case(
        preferences={"restrictions": [{"symbol": "Y", "type": "do_not_buy", "end": "2025-06-01"}]}
    )
    buy = {"side": "buy", "symbol": "Y", "quantity": "2"}

    # when
    found = violations(Account(case), [buy])

    # then: as the optimizer reads it, the restriction is not in force
    assert found == []


def test_an_edited_proposal_gets_the_optimizers_sentences():
    case = _case(wash_sale={"recent_buys": [{"symbol": "X", "date": "2025-06-20"}]})

    found = violations(Account(case), [SALE_AT_A_CENT_LOSS])

    assert found == ["selling X at a loss would be a wash sale: bought within 30 days"]
