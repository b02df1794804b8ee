"""An advisor's review of proposals: approve, reject, edit a quantity, re-optimize now.

Each status change is a conditional update that must hit exactly one row, written with
its audit record in one transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from firms.models import Firm
from firms.review_rules import holds_for_review
from firms.services.audit import audit_record
from models_library.services.risk_models import risk_model_mark_used
from money import cents_half_even
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, InvalidTransition, ValidationFailed
from rebalancer.transitions import transition
from trading.models import (
    Proposal,
    ProposalStatus,
    ProposedTrade,
    RunTrigger,
)
from trading.proposal_checks import Account as CheckedAccount
from trading.proposal_checks import relieve, summarize, violations
from trading.selectors.proposals import proposal_gift_recorded
from trading.selectors.run_inputs import chunk_inputs
from trading.services.gifts import gifts_mark_proposed, gifts_record_due
from trading.services.proposal_build import build_trades, proposal_solve
from trading.stored_input import stored_case


def _transition(
    *, firm: Firm, actor: Actor, proposal: Proposal, to: str, comment: str = ""
) -> Proposal:
    frm = proposal.status
    transition(
        Proposal.objects.filter(pk=proposal.pk, firm=firm),
        expected=frm,
        to=to,
        reviewed_by=actor.user,
        reviewed_at=timezone.now(),
        review_comment=comment,
    )
    audit_record(
        firm=firm,
        actor=actor,
        action=f"proposal.{to}",
        obj=proposal,
        before={"status": frm},
        after={"status": to, "comment": comment},
        account_id=proposal.account_id,
    )
    proposal.refresh_from_db()
    return proposal


@transaction.atomic
def proposal_approve(*, firm: Firm, actor: Actor, proposal: Proposal) -> Proposal:
    """Approve a proposal; a charitable gift it gives that is dated today or earlier is
    recorded in the books at once (``trading.services.gifts``)."""
    approved = _transition(firm=firm, actor=actor, proposal=proposal, to=ProposalStatus.APPROVED)
    gifts_record_due(firm=firm, actor=actor, proposal_ids=[approved.pk])
    approved.refresh_from_db()
    return approved


@transaction.atomic
def proposal_unapprove(*, firm: Firm, actor: Actor, proposal: Proposal) -> Proposal:
    """Undo an approval: the proposal is pending review again, its trades off the way to
    the blotter. Refused once any of its trades is on a blotter, and for a managed
    household's proposal (approving it re-optimized the household's other accounts)."""
    current = Proposal.objects.select_for_update().filter(pk=proposal.pk, firm=firm).first()
    if current is None or current.status != ProposalStatus.APPROVED:
        state = current.get_status_display().lower() if current else "not found"
        raise InvalidTransition(
            f"only an approved proposal can be un-approved; this one is {state}"
        )
    trades = list(ProposedTrade.objects.select_for_update().filter(proposal=proposal, firm=firm))
    if any(t.order_id is not None for t in trades):
        raise InvalidTransition(
            "this proposal's trades are already on a blotter; ask the trader to take them off "
            "before un-approving"
        )
    if proposal_gift_recorded(proposal=proposal):
        raise InvalidTransition(
            "this proposal's charitable gift is recorded in the books; it cannot be un-approved"
        )
    if proposal.household_proposal_id is not None:
        raise InvalidTransition(
            "this proposal is part of a managed household's proposal, whose other accounts were "
            "optimized again around it; it cannot be un-approved"
        )
    transition(
        Proposal.objects.filter(pk=proposal.pk, firm=firm),
        expected=ProposalStatus.APPROVED,
        to=ProposalStatus.PENDING_REVIEW,
        reviewed_by=None,
        reviewed_at=None,
        review_comment="",
    )
    audit_record(
        firm=firm,
        actor=actor,
        action="proposal.unapprove",
        obj=proposal,
        before={"status": ProposalStatus.APPROVED},
        after={"status": ProposalStatus.PENDING_REVIEW},
        account_id=proposal.account_id,
    )
    proposal.refresh_from_db()
    return proposal


@transaction.atomic
def proposal_reject(*, firm: Firm, actor: Actor, proposal: Proposal, comment: str) -> Proposal:
    if not comment.strip():
        raise ValidationFailed([(None, "comment", "say why the proposal is rejected")])
    return _transition(
        firm=firm,
        actor=actor,
        proposal=proposal,
        to=ProposalStatus.REJECTED,
        comment=comment.strip(),
    )


@transaction.atomic
def proposals_bulk_approve(*, firm: Firm, actor: Actor, proposal_ids: list[int]) -> list[int]:
    """Approve those of ``proposal_ids`` that are pending review and carry no flag that
    holds them for one-by-one review (`firms.review_rules`: any flag but those the firm
    lets through)."""
    approved = []
    for proposal in Proposal.objects.for_firm(firm).filter(
        pk__in=proposal_ids, status=ProposalStatus.PENDING_REVIEW
    ):
        if holds_for_review(allowed=firm.bulk_approvable_flags, flags=proposal.flags):
            continue
        _transition(firm=firm, actor=actor, proposal=proposal, to=ProposalStatus.APPROVED)
        approved.append(proposal.pk)
    if approved:
        gifts_record_due(firm=firm, actor=actor, proposal_ids=approved)
    return approved


def _trade_dicts(proposal: Proposal) -> list[dict]:
    return [
        {"symbol": t.security.symbol, "side": t.side, "quantity": str(t.quantity), "lots": t.lots}
        for t in proposal.trades.select_related("security").order_by("pk")
    ]


@transaction.atomic
def proposed_trade_edit(
    *, firm: Firm, actor: Actor, trade: ProposedTrade, quantity: Decimal | str
) -> Proposal:
    """Change one trade's quantity; refused, naming the rule, if the edited proposal would
    break any of the account's rules. The proposal's figures are recomputed."""
    proposal = Proposal.objects.select_for_update().get(pk=trade.proposal_id, firm=firm)
    if proposal.status != ProposalStatus.PENDING_REVIEW:
        raise InvalidTransition("only a proposal pending review can be edited")
    try:
        new_quantity = Decimal(str(quantity))
    except InvalidOperation as exc:
        raise ValidationFailed([(None, "quantity", "is not a number")]) from exc
    if new_quantity <= 0:
        raise ValidationFailed([(None, "quantity", "must be greater than zero")])
    account = CheckedAccount(stored_case(proposal.input_blob))
    trades = _trade_dicts(proposal)
    edited = next(
        t
        for t, row in zip(trades, proposal.trades.order_by("pk"), strict=True)
        if row.pk == trade.pk
    )
    edited["quantity"] = str(new_quantity)
    buy_groups = {account.group(t["symbol"]) for t in trades if t["side"] == "buy"}
    if edited["side"] == "sell":
        group = account.group(edited["symbol"])
        no_losses = account.taxable and (group in account.recent_buy_groups or group in buy_groups)
        try:
            edited["lots"] = relieve(
                account, symbol=edited["symbol"], quantity=new_quantity, no_losses=no_losses
            )
        except ValueError as exc:
            raise ValidationFailed([(None, "quantity", str(exc))]) from exc
    problems = violations(account, trades)
    if problems:
        raise ValidationFailed([(None, "quantity", p) for p in problems])
    before = {"quantity": str(trade.quantity)}
    price = account.prices[edited["symbol"]]
    ProposedTrade.objects.filter(pk=trade.pk).update(
        quantity=new_quantity,
        original_quantity=trade.original_quantity or trade.quantity,
        value_usd=cents_half_even(new_quantity * price),
        lots=edited.get("lots") or [],
        realized_gain_usd=sum((Decimal(x["gain"]) for x in edited.get("lots") or []), Decimal(0)),
    )
    figures = summarize(account, trades)
    Proposal.objects.for_firm(firm).filter(pk=proposal.pk).update(
        cash_after_usd=Decimal(figures["cash_after"]),
        realized_short_term_gain_usd=Decimal(figures["realized_short_term_gain"]),
        realized_long_term_gain_usd=Decimal(figures["realized_long_term_gain"]),
        estimated_tax_usd=Decimal(figures["estimated_tax"]),
        transaction_cost_usd=Decimal(figures["transaction_cost"]),
        turnover=Decimal(figures["turnover"]),
    )
    audit_record(
        firm=firm,
        actor=actor,
        action="proposed_trade.edit",
        obj=trade,
        object_repr=f"{trade.side} {trade.security.symbol} in proposal {proposal.pk}",
        before=before,
        after={"quantity": str(new_quantity), **figures},
        account_id=proposal.account_id,
    )
    proposal.refresh_from_db()
    return proposal


def proposal_reoptimize(*, firm: Firm, actor: Actor, account: Account, as_of: dt.date) -> Proposal:
    """Optimize one account now and make that the account's open proposal for ``as_of``.

    An open proposal of that date is superseded (an approved one stays, and this is refused).
    Loading and solving happen outside the transaction; the write is one short transaction.
    """
    if account.firm_id != firm.pk:
        raise DomainError("Not found.", field="account")
    inputs = chunk_inputs(firm=firm, account_ids=[account.pk], as_of=as_of)
    if inputs.risk_model is not None:
        risk_model_mark_used(name=inputs.risk_model.id)
    [item] = inputs.accounts
    solved = proposal_solve(firm=firm, item=item, inputs=inputs, run_id=None)
    new = solved.proposal
    with transaction.atomic():
        current = (
            Proposal.objects.select_for_update()
            .filter(firm=firm, account=account, as_of=as_of)
            .exclude(status=ProposalStatus.SUPERSEDED)
            .first()
        )
        if current is not None and current.status in {
            ProposalStatus.APPROVED,
            ProposalStatus.FILLED,
        }:
            state = current.get_status_display().lower()
            raise InvalidTransition(
                f"this account's proposal for the day is already {state}; it cannot be replaced"
            )
        if current is not None:
            transition(current, to=ProposalStatus.SUPERSEDED)
        new.save()
        ProposedTrade.objects.bulk_create(
            build_trades(
                firm=firm, proposal=new, trades=solved.trades, securities=inputs.securities
            )
        )
        gifts_mark_proposed(firm=firm, proposals=[new])
        audit_record(
            firm=firm,
            actor=actor,
            action="proposal.reoptimize",
            obj=new,
            before={"proposal": current.pk if current else None},
            after={"proposal": new.pk, "status": new.status, "trigger": RunTrigger.USER},
            account_id=account.pk,
        )
    return new
