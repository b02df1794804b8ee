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
from trading.models import HouseholdProposal, Proposal, ProposalStatus, Run
from trading.services.blotters import (
    blotter_approve,
    blotter_create,
    fills_import_csv,
    orders_export_csv,
)
from trading.services.review import proposal_approve
from trading.services.runs import run_start
from trading.stored_input import unpack_input
from trading.tasks import enqueue_chunks

DIRECT_INDEX_MIN_SECURITIES = 30
DRIFT_ROUNDING = Decimal("0.0010")
"""How far (0.1 % of the account) whole shares and trading costs may carry a fund account's
effective drift above where it starts (the optimizer's `drift_cap.DRIFT_ROUNDING`)."""
DRIFT_FORCED = "drift_forced"
LOSS_HARVEST, CASH_NEED, LOCATION = "loss harvest", "cash need", "household location"
PAYMENTS = (LOSS_HARVEST, CASH_NEED, LOCATION)
PAYMENT_UNITS = {LOSS_HARVEST: " tax saved", CASH_NEED: " needed", LOCATION: "/yr tax saved"}


@dataclass(frozen=True)
class Payment:
    """What a proposal gets in return for the tracking error it adds: `kind` is one of
    `PAYMENTS`, `amount` in dollars (tax saved, the cash needed, or the yearly tax the
    household's asset location saves)."""

    kind: str
    amount: Decimal

    def __str__(self) -> str:
        unit = "/yr" if self.kind == LOCATION else ""
        return f"{self.kind} ${self.amount:,.2f}{unit}"


@dataclass(frozen=True)
class TrackingRaise:
    """A proposal that raises its account's tracking error (%/yr; the household's for an
    account of a household managed as one), and why."""

    account: str
    household: int | None
    before: Decimal
    after: Decimal
    limit: Decimal | None
    drift_before: Decimal
    drift_after: Decimal
    forced: bool
    paid_by: tuple[Payment, ...]
    within_limit: bool
    reasons: tuple[str, ...]
    estimated_tax: Decimal
    withdrawal: Decimal

    @property
    def category(self) -> str:
        if self.forced:
            return DRIFT_FORCED
        return "paid" if self.paid_by and self.within_limit else "unexplained"

    @property
    def why_unexplained(self) -> str:
        parts = []
        if not self.paid_by:
            parts.append("nothing pays for it (no tax saved, no cash need, no location gain)")
        if not self.within_limit:
            parts.append("ends above its limit")
        return "; ".join(parts)

    def line(self) -> str:
        where = f" (household {self.household})" if self.household is not None else ""
        limit = "none" if self.limit is None else f"{self.limit}%"
        paid = ", ".join(str(p) for p in self.paid_by) or "nothing"
        return (
            f"{self.account}{where}: tracking error {self.before}% -> {self.after}%/yr "
            f"(limit {limit}), drift {self.drift_before:.2%} -> {self.drift_after:.2%}; "
            f"{self.why_unexplained}; paid by {paid}; estimated tax ${self.estimated_tax:,.2f}, "
            f"withdrawal ${self.withdrawal:,.2f}; trade reasons {', '.join(self.reasons) or '-'}"
        )


FUND, DIRECT_INDEX, HOUSEHOLD = "fund", "direct index", "managed household"
KIND_MEASURES = {
    FUND: "fund (effective drift)",
    DIRECT_INDEX: "direct index (tracking error)",
    HOUSEHOLD: "managed household (the household's tracking error)",
}
PAID, UNFORCED = "paid, inside limit", "no forcing rule"


@dataclass(frozen=True)
class Further:
    """A proposal that leaves its account further from its model by the account's own
    measure (`kind`: effective drift for a fund account, tracking error in %/yr for a
    direct index, the household's tracking error for an account of a managed household),
    and why: `drift_forced`, paid and inside the limit (tracking error only), or no
    forcing rule."""

    account: str
    kind: str
    before: Decimal
    after: Decimal
    category: str
    detail: str

    def line(self) -> str:
        return f"{self.account} ({self.kind}): {self.detail}"


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
    drift_raised: int = 0
    drift_raised_unforced: int = 0
    drift_raised_tracking_lower: int = 0
    drift_raised_tracking_lower_household: int = 0
    tracking_raised: list[TrackingRaise] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    further: list[Further] = field(default_factory=list)
    household_drift_up: set[tuple[int, str]] = field(default_factory=set)

    def further_of(self, kind: str, category: str | None = None) -> list[Further]:
        return [f for f in self.further if f.kind == kind and category in (None, f.category)]

    def raised(self, category: str) -> list[TrackingRaise]:
        return [r for r in self.tracking_raised if r.category == category]

    def paid_by(self, kind: str) -> list[TrackingRaise]:
        return [r for r in self.raised("paid") if any(p.kind == kind for p in r.paid_by)]


