"""``python manage.py bench_demo_outcomes``: what a firm's nightly run does to its
portfolios, measured on the demo firm (after ``python3 dev.py start`` or ``seed_demo``).

A benchmark, not a test: it prints figures. For the firm's latest run it counts the
proposals, those with no trades, those flagged ``drift_forced``, and those whose tracking
error ends above the account's limit without that flag (beyond a tolerance for whole-share
rounding), or rises above the limit and above where it started; it lists direct-index
accounts (30 or more securities in the target) against their limit, and fund accounts
with a substitution (SCHB held for VTI) by their substitute-aware drift.

"Further from its model" is measured by each account's own measure: tracking error in
%/yr against the model, the household's for an account of a household managed as one
(its drift and limit are the household's too, as its stored summary and the household
proposal say). It counts the proposals whose effective drift rises without the
``drift_forced`` flag and how many of them lower tracking error (those in managed
households apart), then takes every proposal that raises its tracking error and says why:
``drift_forced`` (a rule forced it), paid for in the same proposal (tax saved by the
losses it realizes, a cash need it meets: a withdrawal or cash raised to the minimum, or
for a managed household the yearly tax its asset location saves) and inside its limit
(beyond the tolerance for whole shares), or unexplained: those are listed with their
figures and the reasons of their trades, and there should be none.

Last, by each account's own measure and split by kind of account: a fund account (its
target holds no stock, as the optimizer's ``drift_is_measure``) by its effective drift,
which only a forcing rule (``drift_forced``, naming it) may raise (beyond
``--drift-tolerance``, 0.1 % of the account for whole shares); a direct index by its
tracking error, which a proposal may also raise when it pays for it inside the limit
("paid, inside limit"); an account of a managed household by the household's tracking
error, likewise (the household's drift rising beyond the tolerance without the flag is
shown apart: a household whose target holds no stock keeps its drift as a fund account
does). The proposals that leave an account further from its model without a forcing
rule, and not paid inside the limit, are listed; there should be none.

With ``--fill-and-rerun`` (it changes the database: run it on a scratch copy) it then does
what a firm does the next morning: an advisor approves every proposal awaiting review, a
trader puts them on a blotter and approves it (a second trader too where the firm wants
four eyes) and exports the orders, every allocation is filled in full at the proposal's
price on the run's date, and the nightly run is started for the next day with the same
prices and no new cash flows. A portfolio the first night made right should need nothing
the next: it prints the share of accounts with no trades.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks.demo_outcomes import (
    DRIFT_FORCED,
    DRIFT_ROUNDING,
    FUND,
    KIND_MEASURES,
    PAID,
    PAYMENT_UNITS,
    PAYMENTS,
    UNFORCED,
    NightFigures,
    night_figures,
)
from benchmarks.next_morning import approve_and_fill
from demo.firm import DEFAULT_SLUG
from firms.models import Firm
from rebalancer.rowsecurity import firm_scope
from trading.models import Run
from trading.services.runs import run_start
from trading.tasks import enqueue_chunks


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
        parser.add_argument(
            "--drift-tolerance",
            type=Decimal,
            default=DRIFT_ROUNDING,
            help="how far (a fraction) a fund account's drift may rise for whole shares",
        )
        parser.add_argument("--fill-and-rerun", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        firm = Firm.objects.filter(slug=options["firm"]).first()
        if firm is None:
            raise CommandError(f"no firm {options['firm']!r}: run `python3 dev.py start` first")
        tolerance = options["tolerance_pct"]
        self.tolerance = tolerance
        drift_tolerance = options["drift_tolerance"]
        self.drift_tolerance = drift_tolerance
        with firm_scope(firm):
            run = Run.objects.for_firm(firm).order_by("-as_of", "-pk").first()
            if run is None:
                raise CommandError("the firm has no nightly run yet")
            first = night_figures(
                firm=firm, run=run, tolerance_pct=tolerance, drift_tolerance=drift_tolerance
            )
            self._print(first, title="first night")
            if not options["fill_and_rerun"]:
                return
            fills = approve_and_fill(firm=firm, run=run)
            self.stdout.write(f"\napproved and filled: {fills} allocations at the run's prices")
            nxt = run.as_of + dt.timedelta(days=1)
            run_start(firm=firm, as_of=nxt, trigger="command", enqueue=enqueue_chunks)
            second_run = Run.objects.for_firm(firm).get(as_of=nxt)
            second = night_figures(
                firm=firm,
                run=second_run,
                tolerance_pct=tolerance,
                drift_tolerance=drift_tolerance,
            )
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
        self._print_further(f)

    def _print_further(self, f: NightFigures) -> None:
        """Proposals that leave an account further from its model, by its own measure."""
        w = self.stdout.write
        w(
            f"  raise effective drift                      {f.drift_raised}, "
            f"{f.drift_raised_unforced} not flagged drift_forced"
        )
        w(
            f"  ... unflagged, lowering tracking error     {f.drift_raised_tracking_lower} "
            f"({f.drift_raised_tracking_lower_household} in managed households, measured "
            f"by the household's)"
        )
        w(f"  raise their own tracking error             {len(f.tracking_raised)}")
        w(f"  ... flagged drift_forced                   {len(f.raised(DRIFT_FORCED))}")
        paid = f.raised("paid")
        w(
            f"  ... paid for, inside their limit           {len(paid)} (one may be paid more than "
            f"one way; each account of a managed household counts)"
        )
        for kind in PAYMENTS:
            rows = f.paid_by(kind)
            total = sum((p.amount for r in rows for p in r.paid_by if p.kind == kind), Decimal(0))
            w(f"        by {kind:<19} {len(rows):>4}  (${total:,.2f}{PAYMENT_UNITS[kind]})")
        unexplained = f.raised("unexplained")
        w(f"  ... unexplained                            {len(unexplained)}")
        for row in unexplained:
            w(f"      {row.line()}")
        self._print_own_measure(f)

    def _print_own_measure(self, f: NightFigures) -> None:
        """Proposals that leave an account further from its model by its own measure, by
        kind of account, and those without a forcing rule listed."""
        w = self.stdout.write
        w(
            "  further from the model, by each account's own measure (a fund account's drift "
            f"beyond +{self.drift_tolerance:.2%} for whole shares):"
        )
        for kind, label in KIND_MEASURES.items():
            rows = f.further_of(kind)
            parts = [f"{len(f.further_of(kind, DRIFT_FORCED))} flagged drift_forced"]
            if kind != FUND:
                parts.append(f"{len(f.further_of(kind, PAID))} paid, inside limit")
            parts.append(f"{len(f.further_of(kind, UNFORCED))} without a forcing rule")
            w(f"    {label:<52} {len(rows):>3} of {f.kinds.get(kind, 0):>3}: " + ", ".join(parts))
        households = {household for household, _ in f.household_drift_up}
        w(
            f"    (household drift up beyond +{self.drift_tolerance:.2%}, unflagged: "
            f"{len(f.household_drift_up)} accounts in {len(households)} households)"
        )
        w(
            f"  effective drift up beyond +{self.drift_tolerance:.2%}, not flagged drift_forced "
            f"(any account, by drift alone): {len(f.drift_up_unflagged)}"
        )
        if f.drift_up_unflagged:
            w(f"      {', '.join(f.drift_up_unflagged)}")
        if f.harvest_forced:
            rises = [rise for _, rise, _ in f.harvest_forced]
            saved = sum((tax for _, _, tax in f.harvest_forced), Decimal(0))
            w(
                f"  drift_forced by the wash-sale rule after a loss harvest (direct index): "
                f"{len(f.harvest_forced)}, drift +{min(rises):.2%} to +{max(rises):.2%}, "
                f"${saved:,.2f} tax saved"
            )
        unforced = [row for row in f.further if row.category == UNFORCED]
        w(f"  ... without a forcing rule, not paid       {len(unforced)}")
        for row in unforced:
            w(f"      {row.line()}")
