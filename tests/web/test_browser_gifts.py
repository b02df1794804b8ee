"""An advisor plans a charitable gift in a real browser: a bad amount is refused naming
the field and nothing is saved, a good one is listed on the account page, and cancelling
it asks first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import PASSWORD
from tests.web.browser import log_in, requires_chromium, shot
from trading.models import GiftStatus, PlannedGift

from .conftest import build_book

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]


@pytest.fixture
def live_book(firm_a, member_factory):
    return build_book(firm_a, member_factory, prefix="a", accounts=1)


def test_advisor_plans_a_gift_on_the_account_page_and_cancels_it(live_server, page, live_book):
    [account] = live_book.accounts
    day = (dt.date.today() + dt.timedelta(days=12)).isoformat()
    log_in(page, live_server, "a-advisor", PASSWORD)
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    page.get_by_role("heading", name="Charitable gifts in kind").wait_for()
    page.get_by_text("Plan a gift").click()

    # an amount above the account's value is refused next to the field
    page.get_by_label("Amount ($)").fill("9999999")
    page.get_by_label("Date").fill(day)
    page.get_by_label("Charity").fill("Red Cross")
    page.get_by_role("button", name="Plan gift").click()
    page.get_by_text("is more than the account's value").wait_for()
    assert not PlannedGift.objects.exists()
    shot(page, "gift-refused")

    # a good one is planned and listed
    page.get_by_label("Amount ($)").fill("2500")
    page.get_by_role("button", name="Plan gift").click()
    page.get_by_text("Gift planned.").wait_for()
    gift = PlannedGift.objects.get()
    assert (gift.amount_usd, gift.charity, gift.status) == (
        Decimal("2500.00"),
        "Red Cross",
        GiftStatus.PLANNED,
    )
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    row = page.locator(f"#gift-{gift.pk}")
    assert "$2,500.00" in row.inner_text() and "Planned" in row.inner_text()
    shot(page, "gift-planned")

    # cancelling asks first
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Cancel").click()
    page.get_by_text("Gift cancelled.").wait_for()
    gift.refresh_from_db()
    assert gift.status == GiftStatus.CANCELLED
