"""Advisor review: the proposals list with bulk approval, one proposal with its trades,
figures and chart; approve, reject with a comment, edit a quantity (HTMX), re-optimize."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.selectors.households import account_get
from firms.permissions import Action, require
from firms.requests import FirmRequest
from firms.web import csv_download, error_lines, firm_view, is_htmx, paginate, wants_csv
from rebalancer.errors import DomainError
from trading.forms import RejectForm, TradeEditForm
from trading.models import ProposalStatus
from trading.selectors.exports import proposals_csv
from trading.selectors.gifts import proposal_gifts
from trading.selectors.proposals import (
    book_as_of,
    current_proposal,
    largest_changes,
    previous_proposal,
    proposal_gain_room,
    proposal_get,
    proposal_list,
    proposal_tax_budget,
    proposal_trades,
    proposal_unapprovable,
    proposal_weights,
    trade_get,
)
from trading.selectors.trade_report import proposal_allocation, proposal_tax_effect
from trading.selectors.trade_story import tax_swaps, trade_stories
from trading.selectors.transition import proposal_transition_step
from trading.services.review import (
    proposal_approve,
    proposal_reject,
    proposal_reoptimize,
    proposal_unapprove,
    proposals_bulk_approve,
    proposed_trade_edit,
)

FLAG_CHOICES = [("", "Any"), ("yes", "Flagged"), ("no", "Not flagged")]


@firm_view(Action.VIEW_BOOK)
def proposals(request: FirmRequest) -> HttpResponse:
    status = request.GET.get("status", ProposalStatus.PENDING_REVIEW)
    filters = {
        "status": status if status in ProposalStatus.values else "",
        "flagged": request.GET.get("flagged", ""),
        "search": request.GET.get("q", "").strip(),
    }
    qs = proposal_list(firm=request.firm, membership=request.membership, **filters)
    if wants_csv(request):
        text = proposals_csv(proposals=qs.select_related("account"))
        return csv_download(text, filename=f"proposals-{request.firm.slug}.csv")
    return render(
        request,
        "trading/proposals.html",
        {
            "page": paginate(request, qs.select_related("account"), 50),
            "filters": filters,
            "statuses": ProposalStatus.choices,
            "flag_choices": FLAG_CHOICES,
        },
    )


def _detail_context(request: FirmRequest, proposal) -> dict:
    weights = proposal_weights(proposal=proposal)
    charted = largest_changes(weights)
    trades = list(proposal_trades(proposal=proposal))
    return {
        "proposal": proposal,
        "trades": trades,
        "stories": trade_stories(proposal=proposal, trades=trades),
        "swaps": tax_swaps(proposal=proposal, trades=trades),
        "weights": weights,
        "charted_all": len(charted) == len(weights),
        "chart": {
            "labels": [w.symbol for w in charted],
            "target": [float(round(w.target * 100, 2)) for w in charted],
            "before": [float(round(w.before * 100, 2)) for w in charted],
            "after": [float(round(w.after * 100, 2)) for w in charted],
        },
        "rules": proposal.binding_rules or [],
        "gain_room": proposal_gain_room(proposal=proposal),
        "tax_budget": proposal_tax_budget(proposal=proposal),
        "transition": proposal_transition_step(proposal=proposal),
        "gifts": proposal_gifts(proposal=proposal),
        "previous": previous_proposal(firm=request.firm, proposal=proposal),
        "editable": proposal.status == ProposalStatus.PENDING_REVIEW,
        "unapprovable": proposal_unapprovable(proposal=proposal),
        "reject_form": RejectForm(),
    }


@firm_view(Action.VIEW_BOOK)
def proposal_detail(request: FirmRequest, proposal_id: int) -> HttpResponse:
    proposal = proposal_get(
        firm=request.firm, proposal_id=proposal_id, membership=request.membership
    )
    return render(request, "trading/proposal_detail.html", _detail_context(request, proposal))


@firm_view(Action.VIEW_BOOK)
def proposal_report(request: FirmRequest, proposal_id: int) -> HttpResponse:
    """The client's printable trade report: trades in words, tax swaps, allocation before
    and after, tax effect."""
    proposal = proposal_get(
        firm=request.firm, proposal_id=proposal_id, membership=request.membership
    )
    trades = list(proposal_trades(proposal=proposal))
    swaps = tax_swaps(proposal=proposal, trades=trades)
    return render(
        request,
        "trading/proposal_report.html",
        {
            "proposal": proposal,
            "clients": proposal.account.household.clients.all(),
            "stories": trade_stories(proposal=proposal, trades=trades),
            "swaps": swaps,
            "allocation": proposal_allocation(proposal=proposal),
            "tax": proposal_tax_effect(proposal=proposal, trades=trades),
        },
    )


@require_POST
@firm_view(Action.VIEW_BOOK)
def proposal_approve_view(request: FirmRequest, proposal_id: int) -> HttpResponse:
    proposal = proposal_get(
        firm=request.firm, proposal_id=proposal_id, membership=request.membership
    )
    require(request.membership, Action.REVIEW_PROPOSALS)
    try:
        proposal_approve(firm=request.firm, actor=request.actor, proposal=proposal)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Proposal approved: its trades go to the trader's blotter.")
    return redirect("proposal_detail", proposal.pk)


@require_POST
@firm_view(Action.VIEW_BOOK)
def proposal_unapprove_view(request: FirmRequest, proposal_id: int) -> HttpResponse:
    """Undo an approval while no blotter holds the proposal's trades."""
    proposal = proposal_get(
        firm=request.firm, proposal_id=proposal_id, membership=request.membership
    )
    require(request.membership, Action.REVIEW_PROPOSALS)
    try:
        proposal_unapprove(firm=request.firm, actor=request.actor, proposal=proposal)
    except DomainError as exc:
        messages.error(request, f"Not un-approved: {exc.message}.")
    else:
        messages.success(request, "Approval undone: the proposal is pending review again.")
    return redirect("proposal_detail", proposal.pk)