def _pct(summary: dict[str, Any], key: str) -> Decimal | None:
    value = summary.get(key)
    return None if value in (None, "") else Decimal(str(value))


def _trades(proposal: Proposal) -> list[dict[str, Any]]:
    return list((proposal.result or {}).get("trades") or [])


def _cash_need(proposal: Proposal, stored: dict[str, Any]) -> Decimal:
    """The cash the proposal must find (as the optimizer's cash need: the cash minimum plus
    the withdrawal, less the cash the account holds), zero where it needs none."""
    minimum = Decimal(str(((stored.get("preferences") or {}).get("cash") or {}).get("min") or 0))
    need = minimum + proposal.withdrawal_usd - proposal.cash_before_usd
    return need if need > 0 else Decimal(0)


def _payments(
    *, summary: dict[str, Any], cash_need: Decimal, household: dict[str, Any] | None
) -> tuple[Payment, ...]:
    """What the proposal (or, for a managed household, the household's proposal) gets
    for its tracking error: tax saved by the losses it realizes (estimated tax below
    zero), a cash need met, the yearly tax the household's asset location saves."""
    out = []
    tax = _pct(summary, "estimated_tax") or Decimal(0)
    if tax < 0:
        out.append(Payment(LOSS_HARVEST, -tax))
    if cash_need > 0:
        out.append(Payment(CASH_NEED, cash_need))
    if household is not None:
        before = _pct(household, "location_tax_before")
        after = _pct(household, "location_tax_after")
        if before is not None and after is not None and after < before:
            out.append(Payment(LOCATION, before - after))
    return tuple(out)


def _tracking_raise(
    *,
    proposal: Proposal,
    summary: dict[str, Any],
    household: HouseholdProposal | None,
    cash_need: Decimal,
    tolerance_pct: Decimal,
) -> TrackingRaise | None:
    """The proposal as a raise of its own tracking-error measure, or None when it does
    not raise it (or has no tracking-error figures). An account of a managed household is
    measured by the household's figures, flags, tax, cash needs and asset location."""
    own = household.summary if household is not None else summary
    before = _pct(own, "tracking_error_before_pct")
    after = _pct(own, "tracking_error_after_pct")
    if before is None or after is None or after <= before:
        return None
    limit = _pct(own, "tracking_error_limit_pct")
    flags = set(summary.get("flags") or []) | set(household.flags if household else [])
    return TrackingRaise(
        account=proposal.account.account_number,
        household=household.household_id if household is not None else None,
        before=before,
        after=after,
        limit=limit,
        drift_before=_pct(own, "drift_before") or Decimal(0),
        drift_after=_pct(own, "drift_after") or Decimal(0),
        forced=DRIFT_FORCED in flags,
        paid_by=_payments(
            summary=own, cash_need=cash_need, household=household.summary if household else None
        ),
        within_limit=limit is None or after <= limit + tolerance_pct,
        reasons=tuple(sorted({r for t in _trades(proposal) for r in t.get("reasons") or []})),
        estimated_tax=_pct(own, "estimated_tax") or Decimal(0),
        withdrawal=proposal.withdrawal_usd,
    )


