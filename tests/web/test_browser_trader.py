"""The trader's flow in a browser: a blotter's totals, the lots each sale relieves, holding
an order, the approval's confirmation page, the export with order type, time in force and
versus-purchase lots; and a firm admin's "run now" from the runs page."""

from __future__ import annotations

import csv
import re

import pytest

from rebalancer.actors import Actor
from tests.factories import PASSWORD
from tests.web.browser import log_in, requires_chromium, shot
from trading.models import Blotter, ProposedTrade, Run
from trading.services.review import proposals_bulk_approve

from .conftest import build_book

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), requires_chromium]


@pytest.fixture
def live_book(firm_a, member_factory):
    return build_book(firm_a, member_factory, prefix="a", accounts=2)


def test_trader_holds_an_order_confirms_approval_and_exports_lots(
    live_server, page, live_book, tmp_path
):
    proposals_bulk_approve(
        firm=live_book.firm,
        actor=Actor.person(live_book.people["advisor"]),
        proposal_ids=[p.pk for p in live_book.proposals],
    )
    log_in(page, live_server, "a-trader", PASSWORD)
    page.get_by_role("button", name="Create blotter from approved trades").click()
    page.get_by_text("Block orders and allocations").wait_for()
    blotter = Blotter.objects.get(firm=live_book.firm)
    orders = list(blotter.orders.select_related("security").order_by("pk"))
    assert int(page.locator("#total-orders").inner_text()) == len(orders)
    # every sale lists its lots, versus purchase, with the acquisition date
    sales = [o for o in orders if o.side == "sell"]
    buys = [o for o in orders if o.side == "buy"]
    assert sales and buys
    assert page.get_by_text(re.compile(r"versus purchase \d{4}-\d{2}-\d{2}")).count() > 0
    shot(page, "trader-blotter-totals")

    # hold one buy: it leaves the blotter and its trades are no longer approved
    held = buys[0]
    page.get_by_role("button", name=f"Hold order {held.pk} (Buy {held.security.symbol})").click()
    page.get_by_text(f"Order {held.pk} (Buy {held.security.symbol}) held").wait_for()
    assert int(page.locator("#total-orders").inner_text()) == len(orders) - 1
    assert ProposedTrade.objects.filter(held=True, security=held.security, side="buy").exists()

    # the confirmation page says what will be approved
    page.get_by_role("link", name="Approve blotter…").click()
    page.get_by_text("You are about to approve").wait_for()
    assert int(page.locator("#confirm-orders").inner_text()) == len(orders) - 1
    shot(page, "trader-blotter-confirm")
    page.get_by_role("button", name=re.compile(r"Approve \d+ orders?")).click()
    page.get_by_text("Blotter approved").wait_for()

    with page.expect_download() as download:
        page.get_by_role("button", name="Export orders (CSV)").click()
    exported = tmp_path / "orders.csv"
    download.value.save_as(exported)
    rows = list(csv.DictReader(exported.open()))
    assert {r["order_type"] for r in rows} == {"market"}
    assert {r["time_in_force"] for r in rows} == {"day"}
    assert str(held.pk) not in {r["order_id"] for r in rows}
    for row in rows:
        if row["side"] == "sell":
            assert re.fullmatch(
                r"(\d{4}-\d{2}-\d{2} [\d.]+ \S+)(;\d{4}-\d{2}-\d{2} [\d.]+ \S+)*",
                row["versus_purchase"],
            )


def test_admin_runs_chosen_accounts_now_and_sees_progress(live_server, page, live_book):
    log_in(page, live_server, "a-admin", PASSWORD)
    page.goto(f"{live_server.url}/runs/")
    page.get_by_label(re.compile("Account numbers")).fill("NOPE-9")
    page.get_by_role("button", name="Run now").click()
    page.get_by_text("no active account of this firm is numbered NOPE-9").wait_for()
    number = live_book.accounts[0].account_number
    page.get_by_label(re.compile("Account numbers")).fill(number)
    page.get_by_role("button", name="Run now").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    run = Run.objects.filter(firm=live_book.firm, trigger="user").get()
    assert page.url.endswith(f"/runs/{run.pk}/")
    shot(page, "operations-run-now")
