"""The advisor's review flow in a real browser: approve the ticked proposals after a
confirmation (dismissing it approves nothing), un-approve one before a blotter, open the
client's trade report, download the proposals CSV."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.web.browser import log_in, requires_chromium, shot
from trading.models import Proposal, ProposalStatus

from .conftest import build_book

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]


@pytest.fixture
def live_book(firm_a, member_factory):
    return build_book(firm_a, member_factory, prefix="a", accounts=2)


def test_advisor_confirms_approval_undoes_it_and_prints_a_report(live_server, page, live_book):
    first, second = live_book.proposals
    log_in(page, live_server, "a-advisor", PASSWORD)
    page.goto(f"{live_server.url}/proposals/")
    page.get_by_role("button", name="Select all approvable together on this page").click()

    # dismissing the confirmation approves nothing
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Approve selected").click()
    page.wait_for_timeout(300)
    assert not Proposal.objects.filter(status=ProposalStatus.APPROVED).exists()

    # accepting it approves both, the message naming how many were ticked
    messages: list[str] = []

    def accept(dialog) -> None:
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Approve selected").click()
    page.get_by_text("2 proposals approved.").wait_for()
    assert messages[0].startswith("2 ticked. Approve the ticked proposals?")

    # the advisor un-approves one before any blotter
    page.goto(f"{live_server.url}/proposals/{first.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Un-approve").click()
    page.get_by_text("Approval undone: the proposal is pending review again.").wait_for()
    assert Proposal.objects.get(pk=first.pk).status == ProposalStatus.PENDING_REVIEW
    assert Proposal.objects.get(pk=second.pk).status == ProposalStatus.APPROVED
    shot(page, "proposal-unapproved")

    # the client's trade report
    page.get_by_role("link", name="Client trade report").click()
    page.get_by_role("heading", name="Trade report").wait_for()
    page.get_by_role("heading", name="Allocation before and after").wait_for()
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    shot(page, "trade-report-print")

    # the proposals list as CSV
    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/proposals/?status=")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.splitlines()[0].startswith("Proposal,Account,Account name,Date,Status")
    assert len(text.splitlines()) == 3