def night_figures(
    *, firm: Firm, run: Run, tolerance_pct: Decimal, drift_tolerance: Decimal = DRIFT_ROUNDING
) -> NightFigures:
    """The figures of one run's proposals (see the module)."""
    figures = NightFigures(as_of=run.as_of)
    proposals = list(
        Proposal.objects.for_firm(firm)
        .filter(run=run)
        .select_related("account")
        .order_by("account__account_number")
    )
    households = {h.pk: h for h in HouseholdProposal.objects.for_firm(firm).filter(run=run)}
    stored = {p.pk: unpack_input(p.input_blob) if p.input_blob else {} for p in proposals}
    household_cash: dict[int, Decimal] = {}
    for proposal in proposals:
        if proposal.household_proposal_id is not None:
            key, need = proposal.household_proposal_id, _cash_need(proposal, stored[proposal.pk])
            household_cash[key] = household_cash.get(key, Decimal(0)) + need
    for proposal in proposals:
        figures.proposals += 1
        number = proposal.account.account_number
        if proposal.status == ProposalStatus.FAILED:
            figures.failed += 1
            continue
        if proposal.status == ProposalStatus.NO_TRADES:
            figures.no_trades += 1
        summary = (proposal.result or {}).get("summary") or {}
        flags = summary.get("flags") or []
        forced = DRIFT_FORCED in flags
        figures.forced += forced
        household = households.get(proposal.household_proposal_id or 0)
        own = household.summary if household is not None else summary
        _count_drift(figures, own=own, forced=forced, household=household is not None)
        raised = _tracking_raise(
            proposal=proposal,
            summary=summary,
            household=household,
            cash_need=(
                household_cash.get(proposal.household_proposal_id or 0, Decimal(0))
                if household is not None
                else _cash_need(proposal, stored[proposal.pk])
            ),
            tolerance_pct=tolerance_pct,
        )
        if raised is not None:
            figures.tracking_raised.append(raised)
        kind = account_kind(stored[proposal.pk], managed=household is not None)
        figures.kinds[kind] = figures.kinds.get(kind, 0) + 1
        flags_all = set(flags) | set(household.flags if household is not None else [])
        further = _further(
            number=number,
            kind=kind,
            own=own,
            forced=DRIFT_FORCED in flags_all,
            raised=raised,
            drift_tolerance=drift_tolerance,
        )
        if further is not None:
            figures.further.append(further)
        drift_up = _drift_up(own, tolerance=drift_tolerance)
        if household is not None and DRIFT_FORCED not in flags_all and drift_up:
            figures.household_drift_up.add((household.household_id, number))
        before = _pct(summary, "tracking_error_before_pct")
        after = _pct(summary, "tracking_error_after_pct")
        limit = _pct(summary, "tracking_error_limit_pct")
        if before is None or after is None or limit is None:
            continue
        if not forced and after > limit + tolerance_pct:
            figures.outside_unforced.append(f"{number} ({before}% -> {after}%, limit {limit}%)")
            if after > before + tolerance_pct:
                figures.raised_unforced.append(number)
        case = stored[proposal.pk]
        if len(case.get("target") or {}) >= DIRECT_INDEX_MIN_SECURITIES:
            figures.direct_index.append((number, after, limit, forced))
        substitutions = (case.get("preferences") or {}).get("substitutions") or []
        if substitutions and len(case.get("target") or {}) < DIRECT_INDEX_MIN_SECURITIES:
            figures.substituted.append((number, proposal.drift_after))
    return figures


def account_kind(stored: dict[str, Any], *, managed: bool) -> str:
    """An account of a managed household; else a fund account, whose target holds no stock
    (no security with a sector: `optimizer.drift.drift_is_measure`), or a direct index."""
    if managed:
        return HOUSEHOLD
    target = stored.get("target") or {}
    securities = stored.get("securities") or {}
    stocks = any((securities.get(symbol) or {}).get("sector") is not None for symbol in target)
    return FUND if target and not stocks else DIRECT_INDEX


def _drift_up(own: dict[str, Any], *, tolerance: Decimal) -> bool:
    """Whether effective drift ends above where it starts by more than `tolerance`."""
    before, after = _pct(own, "drift_before"), _pct(own, "drift_after")
    return before is not None and after is not None and after > before + tolerance


def _further(
    *,
    number: str,
    kind: str,
    own: dict[str, Any],
    forced: bool,
    raised: TrackingRaise | None,
    drift_tolerance: Decimal,
) -> Further | None:
    """The proposal as a move away from the model by its account's own measure (a fund
    account's drift beyond `drift_tolerance` for whole shares), or None."""
    if kind == FUND:
        before, after = _pct(own, "drift_before"), _pct(own, "drift_after")
        if before is None or after is None or after <= before + drift_tolerance:
            return None
        tracking = (
            f"tracking error {own.get('tracking_error_before_pct')}% -> "
            f"{own.get('tracking_error_after_pct')}%/yr"
        )
        return Further(
            account=number,
            kind=kind,
            before=before,
            after=after,
            category=DRIFT_FORCED if forced else UNFORCED,
            detail=f"effective drift {before:.2%} -> {after:.2%}, {tracking}",
        )
    if raised is None:
        return None
    category = {DRIFT_FORCED: DRIFT_FORCED, "paid": PAID}.get(raised.category, UNFORCED)
    return Further(
        account=number,
        kind=kind,
        before=raised.before,
        after=raised.after,
        category=category,
        detail=raised.line(),
    )


def _count_drift(
    figures: NightFigures, *, own: dict[str, Any], forced: bool, household: bool
) -> None:
    """A proposal whose effective drift rises (`own`: its summary, or for an account of a
    managed household the household's), unforced, and whether it lowers tracking error."""
    drift_before, drift_after = _pct(own, "drift_before"), _pct(own, "drift_after")
    if drift_before is None or drift_after is None or drift_after <= drift_before:
        return
    figures.drift_raised += 1
    if forced:
        return
    figures.drift_raised_unforced += 1
    before = _pct(own, "tracking_error_before_pct")
    after = _pct(own, "tracking_error_after_pct")
    if before is not None and after is not None and after < before:
        figures.drift_raised_tracking_lower += 1
        figures.drift_raised_tracking_lower_household += household


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
        unforced = [row for row in f.further if row.category == UNFORCED]
        w(f"  ... without a forcing rule, not paid       {len(unforced)}")
        for row in unforced:
            w(f"      {row.line()}")
