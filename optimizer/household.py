"""A household optimized as one: its accounts' trades chosen together against one target.

    optimize_household(household) -> HouseholdResult
    optimize_separately(cases, held_away=()) -> tuple[OptimizeResult, ...]

`optimize_household` solves one problem for every managed account of a household
(`household_problem.py`): the household's tracking error to its target from the risk
model, tax only on taxable accounts' sales, asset location from the location table over
the horizon (`location.py`), each account's cash need met from its own cash and sales,
and no identical group sold at a loss in one account and bought in another
(`household_solve.py`). Each taxable account's gift, tax room (annual or transition
budget) and gain harvest are honoured as for one account (`household_tax.py`). The
household's and every account's recent purchases and loss sales, held-away accounts'
included, feed each account's wash-sale windows. Each account's trades come back as its
own `OptimizeResult` (whole shares unless the account trades fractions; sales round up
and purchases down, purchases trimmed until the account's cash need holds); its
summary's tracking error, drift and flags are the household's, so an IRA holding the
household's bonds is not flagged. A household whose target holds no stock never leaves
its effective drift higher than it starts unless an account's cash need forces it
(`household_drift.py`).

`optimize_separately` optimizes accounts that are not managed as one (or opted out) one
after another, taxable accounts first, each seeing the trades proposed before it tonight
as recent purchases and loss sales: accounts of one household never wash each other's
sales the same night.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from money import ZERO
from optimizer.api import optimize_account
from optimizer.drift import holds_no_stock
from optimizer.drift_cap import above_cap
from optimizer.errors import OptimizerError, OptimizerInfeasibleError, OptimizerInputError
from optimizer.household_drift import (
    HouseholdAnswer,
    drift_held,
    forced_results,
    forcing_rule,
    household_cap,
    need_share,
    with_forced_flag,
)
from optimizer.household_forced import household_forcing_rules, named
from optimizer.household_inputs import (
    household_cases,
)
from optimizer.household_output import account_result
from optimizer.household_plan import HouseholdPlanner
from optimizer.household_tax import (
    check_accounts,
    finished,
    gifts_given,
    midpoint_preps,
    with_account_totals,
    within_tax_rooms,
)
from optimizer.household_types import (
    FORCED_FLAG,
    HeldAway,
    HouseholdCase,
    HouseholdResult,
)
from optimizer.location import check_table
from optimizer.types import (
    TAX_STATUSES,
    Case,
    OptimizeResult,
    RecentBuy,
    RecentLossSale,
)

__all__ = ["HeldAway", "HouseholdCase", "HouseholdResult", "optimize_household"]
logger = logging.getLogger(__name__)


def optimize_household(household: HouseholdCase) -> HouseholdResult:
    """Optimize a household as one (module docstring). No exception escapes for one
    household's data: it comes back as the result's `status` and `message`."""
    try:
        _check(household)
        check_accounts(household)
        return within_tax_rooms(household, _optimize)
    except OptimizerInputError as exc:
        return HouseholdResult(household=household.household_id, status="invalid", message=str(exc))
    except OptimizerInfeasibleError as exc:
        return HouseholdResult(
            household=household.household_id, status="infeasible", message=str(exc)
        )
    except OptimizerError as exc:
        return HouseholdResult(household=household.household_id, status="error", message=str(exc))
    except Exception as exc:  # one household's failure must never stop a nightly run
        logger.exception("household optimization failed for %s", household.household_id)
        return HouseholdResult(
            household=household.household_id,
            status="error",
            message=f"internal error: {type(exc).__name__}: {exc}",
        )


def _bad(household: HouseholdCase, field: str, message: str) -> OptimizerInputError:
    return OptimizerInputError(case=household.household_id, field=field, message=message)


def _check(household: HouseholdCase) -> None:
    if not household.accounts:
        raise _bad(household, "accounts", "a household needs at least one account")
    for k, case in enumerate(household.accounts):
        if case.tax_status not in TAX_STATUSES:
            raise _bad(household, f"accounts[{k}].tax_status", f"unknown {case.tax_status!r}")
    if sum(household.target.values(), ZERO) > 1:
        raise _bad(household, "target", "weights add up to more than 1")
    if any(w < 0 for w in household.target.values()):
        raise _bad(household, "target", "a weight is negative")
    if household.horizon_years < 0:
        raise _bad(household, "horizon_years", "must not be negative")
    try:
        check_table(household.location_table)
    except ValueError as exc:
        raise _bad(household, "location_table", str(exc)) from exc


def _optimize(household: HouseholdCase) -> HouseholdResult:
    """Solve, once more where a filer moved into another Schedule D piece, round and sum
    up; where the target holds no stock, hold the household's effective drift
    (`household_drift.py`); then each account's result."""
    gifts, without_gifts = gifts_given(household)
    night = HouseholdPlanner.start(household, household_cases(without_gifts))
    solved = night.solve(night.preps)
    revalued = midpoint_preps(
        night.preps,
        sold=[solved.x[solved.problem.layout.s(a)] for a in range(len(night.preps))],
        household_value=night.value,
    )
    if revalued is not None:  # a filer moved into another Schedule D piece: once more
        try:
            solved, night = night.solve(revalued), night.revalued(revalued)
        except OptimizerError:
            pass
    chosen, rule, cap = _drift_kept(night, night.answer(solved))
    if rule is not None:
        chosen = with_forced_flag(chosen)
    summary = chosen.summary
    results = tuple(
        account_result(prep=prep, plan=plan, household=summary)
        for prep, plan in zip(night.preps, chosen.plans, strict=True)
    )
    if rule is None and FORCED_FLAG in summary.flags:
        # above the limit at its last weight: name the accounts' rules that held it there
        forcing = household_forcing_rules(solved=solved, tracking_error=night.tracking_error)
        results = named(results, forcing)
    if rule is not None and cap is not None:
        results = forced_results(
            results,
            rule=rule,
            preps=night.preps,
            limit_pct=household.tracking_error_limit_pct,
            cap=cap,
        )
    results = finished(
        results=results, preps=night.preps, gifts=gifts, originals=household.accounts
    )
    return with_account_totals(
        HouseholdResult(
            household=household.household_id, status="optimal", accounts=results, summary=summary
        )
    )


