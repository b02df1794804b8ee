"""Partial approval of a household proposal: the accounts not yet approved are optimized
again as one household with the approved accounts' trades fixed. The approved accounts'
holdings after their trades count toward the household's allocation (as a held-away
account would), and their trades are in every account's wash-sale windows (approved trades
count as traded, ``trading.selectors.run_inputs``). The accounts' open proposals of the
night are superseded by the new ones, in one short transaction, audited."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from firms.models import Firm
from firms.services.audit import audit_record
from optimizer.household_types import HeldAway
from optimizer.types import Case
from rebalancer.actors import Actor
from rebalancer.transitions import transition
from trading.models import (
    HouseholdProposal,
    Proposal,
    ProposalStatus,
    ProposedTrade,
    TradeSide,
)
from trading.selectors.household_inputs import household_settings
from trading.selectors.run_inputs import AccountInputs, ChunkInputs, chunk_inputs
from trading.services.household_runs import (
    HouseholdSolved,
    account_case,
    blended_target,
    solve_managed,
)
from trading.services.proposal_build import build_trades

DONE = (ProposalStatus.APPROVED, ProposalStatus.FILLED)
OPEN = (ProposalStatus.PENDING_REVIEW, ProposalStatus.NO_TRADES)


def _after_trades(
    item: AccountInputs, trades: list[ProposedTrade], inputs: ChunkInputs
) -> HeldAway:
    """An approved account as the optimizer sees a held-away one: its holdings after its
    approved trades, at the night's prices."""
    shares: dict[str, Decimal] = defaultdict(Decimal)
    for _, _, symbol, quantity, _, _ in item.lots:
        shares[symbol] += quantity
    for trade in trades:
        sign = 1 if trade.side == TradeSide.BUY else -1
        shares[trade.security.symbol] += sign * trade.quantity
    values = {
        symbol: qty * inputs.prices[symbol][1]
        for symbol, qty in shares.items()
        if qty and symbol in inputs.prices
    }
    return HeldAway(
        id=f"approved-{item.account.pk}",
        tax_status=item.account.tax_status,
        values=values,
        transactions_through=inputs.as_of,
    )


def household_rest_reoptimize(
    *, firm: Firm, actor: Actor, household_proposal: HouseholdProposal
) -> list[Proposal]:
    """New proposals for the household proposal's accounts that are not approved, solved
    with the approved ones fixed; nothing when none is approved or none is left."""
    group = list(
        household_proposal.proposals.exclude(status=ProposalStatus.SUPERSEDED).select_related(
            "account"
        )
    )
    approved = [p for p in group if p.status in DONE]
    rest = [p for p in group if p.status in OPEN]
    if not approved or not rest:
        return []
    inputs = chunk_inputs(
        firm=firm, account_ids=[p.account_id for p in group], as_of=household_proposal.as_of
    )
    setting = household_settings(firm=firm, inputs=inputs)[household_proposal.household_id]
    items = {item.account.pk: item for item in inputs.accounts}
    target = setting.target
    if target is None:
        cases = [account_case(items[p.account_id], inputs) for p in group]
        target = blended_target([c for c in cases if isinstance(c, Case)])
    trades = defaultdict(list)
    for trade in (
        ProposedTrade.objects.for_firm(firm)
        .filter(proposal__in=approved, held=False)
        .select_related("security", "proposal")
    ):
        trades[trade.proposal.account_id].append(trade)
    fixed = [_after_trades(items[p.account_id], trades[p.account_id], inputs) for p in approved]
    solved = solve_managed(
        firm=firm,
        run_id=household_proposal.run_id,
        inputs=inputs,
        setting=dataclasses.replace(setting, target=target, held_away=[*setting.held_away, *fixed]),
        items=[items[p.account_id] for p in rest],
    )
    if solved is None:
        return []
    return _write(
        firm=firm,
        actor=actor,
        household_proposal=household_proposal,
        old=rest,
        solved=solved,
        inputs=inputs,
    )


def _write(
    *,
    firm: Firm,
    actor: Actor,
    household_proposal: HouseholdProposal,
    old: list[Proposal],
    solved: HouseholdSolved,
    inputs: ChunkInputs,
) -> list[Proposal]:
    new_proposals = []
    with transaction.atomic():
        for proposal in old:
            transition(proposal, to=ProposalStatus.SUPERSEDED)
        for answer in solved.accounts:
            answer.proposal.household_proposal = household_proposal
            answer.proposal.save()
            ProposedTrade.objects.bulk_create(
                build_trades(
                    firm=firm,
                    proposal=answer.proposal,
                    trades=answer.trades,
                    securities=inputs.securities,
                )
            )
            new_proposals.append(answer.proposal)
        HouseholdProposal.objects.filter(pk=household_proposal.pk, firm=firm).update(
            summary=solved.proposal.summary, flags=solved.proposal.flags
        )
        audit_record(
            firm=firm,
            actor=actor,
            action="household_proposal.reoptimize_rest",
            obj=household_proposal,
            before={"proposals": [p.pk for p in old]},
            after={"proposals": [p.pk for p in new_proposals]},
        )
    return new_proposals
