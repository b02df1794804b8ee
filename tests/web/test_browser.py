"""The main flows in a real browser (Debian's chromium driven by Playwright), with
screenshots of the main pages saved to artifacts/screenshots/."""

from __future__ import annotations

import csv
import io
import re

import pytest

from accounts.models import PreferenceSet, TaxSensitivity
from models_library.models import ModelVersion, VersionStatus
from rebalancer.actors import Actor
from tests.factories import PASSWORD
from tests.web.browser import log_in, requires_chromium, shot
from trading.models import (
    Blotter,
    BlotterStatus,
    Fill,
    Proposal,
    ProposalStatus,
    Run,
    RunStatus,
)
from trading.services.review import proposals_bulk_approve

from .conftest import build_book

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]


@pytest.fixture
def live_book(firm_a, member_factory):
    return build_book(firm_a, member_factory, prefix="a", accounts=2)


def test_advisor_changes_a_preference_reoptimizes_and_approves(live_server, page, live_book):
    account = live_book.accounts[0]
    old = Proposal.objects.filter(account=account).exclude(status="superseded").get()
    assert old.trades.filter(side="sell", security__symbol="VTI").exists()
    log_in(page, live_server, "a-advisor", PASSWORD)
    page.wait_for_selector("h1")
    shot(page, "advisor-dashboard")

    page.get_by_role("link", name="Accounts", exact=True).click()
    page.get_by_role("link", name=account.account_number).first.click()
    page.wait_for_selector("canvas")
    shot(page, "account")

    # when the advisor caps this year's realized gains at zero
    page.get_by_role("link", name="Preferences").click()
    page.get_by_label("Cap on net realized gain this year ($)").fill("0")
    page.get_by_role("button", name="Save preferences").click()
    page.get_by_text("Preferences saved.").wait_for()
    shot(page, "account-preferences")

    # and re-optimizes now
    page.get_by_role("button", name="Re-optimize now").click()
    page.get_by_text("What changed since proposal").wait_for()
    shot(page, "proposal-after-reoptimize")

    # then the new proposal no longer sells the appreciated VTI
    new = Proposal.objects.filter(account=account).exclude(status="superseded").get()
    assert new.pk != old.pk
    assert not new.trades.filter(side="sell", security__symbol="VTI").exists()
    assert page.locator("#trades-h + .scroll").get_by_text("VTI").count() == (
        new.trades.filter(security__symbol="VTI").count()
    )
    page.once("dialog", lambda dialog: dialog.accept())  # "Approve this proposal?"
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Proposal approved").wait_for()
    assert page.locator("#proposal-status").inner_text() == "Approved"
    assert Proposal.objects.get(pk=new.pk).status == ProposalStatus.APPROVED
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "proposal-phone")


def test_advisor_sets_the_risk_menus_and_sees_where_each_comes_from(live_server, page, live_book):
    account = live_book.accounts[0]
    log_in(page, live_server, "a-advisor", PASSWORD)
    page.goto(f"{live_server.url}/accounts/{account.pk}/preferences/")
    # a limit out of range is refused on its field, and nothing is saved
    page.get_by_label("Tracking-error limit (% a year)").fill("120")
    page.get_by_role("button", name="Save preferences").click()
    page.get_by_text("Must be at most 100 (percent a year).").wait_for()
    assert not PreferenceSet.objects.filter(account=account).exists()
    # when the advisor sets a limit and a tax sensitivity in plain words
    page.get_by_label("Tracking-error limit (% a year)").fill("0.8")
    page.get_by_label("Tax sensitivity").select_option(label=TaxSensitivity.HIGH.label)
    page.get_by_role("button", name="Save preferences").click()
    page.get_by_text("Preferences saved.").wait_for()
    shot(page, "account-risk-menus")
    # then the account page shows them in effect, from the account
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    card = page.locator(
        "section", has=page.get_by_role("heading", name="Tracking and trade limits")
    )
    assert "0.8 % a year (account)" in card.inner_text()
    assert f"{TaxSensitivity.HIGH.label} (0.25) (account)" in card.inner_text()
    pset = PreferenceSet.objects.get(account=account)
    assert (str(pset.tracking_error_limit_pct), str(pset.risk_aversion)) == ("0.80", "0.2500")