def _drift_kept(
    night: HouseholdPlanner, chosen: HouseholdAnswer
) -> tuple[HouseholdAnswer, str | None, float | None]:
    """`chosen`, or where the target holds no stock and it raises the household's effective
    drift past its cap unforced, the answer that holds it; with the rule that forced the
    drift up (None: none) and the cap (None: the target holds stock)."""
    household = night.household
    if not holds_no_stock(target=household.target, securities=night.cases[0].securities):
        return chosen, None, None
    cap = household_cap(
        preps=night.preps,
        published=night.published,
        lines=night.lines,
        drift_before=float(chosen.summary.drift_before),
        household_value=night.value,
    )
    if cap is None:
        return chosen, None, None
    needs = need_share(night.preps, household_value=night.value) > 0
    held_by = None
    first = chosen.summary
    if FORCED_FLAG not in first.flags and above_cap(first.drift_after, cap=cap):
        chosen, held_by = drift_held(
            first=chosen,
            cap=cap,
            propose=night.held,
            nothing=night.nothing_answer,
            cash_need=needs,
        )
    return chosen, forcing_rule(chosen, held_by=held_by, cash_need=needs), cap


def optimize_separately(
    cases: Iterable[Case], *, held_away: Iterable[HeldAway] = ()
) -> tuple[OptimizeResult, ...]:
    """Accounts of one household optimized one at a time (module docstring); the results
    in the order of `cases`."""
    listed = list(cases)
    away = list(held_away)
    buys: list[RecentBuy] = [b for a in away for b in a.recent_buys]
    losses: list[RecentLossSale] = [s for a in away for s in a.recent_loss_sales]
    for case in listed:
        buys += case.recent_buys
        losses += case.recent_loss_sales
    order = sorted(range(len(listed)), key=lambda k: listed[k].tax_status != "taxable")
    results: dict[int, OptimizeResult] = {}
    for k in order:
        case = listed[k]
        known = set(case.securities.symbol.tolist())
        seeing = replace(
            case,
            recent_buys=tuple(dict.fromkeys(b for b in buys if b.symbol in known)),
            recent_loss_sales=tuple(dict.fromkeys(s for s in losses if s.symbol in known)),
        )
        result = optimize_account(seeing)
        results[k] = result
        for trade in result.trades:
            if trade.side == "buy":
                buys.append(
                    RecentBuy(symbol=trade.symbol, date=case.as_of, quantity=trade.quantity)
                )
            elif case.tax_status == "taxable" and any(r.gain < 0 for r in trade.lots):
                losses.append(RecentLossSale(symbol=trade.symbol, date=case.as_of))
    return tuple(results[k] for k in range(len(listed)))
