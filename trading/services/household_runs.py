"""The nightly run's households: a household managed as one is solved as one problem
(``optimizer.household``), its accounts' proposals grouped under a household proposal; the
accounts of every other household (and those that opted out) are solved one after the
other, each seeing the trades proposed before it tonight as recent purchases and loss sales,
so no two accounts of a household wash each other's sales the same night.

A managed household's target is the model assigned to it, or the value-weighted blend of
its accounts' models; its tracking-error limit the tightest of its accounts', its risk
aversion its first account's. An account whose case cannot be built fails alone; where
the household cannot be solved as one, its accounts are solved one by one like any other
household's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from firms.models import Firm
from money import ZERO
from optimizer.household import optimize_household
from optimizer.household_types import HouseholdCase, HouseholdSummary, SharedCap
from optimizer.types import Case, OptimizeResult
from rebalancer.rowsecurity import firm_scope
from trading.models import HouseholdProposal, HouseholdProposalStatus, ProposalStatus, TradeSide
from trading.optimization import DataProblem, case_for_account
from trading.selectors.gain_room import GainRooms
from trading.selectors.household_inputs import HouseholdSetting, household_settings
from trading.selectors.run_inputs import AccountInputs, ChunkInputs, WashEvent
from trading.services.proposal_build import (
    Solved,
    build_proposal,
    proposal_for_case,
    with_plan_reasons,
)


@dataclass
class HouseholdSolved:
    """An unsaved household proposal and its accounts' answers."""

    proposal: HouseholdProposal
    accounts: list[Solved] = field(default_factory=list)


def summary_dict(summary: HouseholdSummary) -> dict[str, Any]:
    """The household's figures as JSON (decimals as strings)."""
    out: dict[str, Any] = {}
    for name, value in dataclasses.asdict(summary).items():
        if isinstance(value, Decimal):
            out[name] = format(value, "f")
        elif isinstance(value, tuple):
            out[name] = list(value)
        else:
            out[name] = value
    return out


def _value(case: Case) -> Decimal:
    prices = [case.securities.price_of(s) for s in case.lots.symbol.tolist()]
    held = sum((q * p for q, p in zip(case.lots.quantity.tolist(), prices, strict=True)), ZERO)
    return held + case.cash


def blended_target(cases: list[Case]) -> dict[str, Decimal]:
    """The value-weighted blend of the accounts' targets."""
    total = sum((_value(c) for c in cases), ZERO)
    out: dict[str, Decimal] = {}
    for case in cases:
        share = _value(case) / total if total else Decimal(1) / len(cases)
        for symbol, weight in case.target.items():
            out[symbol] = out.get(symbol, ZERO) + weight * share
    return {s: w.quantize(Decimal("0.000001")) for s, w in sorted(out.items())}


def shared_caps(items: list[AccountInputs], rooms: GainRooms) -> tuple[SharedCap, ...]:
    """The household's gain caps that two or more of its taxable accounts share, with what
    is left of each tonight (the accounts' cases each show all of it: the household's
    solve spends it once)."""
    out = []
    for cap in ("net", "short_term"):
        left: dict[str, Decimal] = {}
        for item in items:
            room = getattr(rooms.room(item.account.pk), cap)
            if room.shared and room.remaining_usd is not None:
                left[item.account.account_number] = room.remaining_usd
        if len(left) < 2:
            continue
        smallest = min(left.values())
        out.append(
            SharedCap(
                accounts=tuple(left),
                max_realized_gain=smallest if cap == "net" else None,
                max_short_term_gain=smallest if cap == "short_term" else None,
            )
        )
    return tuple(out)


def _household_case(
    *, setting: HouseholdSetting, cases: list[Case], as_of: dt.date, shared: tuple[SharedCap, ...]
) -> HouseholdCase:
    household = setting.household
    limits = [
        c.preferences.risk.tracking_error_limit_pct
        for c in cases
        if c.preferences.risk.tracking_error_limit_pct is not None
    ]
    return HouseholdCase(
        household_id=str(household.pk),
        as_of=as_of,
        accounts=tuple(cases),
        target=setting.target if setting.target is not None else blended_target(cases),
        risk_model=cases[0].risk_model,
        tracking_error_limit_pct=min(limits) if limits else None,
        risk_aversion=cases[0].preferences.risk.risk_aversion,
        horizon_years=household.location_horizon_years,
        held_away=tuple(setting.held_away),
        coverage_days=household.wash_sale_coverage_days,
        shared_caps=shared,
    )


