"""The morning after a nightly run, as a firm does it, for ``bench_demo_outcomes
--fill-and-rerun``: an advisor approves every proposal awaiting review, a trader puts them
on a blotter and approves it (a second trader too where the firm wants four eyes), exports
the orders, and every allocation is filled in full at the proposal's price on the run's
date."""

from __future__ import annotations

import csv
import io

from django.core.management.base import CommandError

from firms.models import Firm, Membership, Role
from rebalancer.actors import Actor
from trading.models import Proposal, ProposalStatus, Run
from trading.services.blotters import blotter_approve, blotter_create
from trading.services.fills_import import fills_import_csv
from trading.services.orders_export import orders_export_csv
from trading.services.review import proposal_approve


def _staff(firm: Firm, role: str) -> list[Actor]:
    members = Membership.objects.filter(firm=firm, role=role, is_active=True).select_related("user")
    return [Actor.person(m.user) for m in members.order_by("user__username")]


def approve_and_fill(*, firm: Firm, run: Run) -> int:
    """Approve the run's proposals awaiting review, put them on a blotter, approve it and
    fill every allocation in full at the proposal's price on the run's date. Returns the
    number of fills."""
    advisors, traders = _staff(firm, Role.ADVISOR), _staff(firm, Role.TRADER)
    if not advisors or not traders:
        raise CommandError("the firm needs an advisor and a trader to approve and fill")
    pending = Proposal.objects.for_firm(firm).filter(run=run, status=ProposalStatus.PENDING_REVIEW)
    admin = _staff(firm, Role.FIRM_ADMIN) or advisors
    for proposal in pending:  # flagged ones too: the advisor has read each flag
        proposal_approve(firm=firm, actor=admin[0], proposal=proposal)
    blotter = blotter_create(firm=firm, actor=traders[0])
    blotter = blotter_approve(firm=firm, actor=traders[0], blotter=blotter)
    if firm.require_four_eyes:
        others = traders[1:] + _staff(firm, Role.FIRM_ADMIN)
        if not others:
            raise CommandError("four eyes: the firm needs a second trader to approve the blotter")
        blotter = blotter_approve(firm=firm, actor=others[0], blotter=blotter)
    orders_export_csv(firm=firm, actor=traders[0], blotter=blotter)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["fill_id", "order_id", "account_number", "quantity", "price", "trade_date"])
    rows = 0
    for order in blotter.orders.all():
        for trade in order.allocations.select_related("proposal__account"):
            rows += 1
            writer.writerow(
                [
                    f"bench-{blotter.number}-{trade.pk}",
                    order.pk,
                    trade.proposal.account.account_number,
                    trade.quantity,
                    trade.price,
                    run.as_of.isoformat(),
                ]
            )
    fills_import_csv(firm=firm, actor=traders[0], blotter=blotter, text=out.getvalue())
    return rows
