"""The model manager's flow in a real browser: security search and a running total in
the draft editor, more rows on demand, a 500-line CSV refused whole for one bad line and
then taken, the publish confirmation; and the advisor's screen value list following the
field it excludes by."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from models_library.models import ModelVersion, VersionStatus
from tests.factories import PASSWORD, SecurityFactory
from tests.web.browser import log_in, requires_chromium, shot

from .conftest import build_book

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]

STOCKS = 500


@pytest.fixture
def live_book(firm_a, member_factory):
    book = build_book(firm_a, member_factory, prefix="a", accounts=2)
    for i in range(STOCKS):
        SecurityFactory(symbol=f"ST{i:03d}", name=f"Stock number {i} Corp", sector="Industrials")
    return book


def _csv(tmp_path, name: str, lines: list[str]):
    path = tmp_path / name
    path.write_text("symbol,weight\n" + "\n".join(lines) + "\n")
    return path


def test_model_manager_builds_a_500_stock_model_from_a_csv(live_server, page, live_book, tmp_path):
    log_in(page, live_server, "a-modeler", PASSWORD)
    page.get_by_role("link", name="60/40").click()
    page.get_by_role("link", name="New draft").click()

    # search the security master as one types, and a running total
    page.get_by_label("Security of line 3").fill("ST04")
    expect(page.locator("#security-options option")).to_have_count(10)
    assert page.locator("#security-options option").first.get_attribute("value") == "ST040"
    page.get_by_label("Weight of line 3 in percent").fill("2.5")
    assert page.locator("#draft-total").inner_text() == "100.5 %"
    page.get_by_role("button", name="Add 10 rows").click()
    page.get_by_label("Security of line 14").fill("ST001")
    page.get_by_label("Weight of line 14 in percent").fill("0.5")
    assert page.locator("#draft-total").inner_text() == "101 %"

    # one bad line in 500: nothing is saved, and the line and column are named
    lines = [f"ST{i:03d},0.2" for i in range(STOCKS)]
    bad = lines.copy()
    bad[299] = "NOPE,0.2"
    page.get_by_label("or upload a CSV file").set_input_files(_csv(tmp_path, "bad.csv", bad))
    page.get_by_role("button", name="Replace the lines from this CSV").click()
    page.get_by_text("Line 301, column symbol: 'NOPE' is not in the security master").wait_for()
    assert not ModelVersion.objects.filter(model=live_book.model, number=2).exists()
    shot(page, "draft-csv-errors")

    # the whole file
    page.get_by_label("or upload a CSV file").set_input_files(_csv(tmp_path, "good.csv", lines))
    started = time.perf_counter()
    page.get_by_role("button", name="Replace the lines from this CSV").click()
    page.get_by_text("Draft v2 saved. 500 lines, 100 % (the rest, 0 %, is cash).").wait_for()
    print(f"500-line CSV saved and its version shown in {time.perf_counter() - started:.2f} s")
    draft = ModelVersion.objects.get(model=live_book.model, number=2)
    assert draft.lines.count() == STOCKS

    # the editor opens on the 500 lines with their total
    started = time.perf_counter()
    page.get_by_role("link", name="Edit draft").click()
    page.get_by_label("Security of line 500").wait_for()
    print(f"draft editor with 500 lines opened in {time.perf_counter() - started:.2f} s")
    assert page.locator("#draft-total").inner_text() == "100 %"
    page.go_back()

    # publishing asks first and says what will change
    page.get_by_role("link", name="Publish v2…").click()
    page.get_by_text("500 lines adding up to 100.00 %").wait_for()
    page.get_by_text("500 added, 2 removed, 0 with a new weight").wait_for()
    page.get_by_text("2 accounts follow 60/40").wait_for()
    shot(page, "publish-confirm")
    page.get_by_role("button", name="Publish v2").click()
    page.get_by_text("Version 2 published").wait_for()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED


def test_screen_values_follow_the_field_excluded_by(live_server, page, live_book):
    account = live_book.accounts[0]
    log_in(page, live_server, "a-advisor", PASSWORD)
    page.goto(live_server.url + reverse("account_preferences", args=[account.pk]))
    page.get_by_text("Add a screen").click()
    value = page.locator('input[name="screen-value"]')
    assert value.get_attribute("list") == "screen-values-symbol"
    page.get_by_label("Exclude by").select_option("sector")
    assert value.get_attribute("list") == "screen-values-sector"
    assert page.locator('#screen-values-sector option[value="Industrials"]').count() == 1
    value.fill("Industrials")
    page.get_by_role("button", name="Add screen").click()
    page.get_by_text("Screen added.").wait_for()
