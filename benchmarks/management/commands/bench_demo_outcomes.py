"""``python manage.py bench_demo_outcomes``: what a firm's nightly run does to its
portfolios, measured on the demo firm (after ``python3 dev.py start`` or ``seed_demo``).

A benchmark, not a test: it prints figures. For the firm's latest run it counts the
proposals, those with no trades, those flagged ``drift_forced``, and those whose tracking
error ends above the account's limit without that flag (beyond a tolerance for whole-share
rounding), or rises above the limit and above where it started; it lists direct-index
accounts (30 or more securities in the target) against their limit, and fund accounts
with a substitution (SCHB held for VTI) by their substitute-aware drift.

With ``--fill-and-rerun`` (it changes the database: run it on a scratch copy) it then does
what a firm does the next morning: an advisor approves every proposal awaiting review, a
trader puts them on a blotter and approves it (a second trader too where the firm wants
four eyes) and exports the orders, every allocation is filled in full at the proposal's
price on the run's date, and the nightly run is started for the next day with the same
prices and no new cash flows. A portfolio the first night made right should need nothing
the next: it prints the share of accounts with no trades.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.firm import DEFAULT_SLUG
from firms.models import Firm, Membership, Role
from rebalancer.actors import Actor
from rebalancer.rowsecurity import firm_scope
from trading.models import Proposal, ProposalStatus, Run
from trading.optimization import unpack_input
from trading.services.blotters import (
    blotter_approve,
    blotter_create,
    fills_import_csv,
    orders_export_csv,
)
from trading.services.review import proposal_approve
from trading.services.runs import run_start
from trading.tasks import enqueue_chunks

DIRECT_INDEX_MIN_SECURITIES = 30


@dataclass
class NightFigures:
    as_of: dt.date
    proposals: int = 0
    failed: int = 0
    no_trades: int = 0
    forced: int = 0
    outside_unforced: list[str] = field(default_factory=list)
    raised_unforced: list[str] = field(default_factory=list)
    direct_index: list[tuple[str, Decimal, Decimal, bool]] = field(default_factory=list)
    substituted: list[tuple[str, Decimal]] = field(default_factory=list)


def _pct(summary: dict[str, Any], key: str) -> Decimal | None:
    value = summary.get(key)
    return None if value in (None, "") else Decimal(str(value))


def night_figures(*, firm: Firm, run: Run, tolerance_pct: Decimal) -> NightFigures:
    """The figures of one run's proposals (see the module)."""
    figures = NightFigures(as_of=run.as_of)
    proposals = Proposal.objects.for_firm(firm).filter(run=run).select_related("account")
    for proposal in proposals.order_by("account__account_number"):
        figures.proposals += 1
        number = proposal.account.account_number
        if proposal.status == ProposalStatus.FAILED:
            figures.failed += 1
            continue
        if proposal.status == ProposalStatus.NO_TRADES:
            figures.no_trades += 1
        summary = (proposal.result or {}).get("summary") or {}
        flags = summary.get("flags") or []
        forced = "drift_forced" in flags
        figures.forced += forced
        before = _pct(summary, "tracking_error_before_pct")
        after = _pct(summary, "tracking_error_after_pct")
        limit = _pct(summary, "tracking_error_limit_pct")
        if before is None or after is None or limit is None:
            continue
        if not forced and after > limit + tolerance_pct:
            figures.outside_unforced.append(f"{number} ({before}% -> {after}%, limit {limit}%)")
            if after > before + tolerance_pct:
                figures.raised_unforced.append(number)
        stored = unpack_input(proposal.input_blob) if proposal.input_blob else {}
        if len(stored.get("target") or {}) >= DIRECT_INDEX_MIN_SECURITIES:
            figures.direct_index.append((number, after, limit, forced))
        substitutions = (stored.get("preferences") or {}).get("substitutions") or []
        if substitutions and len(stored.get("target") or {}) < DIRECT_INDEX_MIN_SECURITIES:
            figures.substituted.append((number, proposal.drift_after))
    return figures


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


class Command(BaseCommand):
    help = (
        "Print what the firm's latest nightly run does to its portfolios (tracking error "
        "against each account's limit, drift_forced, no trades); with --fill-and-rerun, "
        "approve and fill it and run the next day (changes the database)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firm", default=DEFAULT_SLUG, help="firm slug (default: the demo)")
        parser.add_argument(
            "--tolerance-pct",
            type=Decimal,
            default=Decimal("0.06"),
            help="how far above its limit (%%/yr) an answer may end for whole-share rounding",
        )
        parser.add_argument("--fill-and-rerun", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        firm = Firm.objects.filter(slug=options["firm"]).first()
        if firm is None:
            raise CommandError(f"no firm {options['firm']!r}: run `python3 dev.py start` first")
        tolerance = options["tolerance_pct"]
        self.tolerance = tolerance
        with firm_scope(firm):
            run = Run.objects.for_firm(firm).order_by("-as_of", "-pk").first()
            if run is None:
                raise CommandError("the firm has no nightly run yet")
            first = night_figures(firm=firm, run=run, tolerance_pct=tolerance)
            self._print(first, title="first night")
            if not options["fill_and_rerun"]:
                return
            fills = approve_and_fill(firm=firm, run=run)
            self.stdout.write(f"\napproved and filled: {fills} allocations at the run's prices")
            nxt = run.as_of + dt.timedelta(days=1)
            run_start(firm=firm, as_of=nxt, trigger="command", enqueue=enqueue_chunks)
            second_run = Run.objects.for_firm(firm).get(as_of=nxt)
            second = night_figures(firm=firm, run=second_run, tolerance_pct=tolerance)
            self._print(second, title=f"next day ({nxt}, same prices, no new cash flows)")
            solved = second.proposals - second.failed
            share = second.no_trades / solved if solved else 0.0
            self.stdout.write(
                f"\nno trades the next day: {second.no_trades} of {solved} accounts "
                f"({share:.1%}; target at least 95 %)"
            )

    def _print(self, f: NightFigures, *, title: str) -> None:
        w = self.stdout.write
        w(f"\n{title}: run of {f.as_of}")
        w(f"  proposals                                  {f.proposals}")
        w(f"  failed                                     {f.failed}")
        w(f"  no trades                                  {f.no_trades}")
        w(f"  flagged drift_forced                       {f.forced}")
        w(f"  end above their limit, not flagged         {len(f.outside_unforced)}")
        w(f"  ... of which raised tracking error         {len(f.raised_unforced)}")
        for line in f.outside_unforced[:10]:
            w(f"      {line}")
        inside = sum(
            1
            for _, after, limit, forced in f.direct_index
            if after <= limit + self.tolerance or forced
        )
        w(
            f"  direct-index accounts                      {len(f.direct_index)}, "
            f"{inside} within their limit (+{self.tolerance} %/yr for whole shares) or flagged"
        )
        for number, after, limit, forced in f.direct_index:
            w(f"      {number}: {after} %/yr (limit {limit}){' drift_forced' if forced else ''}")
        if f.substituted:
            worst = max(f.substituted, key=lambda row: row[1])
            w(
                f"  fund accounts with a substitution          {len(f.substituted)}, "
                f"largest drift after {worst[1]:.2%} ({worst[0]})"
            )
