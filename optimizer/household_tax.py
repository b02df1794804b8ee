"""A managed household's taxable accounts keep their own tax wishes, as for one account.

- **Gift** (`preferences.gift`): the account's most appreciated long-term lots leave it
  before the household is solved (`gifting.py`); the household's target applies to what
  is left, and the gifted lots and the tax they avoid come back on the account's answer.
- **Tax room** (`preferences.tax.max_tax`: what is left tonight of the annual tax budget
  or of the transition plan's budget for the year) is the tax filer's: the household's
  taxable accounts with the same `schedule_d.filer` are one filer's and share one room,
  a row in the household's problem (`household_problem.py`); an account without Schedule
  D inputs is a filer of its own. Each account's answer reports its filer's exact
  Schedule D tax of the year before and after all the filer's proposals of the night, and
  the room left (`tax_value.exact_tax`); where whole shares take a filer past its room,
  the household is solved once more with its accounts' room cut by the excess.
- **Schedule D valuation**: each taxable account's lots are valued at its filer's marginal
  Schedule D rates, as for one account (`tax_value.py`); where the household's answer
  moves a filer's position into another piece (past the $3,000 deduction, say), the
  household is solved once more with that filer's lots valued at the rates of the
  midpoint between the position and the answer (`midpoint_preps`).
- **Gain harvest** (`preferences.tax.harvest_gains_up_to`): after the household's answer,
  each taxable account in turn harvests long-term gains as one account does
  (`gain_harvest.py`) within the room its filer has left, seeing tonight's loss sales in
  the household's other accounts as recent loss sales, so its buy-backs never wash
  another account's loss.

Bad input is refused naming the account and the field (`accounts[k].preferences...`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from money import CENT, ZERO, cents_half_up
from optimizer.contract.check import check_case, check_gift
from optimizer.errors import OptimizerError, OptimizerInputError
from optimizer.gain_harvest import harvest_gains
from optimizer.gifting import Gift, planned_gift, with_gift
from optimizer.household_types import HouseholdCase, HouseholdResult, SharedRows
from optimizer.prepare import Prepared, revalued
from optimizer.tax_solve import budget_excess, restored, tightened
from optimizer.tax_value import exact_tax, resolved_rates
from optimizer.types import Case, OptimizeResult, RecentLossSale


def check_accounts(household: HouseholdCase) -> None:
    """Each account's case against the contract, its gift included, and the shared caps."""
    shared_rows(household)
    for k, case in enumerate(household.accounts):
        try:
            check_case(case)
            check_gift(case)
        except OptimizerInputError as exc:
            raise OptimizerInputError(
                case=household.household_id,
                field=f"accounts[{k}].{exc.field}",
                message=f"account {case.account_id}: {exc.message}",
            ) from exc


def shared_rows(household: HouseholdCase) -> list[SharedRows]:
    """The shared gain caps as (account indexes, net room, short-term room) in dollars;
    an unknown account or a negative room is refused naming the field."""
    index = {case.account_id: k for k, case in enumerate(household.accounts)}
    out: list[SharedRows] = []
    for i, cap in enumerate(household.shared_caps):
        for name in ("max_realized_gain", "max_short_term_gain"):
            room = getattr(cap, name)
            if room is not None and room < 0:
                raise OptimizerInputError(
                    case=household.household_id,
                    field=f"shared_caps[{i}].{name}",
                    message="must not be negative",
                )
        unknown = [a for a in cap.accounts if a not in index]
        if unknown:
            raise OptimizerInputError(
                case=household.household_id,
                field=f"shared_caps[{i}].accounts",
                message=f"{unknown[0]!r} is not an account of the household",
            )
        net, short = cap.max_realized_gain, cap.max_short_term_gain
        out.append(
            (
                tuple(index[a] for a in cap.accounts),
                None if net is None else float(net),
                None if short is None else float(short),
            )
        )
    return out


def gifts_given(household: HouseholdCase) -> tuple[tuple[Gift | None, ...], HouseholdCase]:
    """Each account's planned gift (None without one) and the household without the
    gifted lots."""
    gifts = tuple(planned_gift(case) for case in household.accounts)
    after = tuple(
        case if gift is None else gift.case_after
        for case, gift in zip(household.accounts, gifts, strict=True)
    )
    return gifts, replace(household, accounts=after)


def _loss_sales(case: Case, result: OptimizeResult) -> list[RecentLossSale]:
    if case.tax_status != "taxable":
        return []
    return [
        RecentLossSale(symbol=t.symbol, date=case.as_of)
        for t in result.trades
        if t.side == "sell" and any(r.gain < 0 for r in t.lots)
    ]


def filers(cases: Sequence[Case]) -> list[list[int]]:
    """The household's taxable accounts by tax filer (indexes into `cases`): accounts with
    the same `schedule_d.filer` are one filer's; one without Schedule D inputs is its own."""
    groups: dict[tuple[str, str | int], list[int]] = {}
    for a, case in enumerate(cases):
        if case.tax_status != "taxable":
            continue
        inputs = case.preferences.tax.schedule_d
        key: tuple[str, str | int] = ("filer", inputs.filer) if inputs else ("account", a)
        groups.setdefault(key, []).append(a)
    return list(groups.values())


