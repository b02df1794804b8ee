"""Layout in a real browser (Debian's chromium): no page scrolls past its content or
sideways, at a laptop's and a phone's width."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import PASSWORD, SecurityFactory
from tests.web.browser import log_in, requires_chromium, shot
from trading.models import ProposedTrade

from .conftest import build_book

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]

# how far the page may reach below the bottom of its main content (the footer's margin)
SLACK_PX = 120


@pytest.fixture
def live_book(firm_a, member_factory):
    return build_book(firm_a, member_factory, prefix="a", accounts=2)


def _overflow(page) -> dict:
    return page.evaluate(
        """() => {
          const main = document.querySelector('main') || document.body;
          const bottom = main.getBoundingClientRect().bottom + window.scrollY;
          const doc = document.documentElement;
          return {below: doc.scrollHeight - bottom, sideways: doc.scrollWidth - doc.clientWidth};
        }"""
    )


def test_a_proposal_with_many_trades_does_not_scroll_into_empty_space(live_server, page, live_book):
    # given a pending proposal with 150 trades (each with a hidden label for its quantity)
    proposal = live_book.proposals[0]
    ProposedTrade.objects.bulk_create(
        ProposedTrade(
            firm=live_book.firm,
            proposal=proposal,
            security=SecurityFactory(symbol=f"ZZ{i:03d}"),
            side="buy",
            quantity=Decimal("40"),
            price=Decimal("10"),
            value_usd=Decimal("400"),
        )
        for i in range(150)
    )
    # when the advisor opens it
    log_in(page, live_server, "a-advisor", PASSWORD)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    page.wait_for_selector("#trades-h")
    shot(page, "proposal-many-trades")
    # then the page ends with its content
    overflow = _overflow(page)
    assert overflow["below"] < SLACK_PX, overflow
    assert overflow["sideways"] == 0, overflow
    # and a quantity that normalises to an exponent reads as plain digits in its input
    trade = ProposedTrade.objects.get(proposal=proposal, security__symbol="ZZ000")
    assert page.locator(f"#qty-{trade.pk}").input_value() == "40"


@pytest.mark.parametrize(
    ("width", "path"),
    [(390, "/accounts/"), (390, "/households/"), (1440, "account"), (390, "account")],
)
def test_pages_do_not_scroll_sideways(live_server, page, live_book, width, path):
    account = live_book.accounts[0]
    url = f"/accounts/{account.pk}/" if path == "account" else path
    log_in(page, live_server, "a-advisor", PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}{url}")
    page.wait_for_selector("h1")
    shot(page, f"layout-{width}-{path.strip('/') or 'home'}")
    overflow = _overflow(page)
    assert overflow["sideways"] == 0, overflow
