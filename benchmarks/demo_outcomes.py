"""What a firm's nightly run did to its portfolios, read from its stored proposals: the
figures ``manage.py bench_demo_outcomes`` prints (see that command for what each means).

For each proposal of a run: whether it trades or is flagged ``drift_forced``, where its
tracking error ends against its limit, its substitute-aware drift, and, where it leaves
the account further from its model by the account's own measure (a fund's effective
drift, a direct index's tracking error, a managed household's tracking error), whether a
forcing rule or the proposal's own payment (loss harvest, cash need, household location)
explains it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from firms.models import Firm
from optimizer.harvest_drift import NO_WASH_SALES_RULE, names_harvest
from trading.models import HouseholdProposal, Proposal, ProposalStatus, Run
from trading.stored_input import unpack_input

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
    drift_up_unflagged: list[str] = field(default_factory=list)
    """Proposals whose effective drift (the household's, in a managed household) ends above
    where it starts by more than the whole-share tolerance with no `drift_forced` flag:
    every kind of account, by drift alone."""
    harvest_forced: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)
    """Direct indexes whose drift rise is flagged as forced by the wash-sale rule after a
    loss harvest (`optimizer/harvest_drift.py`): account, drift rise, tax saved."""

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
        if drift_up and DRIFT_FORCED not in flags_all:
            figures.drift_up_unflagged.append(number)
        if _harvest_forced(summary):
            rise = (_pct(summary, "drift_after") or Decimal(0)) - (
                _pct(summary, "drift_before") or Decimal(0)
            )
            saved = -(_pct(summary, "estimated_tax") or Decimal(0))
            figures.harvest_forced.append((number, rise, max(saved, Decimal(0))))
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


def _harvest_forced(summary: dict[str, Any]) -> bool:
    """Whether the summary names a loss harvest as forcing drift, by the wash-sale rule."""
    return any(
        rule.get("rule") == NO_WASH_SALES_RULE
        and rule.get("forced_drift")
        and names_harvest(str(rule.get("detail", "")))
        for rule in summary.get("binding_rules") or []
    )


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