def test_advisor_edits_a_quantity_in_place(live_server, page, live_book):
    proposal = live_book.proposals[0]
    trade = proposal.trades.order_by("-value_usd").first()
    log_in(page, live_server, "a-advisor", PASSWORD)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    field = page.locator(f"#qty-{trade.pk}")
    field.fill("1000000")
    field.press("Enter")
    page.get_by_text("Edit refused").wait_for()
    assert page.url.endswith(f"/proposals/{proposal.pk}/")
    smaller = str(int(trade.quantity) // 2)
    page.locator(f"#qty-{trade.pk}").fill(smaller)
    page.locator(f"#trade-{trade.pk}").get_by_role("button").click()
    page.get_by_text("Quantity changed; figures recomputed.").wait_for()
    trade.refresh_from_db()
    assert str(int(trade.quantity)) == smaller


def test_model_manager_edits_and_publishes_a_version(live_server, page, live_book):
    log_in(page, live_server, "a-modeler", PASSWORD)
    page.get_by_role("link", name="60/40").click()
    page.wait_for_selector("canvas")
    shot(page, "model")
    page.get_by_role("link", name="New draft").click()
    page.get_by_label("Weight of line 1 in percent").fill("55")
    page.get_by_label("Weight of line 2 in percent").fill("60")
    assert page.locator("#draft-total").inner_text() == "115 %"
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("more than 100 %").wait_for()
    shot(page, "draft-editor-error")
    page.get_by_label("Weight of line 2 in percent").fill("40")
    page.get_by_label("Security of line 3").fill("AGG")
    page.get_by_label("Weight of line 3 in percent").fill("5")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft v2 saved.").wait_for()
    page.get_by_role("button", name=re.compile("What if")).click()
    page.get_by_text("What if every account followed v2?").wait_for()
    shot(page, "what-if")
    page.go_back()
    page.get_by_role("link", name="Publish v2…").click()
    page.get_by_text("3 lines adding up to 100.00 %").wait_for()
    page.get_by_role("button", name="Publish v2").click()
    page.get_by_text("Version 2 published").wait_for()
    shot(page, "version-published")
    assert page.locator("#version-status").inner_text() == "Published"
    version = ModelVersion.objects.get(model=live_book.model, number=2)
    assert version.status == VersionStatus.PUBLISHED
    symbols = {line.security.symbol for line in version.lines.all() if line.security}
    assert symbols == {"VTI", "BND", "AGG"}


def _fills_for(export_text: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["fill_id", "order_id", "account_number", "quantity", "price", "trade_date"])
    for i, row in enumerate(csv.DictReader(io.StringIO(export_text)), start=1):
        writer.writerow(
            [
                f"X{i}",
                row["order_id"],
                row["account_number"],
                row["allocation_quantity"],
                row["estimated_price"],
                "2025-07-01",
            ]
        )
    return out.getvalue()


def test_trader_approves_exports_and_imports_fills(live_server, page, live_book, tmp_path):
    proposals_bulk_approve(
        firm=live_book.firm,
        actor=Actor.person(live_book.people["advisor"]),
        proposal_ids=[p.pk for p in live_book.proposals],
    )
    log_in(page, live_server, "a-trader", PASSWORD)
    page.get_by_role("button", name="Create blotter from approved trades").click()
    page.get_by_text("Block orders and allocations").wait_for()
    page.get_by_role("link", name="Approve blotter…").click()
    page.get_by_text("You are about to approve").wait_for()
    page.get_by_role("button", name=re.compile(r"Approve \d+ orders?")).click()
    page.get_by_text("Blotter approved").wait_for()
    shot(page, "blotter-approved")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export orders (CSV)").click()
    exported = tmp_path / "orders.csv"
    download.value.save_as(exported)
    text = exported.read_text()
    assert text.startswith("blotter,order_id,symbol,side")
    fills = tmp_path / "fills.csv"
    fills.write_text(_fills_for(text))
    page.reload()
    page.get_by_label("Fills CSV").set_input_files(str(fills))
    page.get_by_role("button", name="Import fills").click()
    page.get_by_text(re.compile(r"\d+ fills? imported")).wait_for()
    shot(page, "blotter-filled")
    blotter = Blotter.objects.get(firm=live_book.firm)
    assert blotter.status == BlotterStatus.FILLED
    assert Fill.objects.filter(firm=live_book.firm).count() == len(text.splitlines()) - 1


def test_compliance_reads_the_audit_log_and_watches_the_run(live_server, page, live_book):
    log_in(page, live_server, "a-compliance", PASSWORD)
    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Action").select_option("run")
    page.get_by_role("button", name="Apply").click()
    page.get_by_text("Nightly run started").first.wait_for()
    shot(page, "audit-log")
    # a run still running: its page polls and shows it completing without a reload
    Run.objects.filter(pk=live_book.run.pk).update(status=RunStatus.RUNNING, finished_at=None)
    page.get_by_role("link", name="Runs").click()
    page.get_by_role("link", name="2025-06-30").click()
    assert page.locator("#run-status").inner_text() == "Running"
    Run.objects.filter(pk=live_book.run.pk).update(status=RunStatus.COMPLETED)
    page.locator("#run-status", has_text="Completed").wait_for(timeout=6_000)
    page.get_by_text("2 of 2 accounts").wait_for()
    shot(page, "run")
    assert page.get_by_role("button", name="Rerun failed accounts").count() == 0
