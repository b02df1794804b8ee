"""Advisors see only their own households (the firm's default): every page, list, export
and API list for a person goes through the same scope. Two advisors of one firm, each with
one household and account, and a run in which both accounts failed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from accounts.models import Account, Household
from firms.models import Membership, Role
from rebalancer.actors import Actor
from tests.api.conftest import key_client, session_client
from tests.web.conftest import Book, build_book
from tests.web.helpers import client_for
from trading.models import Proposal, ProposalStatus, ProposedTrade
from trading.selectors.blotters import blotter_fills, blotter_orders
from trading.services.blotters import blotter_create
from trading.services.review import proposals_bulk_approve

pytestmark = pytest.mark.django_db

REASON_MINE = "Stale price for VTI on the mine account"
REASON_THEIRS = "Solver gave up on the account of advisor two"


@dataclass
class TwoAdvisors:
    book: Book
    mine: Account
    theirs: Account
    me: object
    them: object

    def proposal_of(self, account: Account) -> Proposal:
        return Proposal.objects.filter(account=account).exclude(status="superseded").get()


@pytest.fixture
def two(firm_a, member_factory) -> TwoAdvisors:
    book = build_book(firm_a, member_factory, prefix="a")
    mine, theirs = book.accounts
    them = member_factory(firm_a, Role.ADVISOR, "a-advisor-2")
    Household.objects.filter(pk=theirs.household_id).update(advisor=them)
    assert not firm_a.advisors_see_all_households
    return TwoAdvisors(book=book, mine=mine, theirs=theirs, me=book.people["advisor"], them=them)


def _fail_both(two: TwoAdvisors) -> None:
    for account, reason in ((two.mine, REASON_MINE), (two.theirs, REASON_THEIRS)):
        Proposal.objects.filter(account=account).exclude(status="superseded").update(
            status=ProposalStatus.FAILED, message=reason
        )


def test_run_page_lists_only_the_advisors_own_failed_accounts(two):
    # given both advisors' accounts failed in the run
    _fail_both(two)
    # when advisor 1 opens the run
    response = client_for(two.me).get(reverse("run_detail", args=[two.book.run.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert two.mine.account_number in html
    assert REASON_MINE in html
    assert two.theirs.account_number not in html
    assert REASON_THEIRS not in html
    theirs = two.proposal_of(two.theirs)
    assert reverse("proposal_detail", args=[theirs.pk]) not in html


def test_the_other_advisor_sees_their_own_failure_and_not_mine(two):
    _fail_both(two)
    html = client_for(two.them).get(reverse("run_detail", args=[two.book.run.pk])).content
    assert REASON_THEIRS.encode() in html
    assert REASON_MINE.encode() not in html
    assert two.mine.account_number.encode() not in html


def test_with_the_firm_letting_advisors_see_all_the_run_page_lists_every_failure(two):
    # given the firm lets advisors see every household
    two.book.firm.advisors_see_all_households = True
    two.book.firm.save()
    _fail_both(two)
    # when
    html = client_for(two.me).get(reverse("run_detail", args=[two.book.run.pk])).content.decode()
    # then the firm's accounts are listed as before
    assert two.mine.account_number in html
    assert two.theirs.account_number in html
    assert REASON_MINE in html
    assert REASON_THEIRS in html
    accounts = client_for(two.me).get(reverse("accounts")).content.decode()
    assert two.theirs.account_number in accounts
    theirs = two.proposal_of(two.theirs)
    assert client_for(two.me).get(reverse("proposal_detail", args=[theirs.pk])).status_code == 200


def test_a_firm_admin_is_not_scoped_on_the_run_page(two):
    _fail_both(two)
    html = (
        client_for(two.book.people["admin"])
        .get(reverse("run_detail", args=[two.book.run.pk]))
        .content.decode()
    )
    assert REASON_MINE in html
    assert REASON_THEIRS in html


def test_no_list_or_search_page_names_or_links_the_other_advisors_account(two):
    """Guard over every list a scoped advisor can open (the run page included). A search
    page echoes the query, so there the links to the account and its proposal are the
    test."""
    _fail_both(two)
    client = client_for(two.me)
    theirs = two.theirs.account_number
    links = [
        reverse("account_detail", args=[two.theirs.pk]),
        reverse("proposal_detail", args=[two.proposal_of(two.theirs).pk]),
    ]
    lists = [
        reverse("dashboard"),
        reverse("households"),
        reverse("accounts"),
        reverse("proposals") + "?status=",
        reverse("proposals") + "?status=failed",
        reverse("model_detail", args=[two.book.model.pk]),
        reverse("runs"),
        reverse("run_detail", args=[two.book.run.pk]),
        reverse("run_progress", args=[two.book.run.pk]),
    ]
    searches = [
        reverse("accounts") + f"?q={theirs}",
        reverse("households") + f"?q={theirs}",
        reverse("proposals") + f"?status=&q={theirs}",
    ]
    pages = {url: client.get(url).content.decode() for url in lists + searches}
    leaked = [
        url
        for url, html in pages.items()
        if any(link in html for link in links) or (url in lists and theirs in html)
    ]
    assert leaked == []
    mine = client.get(reverse("accounts") + f"?q={two.mine.account_number}").content.decode()
    assert reverse("account_detail", args=[two.mine.pk]) in mine


def test_detail_pages_of_the_other_advisors_objects_are_not_found(two):
    client = client_for(two.me)
    proposal = two.proposal_of(two.theirs)
    trade = ProposedTrade.objects.filter(proposal=proposal).first()
    pages = [
        reverse("household_detail", args=[two.theirs.household_id]),
        reverse("household_preferences", args=[two.theirs.household_id]),
        reverse("account_detail", args=[two.theirs.pk]),
        reverse("account_preferences", args=[two.theirs.pk]),
        reverse("account_history", args=[two.theirs.pk]),
        reverse("proposal_detail", args=[proposal.pk]),
    ]
    assert {url: client.get(url).status_code for url in pages} == dict.fromkeys(pages, 404)
    posts = [
        reverse("proposal_approve", args=[proposal.pk]),
        reverse("proposal_reject", args=[proposal.pk]),
        reverse("account_reoptimize", args=[two.theirs.pk]),
    ]
    if trade is not None:
        posts.append(reverse("trade_edit", args=[trade.pk]))
    assert {url: client.post(url).status_code for url in posts} == dict.fromkeys(posts, 404)


def test_advisors_do_not_see_blotters_at_all(two):
    client = client_for(two.me)
    assert client.get(reverse("blotters")).status_code == 403
    assert client.get("/api/v1/blotters/").status_code == 403


def _blotter_of_both(two: TwoAdvisors):
    firm = two.book.firm
    Proposal.objects.filter(firm=firm).update(flags=[])
    ids = list(
        Proposal.objects.filter(firm=firm, status=ProposalStatus.PENDING_REVIEW).values_list(
            "pk", flat=True
        )
    )
    proposals_bulk_approve(
        firm=firm, actor=Actor.person(two.book.people["admin"]), proposal_ids=ids
    )
    return blotter_create(firm=firm, actor=Actor.person(two.book.people["trader"]))


def test_a_blotters_lines_for_other_advisors_accounts_are_hidden_from_a_scoped_advisor(two):
    # given a blotter holding trades of both advisors' accounts
    blotter = _blotter_of_both(two)
    firm = two.book.firm
    me = Membership.objects.get(user=two.me, firm=firm)
    trader = Membership.objects.get(user=two.book.people["trader"], firm=firm)

    def accounts_in(membership):
        return {
            a.proposal.account.account_number
            for row in blotter_orders(firm=firm, blotter=blotter, membership=membership)
            for a in row.allocations
        }

    # then the trader sees every line, a scoped advisor only their own accounts' lines
    assert accounts_in(trader) == {two.mine.account_number, two.theirs.account_number}
    assert accounts_in(me) == {two.mine.account_number}
    assert list(blotter_fills(firm=firm, blotter=blotter, membership=me)) == []


def test_api_lists_for_a_signed_in_advisor_are_scoped_and_keys_are_not(two):
    _fail_both(two)
    api = session_client(two.me)
    theirs = two.theirs.account_number
    urls = [
        "/api/v1/accounts/",
        f"/api/v1/accounts/?search={theirs}",
        "/api/v1/households/",
        "/api/v1/proposals/?status=failed",
    ]
    for url in urls:
        response = api.get(url)
        assert response.status_code == 200, url
        assert theirs not in response.content.decode(), url
    proposal = two.proposal_of(two.theirs)
    details = [
        f"/api/v1/accounts/{two.theirs.pk}/",
        f"/api/v1/households/{two.theirs.household_id}/",
        f"/api/v1/proposals/{proposal.pk}/",
        f"/api/v1/accounts/{two.theirs.pk}/lots/",
        f"/api/v1/proposals/?account={two.theirs.pk}",
        f"/api/v1/clients/?household={two.theirs.household_id}",
    ]
    assert {u: api.get(u).status_code for u in details} == dict.fromkeys(details, 404)
    # an API key is the firm's machine credential: it reads the whole firm
    body = key_client(two.book.firm).get("/api/v1/proposals/?status=failed").content.decode()
    assert theirs in body