def _remember(inputs: ChunkInputs, *, item: AccountInputs, answer: Solved) -> None:
    """Tonight's trades of one account, as recent events of its household's later accounts."""
    context = inputs.wash[item.account.household_id]
    for trade in answer.trades:
        if trade.side == TradeSide.BUY:
            context.recent_buys.append(WashEvent(trade.symbol, inputs.as_of, trade.quantity))
        elif item.account.tax_status == "taxable" and any(r.gain < 0 for r in trade.lots):
            context.recent_loss_sales.append(WashEvent(trade.symbol, inputs.as_of))


def account_case(item: AccountInputs, inputs: ChunkInputs) -> Case | DataProblem:
    try:
        return case_for_account(item, inputs)
    except DataProblem as problem:
        return problem


def solve_chunk_households(
    *, firm: Firm, run_id: int, inputs: ChunkInputs, spend: Any
) -> tuple[list[Solved], list[HouseholdSolved]]:
    """Every account's answer (in the chunk's order) and the managed households' proposals.
    ``spend(item, answer)`` is called after each account, in the order solved."""
    with firm_scope(firm):  # a short read of the firm's rows; the solves come after
        settings = household_settings(firm=firm, inputs=inputs)
    answers: dict[int, Solved] = {}
    groups: list[HouseholdSolved] = []
    managed: dict[int, list[AccountInputs]] = {}
    by_id = {item.account.pk: item for item in inputs.accounts}
    for item in inputs.accounts:
        setting = settings[item.account.household_id]
        if setting.household.managed_as_one and not item.account.household_opt_out:
            managed.setdefault(item.account.household_id, []).append(item)
    for household_id, items in managed.items():
        group = solve_managed(
            firm=firm, run_id=run_id, inputs=inputs, setting=settings[household_id], items=items
        )
        if group is None:
            continue
        groups.append(group)
        for answer in group.accounts:
            item = by_id[answer.proposal.account_id]
            answers[item.account.pk] = answer
            spend(item, answer)
            _remember(inputs, item=item, answer=answer)
    ordered = sorted(
        (i for i in inputs.accounts if i.account.pk not in answers),
        key=lambda i: (i.account.household_id, i.account.tax_status != "taxable", i.account.pk),
    )
    for item in ordered:
        answer = proposal_for_case(
            firm=firm, item=item, as_of=inputs.as_of, case=account_case(item, inputs), run_id=run_id
        )
        answers[item.account.pk] = answer
        spend(item, answer)
        _remember(inputs, item=item, answer=answer)
    return [answers[i.account.pk] for i in inputs.accounts], groups


def solve_managed(
    *,
    firm: Firm,
    run_id: int | None,
    inputs: ChunkInputs,
    setting: HouseholdSetting,
    items: list[AccountInputs],
) -> HouseholdSolved | None:
    """The household solved as one, or None when none of its accounts has a usable case or
    it cannot be solved as one (its accounts are then solved one by one). An account whose
    case cannot be built is left out, and fails on its own saying why."""
    if setting.target is not None:
        items = [dataclasses.replace(i, target=setting.target) for i in items]
    pairs = [(item, account_case(item, inputs)) for item in items]
    usable = [(item, case) for item, case in pairs if isinstance(case, Case)]
    if not usable:
        return None
    items = [item for item, _ in usable]
    built = [case for _, case in usable]
    shared = shared_caps(items, inputs.gain_rooms)
    result = optimize_household(
        _household_case(setting=setting, cases=built, as_of=inputs.as_of, shared=shared)
    )
    household = HouseholdProposal(
        firm=firm,
        household=setting.household,
        run_id=run_id,
        as_of=inputs.as_of,
        optimizer_status=result.status,
        message=result.message,
    )
    if result.status != "optimal" or result.summary is None:
        return None
    household.summary = summary_dict(result.summary)
    household.flags = list(result.summary.flags)
    group = HouseholdSolved(proposal=household)
    for item, case, answer in zip(items, built, result.accounts, strict=True):
        group.accounts.append(_account_proposal(firm, item, case, answer, run_id, inputs.as_of))
    statuses = {a.proposal.status for a in group.accounts}
    household.status = (
        HouseholdProposalStatus.PENDING_REVIEW
        if ProposalStatus.PENDING_REVIEW in statuses
        else HouseholdProposalStatus.NO_TRADES
    )
    return group


def _account_proposal(
    firm: Firm,
    item: AccountInputs,
    case: Case,
    answer: OptimizeResult,
    run_id: int | None,
    as_of: dt.date,
) -> Solved:
    proposal = build_proposal(
        firm=firm, account_id=item.account.pk, as_of=as_of, run_id=run_id, result=answer, case=case
    )
    if answer.summary is not None:
        proposal.flags = list(dict.fromkeys(proposal.flags + list(answer.summary.flags)))
    return Solved(
        proposal=proposal, trades=with_plan_reasons(answer.trades, item=item, as_of=as_of)
    )
