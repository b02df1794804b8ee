"""The demo firm's equivalence sets hold every fund with its tax-swap partner and the funds
clients ask for in its place, so neither shows as drift."""

from __future__ import annotations

from demo.book import MSCI_EMERGING, SCHWAB_FUNDS
from demo.portfolios import EQUIVALENCE_SETS, SWAP_PARTNERS


def test_each_swap_partner_and_client_fund_shares_a_set_with_the_model_fund() -> None:
    set_of = {symbol: name for name, members in EQUIVALENCE_SETS.items() for symbol in members}
    pairs = [*SWAP_PARTNERS.items(), *SCHWAB_FUNDS, *MSCI_EMERGING]

    assert [
        (a, b) for a, b in pairs if set_of.get(a) is None or set_of.get(a) != set_of.get(b)
    ] == []
    assert len(set_of) == sum(len(m) for m in EQUIVALENCE_SETS.values())  # one set each
