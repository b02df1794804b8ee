"""Pages say what happened in plain words: a failed proposal has no figures (not a drift of
0.0 %), a filled proposal says so, and approving nothing is not a success."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from tests.web.helpers import client_for
from trading.models import Proposal, ProposalStatus

pytestmark = pytest.mark.django_db


def _failed(proposal: Proposal) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(
        status=ProposalStatus.FAILED,
        message="The last price of VTI is from 2025-06-01.",
        drift_before=0,
        drift_after=0,
        turnover=0,
        total_value_usd=0,
    )
    proposal.trades.all().delete()


def test_a_failed_proposal_shows_no_figures(book):
    # given a proposal the optimizer could not produce
    proposal = book.proposals[0]
    _failed(proposal)
    advisor = client_for(book.people["advisor"])
    # when its page and the proposals list are read
    detail = html.unescape(
        advisor.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    )
    listing = html.unescape(advisor.get(reverse("proposals") + "?status=failed").content.decode())
    # then neither shows made-up figures
    assert "0.0 % → 0.0 %" not in detail
    assert "No figures: the optimizer could not run for this account" in detail
    assert "The last price of VTI is from 2025-06-01." in detail
    assert listing.count("0.0 % → 0.0 %") == 0
    assert "No figures: the optimizer could not run for this account." in listing


def test_bulk_approval_with_nothing_ticked_is_not_a_success(book):
    advisor = client_for(book.people["advisor"])
    response = advisor.post(reverse("proposals_bulk_approve"), {}, follow=True)
    text = html.unescape(response.content.decode())
    assert "0 proposals approved" not in text
    assert "Nothing approved: tick the proposals to approve first." in text
    assert not Proposal.objects.filter(status=ProposalStatus.APPROVED).exists()


def test_a_filled_proposal_says_filled(book):
    proposal = book.proposals[0]
    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.FILLED)
    page = client_for(book.people["advisor"]).get(reverse("proposal_detail", args=[proposal.pk]))
    text = page.content.decode()
    assert '<span class="badge filled" id="proposal-status">Filled</span>' in text
    assert "Re-optimize now" not in text
