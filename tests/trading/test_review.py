"""Advisor review: approve, reject, bulk approval, edits re-checked, re-optimize now."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.services.preferences import restriction_add
from firms.models import AuditEvent
from rebalancer.actors import Actor
from rebalancer.errors import InvalidTransition, ValidationFailed
from trading.models import Proposal, ProposalStatus
from trading.services.review import (
    proposal_approve,
    proposal_reject,
    proposal_reoptimize,
    proposals_bulk_approve,
    proposed_trade_edit,
)
from trading.services.runs import chunk_process, run_start

from .builders import AS_OF, small_book


@pytest.fixture
def proposals(firm_a):
    firm_a.turnover_flag_threshold, firm_a.tax_flag_threshold_usd = 1, 10**9
    firm_a.save()
    small_book(firm=firm_a, accounts=3)
    _, chunk_ids = run_start(firm=firm_a, as_of=AS_OF, trigger="command")
    for chunk_id in chunk_ids:
        chunk_process(firm_id=firm_a.pk, chunk_id=chunk_id)
    return list(Proposal.objects.filter(firm=firm_a).order_by("pk"))


def test_approve_then_cannot_reject(firm_a, advisor_a, proposals):
    proposal = proposal_approve(firm=firm_a, actor=Actor.person(advisor_a), proposal=proposals[0])
    assert proposal.status == ProposalStatus.APPROVED
    assert proposal.reviewed_by == advisor_a
    with pytest.raises(InvalidTransition):
        proposal_reject(firm=firm_a, actor=Actor.person(advisor_a), proposal=proposal, comment="no")
    assert AuditEvent.objects.filter(action="proposal.approved").count() == 1


def test_reject_needs_a_comment(firm_a, advisor_a, proposals):
    with pytest.raises(ValidationFailed):
        proposal_reject(
            firm=firm_a, actor=Actor.person(advisor_a), proposal=proposals[0], comment=" "
        )
    proposal = proposal_reject(
        firm=firm_a, actor=Actor.person(advisor_a), proposal=proposals[0], comment="client called"
    )
    assert proposal.review_comment == "client called"


def test_stale_copy_cannot_approve_twice(firm_a, advisor_a, proposals):
    stale = Proposal.objects.get(pk=proposals[0].pk)
    proposal_approve(firm=firm_a, actor=Actor.person(advisor_a), proposal=proposals[0])
    with pytest.raises(InvalidTransition):
        proposal_approve(firm=firm_a, actor=Actor.person(advisor_a), proposal=stale)


def test_bulk_approval_skips_flagged(firm_a, advisor_a, proposals):
    Proposal.objects.filter(pk=proposals[1].pk).update(flags=["tax_above_threshold"])
    approved = proposals_bulk_approve(
        firm=firm_a, actor=Actor.person(advisor_a), proposal_ids=[p.pk for p in proposals]
    )
    assert sorted(approved) == [proposals[0].pk, proposals[2].pk]
    assert Proposal.objects.get(pk=proposals[1].pk).status == ProposalStatus.PENDING_REVIEW


def test_bulk_approval_lets_through_only_the_flags_the_firm_allows(firm_a, advisor_a, proposals):
    Proposal.objects.filter(pk=proposals[1].pk).update(flags=["drift_forced"])
    Proposal.objects.filter(pk=proposals[2].pk).update(flags=["drift_forced", "withdrawal_not_met"])
    ids = [p.pk for p in proposals]
    actor = Actor.person(advisor_a)

    # by default every flag holds a proposal for one-by-one review
    assert proposals_bulk_approve(firm=firm_a, actor=actor, proposal_ids=ids) == [proposals[0].pk]

    # a firm that lets drift_forced through: the proposal with that flag alone is approved
    firm_a.bulk_approvable_flags = ["drift_forced"]
    firm_a.save(update_fields=["bulk_approvable_flags"])
    assert proposals_bulk_approve(firm=firm_a, actor=actor, proposal_ids=ids) == [proposals[1].pk]
    assert Proposal.objects.get(pk=proposals[2].pk).status == ProposalStatus.PENDING_REVIEW


def test_other_firm_cannot_approve(firm_b, advisor_b, proposals):
    with pytest.raises(InvalidTransition):
        proposal_approve(firm=firm_b, actor=Actor.person(advisor_b), proposal=proposals[0])
    assert Proposal.objects.get(pk=proposals[0].pk).status == ProposalStatus.PENDING_REVIEW


def test_edit_within_the_rules_recomputes_figures(firm_a, advisor_a, proposals):
    proposal = proposals[0]
    trade = proposal.trades.order_by("-value_usd").first()
    smaller = (trade.quantity / 2).to_integral_value()
    edited = proposed_trade_edit(
        firm=firm_a, actor=Actor.person(advisor_a), trade=trade, quantity=smaller
    )
    trade.refresh_from_db()
    assert trade.quantity == smaller
    assert trade.original_quantity is not None
    assert edited.turnover < proposal.turnover
    assert AuditEvent.objects.filter(action="proposed_trade.edit").count() == 1


def test_edit_that_oversells_or_breaks_a_restriction_is_refused(firm_a, advisor_a, proposals):
    proposal = proposals[0]
    sale = proposal.trades.filter(side="sell").first()
    buy = proposal.trades.filter(side="buy").first()
    assert sale is not None or buy is not None
    if sale is not None:
        with pytest.raises(ValidationFailed, match="may be sold"):
            proposed_trade_edit(
                firm=firm_a, actor=Actor.person(advisor_a), trade=sale, quantity="100000"
            )
    if buy is not None:
        with pytest.raises(ValidationFailed, match="below the"):
            proposed_trade_edit(
                firm=firm_a, actor=Actor.person(advisor_a), trade=buy, quantity="1000000"
            )
    with pytest.raises(ValidationFailed):
        proposed_trade_edit(
            firm=firm_a, actor=Actor.person(advisor_a), trade=(sale or buy), quantity="1.5"
        )


def test_reoptimize_after_a_preference_change_replaces_the_open_proposal(
    firm_a, advisor_a, proposals
):
    proposal = proposals[0]
    bought = set(proposal.trades.filter(side="buy").values_list("security__symbol", flat=True))
    sold = set(proposal.trades.filter(side="sell").values_list("security__symbol", flat=True))
    # given the advisor forbids the trade the optimizer wanted
    symbol, kind = (next(iter(sold)), "do_not_sell") if sold else (next(iter(bought)), "do_not_buy")
    restriction_add(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        account=proposal.account,
        symbol=symbol,
        type=kind,
    )
    # when
    new = proposal_reoptimize(
        firm=firm_a, actor=Actor.person(advisor_a), account=proposal.account, as_of=AS_OF
    )
    # then
    assert new.pk != proposal.pk
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.SUPERSEDED
    side = "sell" if kind == "do_not_sell" else "buy"
    assert not new.trades.filter(security__symbol=symbol, side=side).exists()
    open_ = Proposal.objects.filter(account=proposal.account, as_of=AS_OF).exclude(
        status=ProposalStatus.SUPERSEDED
    )
    assert list(open_) == [new]


def test_reoptimize_refuses_to_replace_an_approved_proposal(firm_a, advisor_a, proposals):
    proposal_approve(firm=firm_a, actor=Actor.person(advisor_a), proposal=proposals[0])
    with pytest.raises(InvalidTransition):
        proposal_reoptimize(
            firm=firm_a, actor=Actor.person(advisor_a), account=proposals[0].account, as_of=AS_OF
        )


def test_tax_swap_edit_refused_when_it_would_be_a_wash_sale(firm_a, advisor_a):
    from trading.proposal_checks import Account, violations

    case = {
        "as_of": "2025-06-30",
        "account": {"id": "A", "tax_status": "taxable", "cash": "0"},
        "securities": {
            "VEA": {"price": "50", "asset_class": "intl", "identical_group": "FTSE"},
            "SCHF": {"price": "20", "asset_class": "intl", "identical_group": "FTSE"},
        },
        "lots": [
            {
                "id": "L1",
                "symbol": "VEA",
                "quantity": "10",
                "cost_basis": "800",
                "acquired": "2025-01-02",
            }
        ],
        "wash_sale": {"recent_buys": [], "recent_loss_sales": []},
    }
    trades: list[dict[str, Any]] = [
        {
            "symbol": "VEA",
            "side": "sell",
            "quantity": "10",
            "lots": [
                {
                    "lot": "L1",
                    "quantity": "10",
                    "cost_basis": "800.00",
                    "gain": "-300.00",
                    "term": "short",
                }
            ],
        },
        {"symbol": "SCHF", "side": "buy", "quantity": "20"},
    ]
    found = violations(Account(case), trades)
    assert any("wash sale" in v for v in found)