def midpoint_preps(
    preps: Sequence[Prepared], *, sold: Sequence[np.ndarray], household_value: float
) -> tuple[Prepared, ...] | None:
    """The accounts revalued where the answer moves a filer into another Schedule D piece:
    that filer's accounts' lots at the rates of the midpoint between its position and the
    answer (the same rule as one account's, `tax_solve.solve_valued`); None when no filer
    moves. `sold[a]`: account a's sale of each lot as a fraction of the household."""
    cases = [prep.case for prep in preps]
    out = list(preps)
    moved = False
    for members in filers(cases):
        short = long = 0.0
        for a in members:
            prep = preps[a]
            gain = prep.lot_gain_ratio * sold[a] * household_value
            short += float(gain[prep.lot_is_short].sum())
            long += float(gain[~prep.lot_is_short].sum())
        rates = resolved_rates(cases[members[0]].preferences.tax, short=short, long=long)
        if rates is None:
            continue
        moved = True
        for a in members:
            out[a] = revalued(preps[a], rates=rates)
    return tuple(out) if moved else None


def _with_filer_tax(
    results: list[OptimizeResult], *, cases: Sequence[Case], members: list[int], a: int
) -> OptimizeResult:
    """Account `a`'s answer with its filer's exact tax of the night's proposals of all the
    filer's accounts (`members`) and the filer's room left."""
    summaries = [results[b].summary for b in members]
    result = results[a]
    if result.summary is None or any(s is None for s in summaries):
        return result
    short = sum((s.realized_short_term_gain for s in summaries if s), ZERO)
    long = sum((s.realized_long_term_gain for s in summaries if s), ZERO)
    exact = exact_tax(cases[a].preferences.tax, short=short, long=long)
    if exact is None:
        return result
    left = None if exact.budget_left is None else cents_half_up(exact.budget_left)
    summary = replace(
        result.summary,
        schedule_d_tax_before=cents_half_up(exact.before),
        schedule_d_tax_after=cents_half_up(exact.after),
        tax_budget_left=left,
    )
    return replace(result, summary=summary)


def finished(
    *,
    results: tuple[OptimizeResult, ...],
    preps: tuple[Prepared, ...],
    gifts: tuple[Gift | None, ...],
    originals: tuple[Case, ...],
) -> tuple[OptimizeResult, ...]:
    """Each account's answer with its filer's exact Schedule D tax, its gain harvest and
    its gift (module docstring)."""
    cases = [prep.case for prep in preps]
    out = list(results)
    filer_of = {a: members for members in filers(cases) for a in members}
    losses = [_loss_sales(c, r) for c, r in zip(cases, out, strict=True)]
    for a, case in enumerate(cases):
        if case.preferences.tax.harvest_gains_up_to is None or a not in filer_of:
            continue
        out[a] = _with_filer_tax(out, cases=cases, members=filer_of[a], a=a)
        others = tuple(sale for b, sales in enumerate(losses) if b != a for sale in sales)
        seeing = replace(case, recent_loss_sales=(*case.recent_loss_sales, *others))
        out[a] = harvest_gains(out[a], case=seeing)
    for a, members in filer_of.items():
        out[a] = _with_filer_tax(out, cases=cases, members=members, a=a)
    for a, gift in enumerate(gifts):
        if gift is not None:
            out[a] = with_gift(out[a], gift=gift, case=originals[a])
    return tuple(out)


def with_account_totals(result: HouseholdResult) -> HouseholdResult:
    """The household's tax and cost as the sum of its accounts' (after harvests)."""
    if result.summary is None:
        return result
    summaries = [r.summary for r in result.accounts if r.summary is not None]
    tax = sum((s.estimated_tax for s in summaries), ZERO)
    cost = sum((s.transaction_cost for s in summaries), ZERO)
    summary = replace(
        result.summary, estimated_tax=cents_half_up(tax), transaction_cost=cost.quantize(CENT)
    )
    return replace(result, summary=summary)


def within_tax_rooms(
    household: HouseholdCase, solve: Callable[[HouseholdCase], HouseholdResult]
) -> HouseholdResult:
    """`solve(household)`; where an account's exact tax goes past its room, solved once
    more with that account's room cut by the excess, each room then measured against the
    real one. The first answer stands when the second cannot be found."""
    result = solve(household)
    excess = [budget_excess(result=r) for r in result.accounts]
    if all(e is None for e in excess):
        return result
    tight = tuple(
        case if e is None else tightened(case, excess=e)
        for case, e in zip(household.accounts, excess, strict=True)
    )
    try:
        again = solve(replace(household, accounts=tight))
    except OptimizerError:
        return result
    accounts = tuple(
        restored(r, case=case) for r, case in zip(again.accounts, household.accounts, strict=True)
    )
    return replace(again, accounts=accounts)