@require_POST
@firm_view(Action.VIEW_BOOK)
def proposal_reject_view(request: FirmRequest, proposal_id: int) -> HttpResponse:
    proposal = proposal_get(
        firm=request.firm, proposal_id=proposal_id, membership=request.membership
    )
    require(request.membership, Action.REVIEW_PROPOSALS)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            proposal_reject(
                firm=request.firm,
                actor=request.actor,
                proposal=proposal,
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Proposal rejected.")
            return redirect("proposal_detail", proposal.pk)
    context = _detail_context(request, proposal)
    context["reject_form"] = form
    return render(request, "trading/proposal_detail.html", context, status=400)


@require_POST
@firm_view(Action.VIEW_BOOK)
def trade_edit(request: FirmRequest, trade_id: int) -> HttpResponse:
    """Change one trade's quantity. With HTMX the proposal body comes back in place, with
    the refusal (naming the broken rule) beside the trade when the edit is not allowed."""
    trade = trade_get(firm=request.firm, trade_id=trade_id, membership=request.membership)
    require(request.membership, Action.REVIEW_PROPOSALS)
    form = TradeEditForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            proposed_trade_edit(
                firm=request.firm,
                actor=request.actor,
                trade=trade,
                quantity=form.cleaned_data["quantity"],
            )
        except DomainError as exc:
            errors = error_lines(exc)
    else:
        errors = [f"{name}: {' '.join(str(m) for m in e)}" for name, e in form.errors.items()]
    proposal = proposal_get(
        firm=request.firm, proposal_id=trade.proposal_id, membership=request.membership
    )
    if is_htmx(request):
        context = _detail_context(request, proposal)
        context.update({"edit_errors": errors, "edited_trade": trade.pk, "edited_ok": not errors})
        return render(request, "trading/_proposal_body.html", context)
    for line in errors:
        messages.error(request, f"{trade.security.symbol}: {line}")
    if not errors:
        messages.success(request, f"{trade.security.symbol} quantity changed.")
    return redirect("proposal_detail", proposal.pk)


@require_POST
@firm_view(Action.VIEW_BOOK)
def account_reoptimize(request: FirmRequest, account_id: int) -> HttpResponse:
    """Optimize the account now, for its current proposal's date, and show the result."""
    account = account_get(firm=request.firm, account_id=account_id, membership=request.membership)
    require(request.membership, Action.REVIEW_PROPOSALS)
    current = current_proposal(firm=request.firm, account=account)
    as_of = current.as_of if current else book_as_of(firm=request.firm)
    try:
        new = proposal_reoptimize(
            firm=request.firm, actor=request.actor, account=account, as_of=as_of
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("account_detail", account.pk)
    messages.success(request, "Re-optimized with the account's current preferences.")
    return redirect("proposal_detail", new.pk)


@require_POST
@firm_view(Action.VIEW_BOOK)
def proposals_bulk_approve_view(request: FirmRequest) -> HttpResponse:
    """Approve the ticked proposals that are pending and carry no flag that the firm's
    review rules hold for one-by-one review; the rest are left."""
    ids = [int(x) for x in request.POST.getlist("proposal") if x.isdigit()]
    visible = list(
        proposal_list(firm=request.firm, membership=request.membership)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    if set(ids) - set(visible):
        raise Http404("No proposal matches the given query.")
    require(request.membership, Action.REVIEW_PROPOSALS)
    if not ids:
        messages.error(request, "Nothing approved: tick the proposals to approve first.")
        return redirect("proposals")
    approved = proposals_bulk_approve(firm=request.firm, actor=request.actor, proposal_ids=visible)
    skipped = len(ids) - len(approved)
    text = f"{len(approved)} proposal{'s' if len(approved) != 1 else ''} approved."
    if skipped:
        text += f" {skipped} left for review (a flag holds them, or no longer pending)."
    (messages.success if approved else messages.error)(request, text)
    return redirect("proposals")
