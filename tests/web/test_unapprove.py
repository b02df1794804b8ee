"""An approval can be undone until a blotter holds the proposal's trades: the proposal is
pending review again, audited; once on a blotter the undo is refused in plain words. The
approve buttons ask for confirmation first."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from firms.models import AuditEvent
from rebalancer.actors import Actor
from tests.web.helpers import client_for
from trading.models import Proposal, ProposalStatus
from trading.services.blotters import blotter_create
from trading.services.review import proposal_approve

pytestmark = pytest.mark.django_db


def _approved(book) -> Proposal:
    proposal = book.proposals[0]
    return proposal_approve(
        firm=book.firm, actor=Actor.person(book.people["advisor"]), proposal=proposal
    )


def test_advisor_unapproves_before_a_blotter(book):
    # given an approved proposal no blotter holds
    proposal = _approved(book)
    advisor = client_for(book.people["advisor"])
    page = html.unescape(
        advisor.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    )
    assert "Un-approve" in page
    # when the advisor un-approves it
    response = advisor.post(reverse("proposal_unapprove", args=[proposal.pk]), follow=True)
    # then it is pending review again, unreviewed, and the undo is audited
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING_REVIEW
    assert proposal.reviewed_by is None
    assert "Approval undone: the proposal is pending review again." in html.unescape(
        response.content.decode()
    )
    event = AuditEvent.objects.get(action="proposal.unapprove")
    assert (event.before, event.after) == ({"status": "approved"}, {"status": "pending_review"})
    assert event.actor == book.people["advisor"]


def test_unapprove_refused_once_on_a_blotter(book):
    # given an approved proposal whose trades a trader put on a blotter
    proposal = _approved(book)
    blotter_create(firm=book.firm, actor=Actor.person(book.people["trader"]))
    advisor = client_for(book.people["advisor"])
    page = advisor.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert "Un-approve" not in page
    # when the advisor tries to un-approve it anyway
    response = advisor.post(reverse("proposal_unapprove", args=[proposal.pk]), follow=True)
    # then it stays approved and the page says why
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.APPROVED
    assert (
        "Not un-approved: this proposal&#x27;s trades are already on a blotter; ask the trader "
        "to take them off before un-approving." in response.content.decode()
    )
    assert not AuditEvent.objects.filter(action="proposal.unapprove").exists()


def test_a_pending_proposal_cannot_be_unapproved(book):
    proposal = book.proposals[0]
    response = client_for(book.people["advisor"]).post(
        reverse("proposal_unapprove", args=[proposal.pk]), follow=True
    )
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.PENDING_REVIEW
    assert (
        "Not un-approved: only an approved proposal can be un-approved; this one is pending review."
        in (html.unescape(response.content.decode()))
    )


def test_only_reviewers_of_the_firm_may_unapprove(book, outsiders):
    proposal = _approved(book)
    url = reverse("proposal_unapprove", args=[proposal.pk])
    assert client_for(book.people["trader"]).post(url).status_code == 403
    assert client_for(outsiders["advisor"]).post(url).status_code == 404
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.APPROVED


def test_approve_buttons_ask_for_confirmation(book):
    advisor = client_for(book.people["advisor"])
    proposal = book.proposals[0]
    detail = html.unescape(
        advisor.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    )
    listing = html.unescape(advisor.get(reverse("proposals")).content.decode())
    trades = proposal.trades.count()
    assert (
        f'data-confirm="Approve this proposal of {proposal.account.account_number}? '
        f"Its {trades} trade{'s' if trades != 1 else ''} go to the trader's blotter.\"" in detail
    )
    assert 'data-confirm-count="proposal"' in listing
