"""The library's entry point: one account in, one `OptimizeResult` out.

    optimize_account(case) -> OptimizeResult

No exception escapes for one account's data: a contract breach becomes status `invalid`,
an impossible account `infeasible` (with what conflicts), a solver failure `error`
(`retryable` says whether running it again may help).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from optimizer.answer import contract_result, no_trades, rule_costs, tradable_plan
from optimizer.certificate import certify
from optimizer.contract.check import check_case, check_gift
from optimizer.contract.parse import parse_case
from optimizer.diagnose import infeasibility
from optimizer.drift_cap import cash_forced, drift_cap, raises_drift
from optimizer.drift_held import drift_held
from optimizer.errors import OptimizerError, OptimizerInfeasibleError, OptimizerInputError
from optimizer.forced import forcing_rules
from optimizer.gain_harvest import harvest_gains
from optimizer.gifting import planned_gift, with_gift
from optimizer.harvest_drift import harvest_forced
from optimizer.objective import Solved
from optimizer.payoff import DRIFT_FORCED, settle
from optimizer.prepare import prepare
from optimizer.rounding import Plan
from optimizer.tax_solve import budget_excess, restored, solve_valued, with_exact_tax
from optimizer.tax_solve import tightened as tightened_case
from optimizer.types import Case, OptimizeResult, RuleCost

logger = logging.getLogger(__name__)
RELEASED_WAIT = (
    "the cash need cannot be met without selling lots waiting to turn long-term; they may be sold"
)


def optimize_account(case: Case | dict[str, Any], *, explain: bool = True) -> OptimizeResult:
    """Optimize one account. `case` is a typed `Case` (checked against the contract's rules
    on values) or the contract's decoded JSON."""
    account = _account_id(case)
    try:
        if isinstance(case, Case):
            check_case(case)
            typed = case
        else:
            typed = parse_case(case)
        account = typed.account_id
        check_gift(typed)
        gift = planned_gift(typed)
        if gift is None:
            return harvest_gains(_optimize(case=typed, explain=explain), case=typed)
        after = gift.case_after
        result = harvest_gains(_optimize(case=after, explain=explain), case=after)
        return with_gift(result, gift=gift, case=typed)
    except OptimizerInputError as exc:
        return OptimizeResult(account=account, status="invalid", message=str(exc))
    except OptimizerInfeasibleError as exc:
        return OptimizeResult(account=account, status="infeasible", message=str(exc))
    except OptimizerError as exc:
        return OptimizeResult(
            account=account, status="error", message=str(exc), retryable=exc.retryable
        )
    except Exception as exc:  # one account's failure must never stop a nightly run
        logger.exception("optimizer failed on account %s", account)
        return OptimizeResult(
            account=account, status="error", message=f"internal error: {type(exc).__name__}: {exc}"
        )


def _account_id(case: Any) -> str | None:
    """The account id when the case lets it be read, else None."""
    if isinstance(case, Case):
        return case.account_id
    if isinstance(case, dict) and isinstance(case.get("account"), dict):
        value = case["account"].get("id")
        if isinstance(value, str) and value:
            return value
    return None


def _optimize(*, case: Case, explain: bool) -> OptimizeResult:
    """Optimize; where the proposal's exact Schedule D tax goes past tonight's tax room,
    solve once more with the room cut by the excess (`tax_budget.py`)."""
    result = _optimize_once(case=case, explain=explain)
    excess = budget_excess(result=result)
    if excess is None:
        return result
    again = _optimize_once(case=tightened_case(case, excess=excess), explain=explain)
    return restored(again, case=case) if again.status == "optimal" else result


def _optimize_once(*, case: Case, explain: bool) -> OptimizeResult:
    prep = prepare(case=case)
    conflict = infeasibility(prep=prep)
    if conflict and "long_term_wait" in prep.lot_block:
        # the cash need forces a sale: lots waiting to turn long-term may be sold after all
        released = _optimize(case=_without_wait(case), explain=explain)
        if released.status == "optimal" and not released.message:
            released = replace(released, message=RELEASED_WAIT)
        return released
    if conflict:
        return OptimizeResult(account=case.account_id, status="infeasible", message=conflict)
    prep, solved = solve_valued(prep=prep)
    problem, session, base, final = solved.problem, solved.session, solved.base, solved.final
    plan = tradable_plan(problem=problem, session=session, bounds=final, x=solved.x)
    rules: tuple[RuleCost, ...] = ()
    if explain:
        rules = rule_costs(problem=problem, session=session, base=base, final=final, x=solved.x)
    if solved.forced or solved.limits_dropped:
        rules = forcing_rules(solved=solved, rules=rules)
    nothing = no_trades(prep)
    result = contract_result(prep=prep, plan=plan, rules=rules)
    if result is None:
        plan = nothing
        result = contract_result(prep=prep, plan=nothing, rules=rules)
        if result is None:
            raise OptimizerInfeasibleError(
                "no whole-share trade list meets the cash need and the gain caps together"
            )
        result = OptimizeResult(
            account=result.account,
            status=result.status,
            message="rounding could not keep every rule; no trades proposed",
            cash_after=result.cash_after,
            summary=result.summary,
        )
    settled = settle(
        prep=prep,
        solved=solved,
        result=result,
        no_trades=lambda: contract_result(prep=prep, plan=nothing, rules=rules, alternative=True),
    )
    settled = with_exact_tax(result=settled, prep=prep)
    kept = plan if settled.trades and plan is not None else nothing
    cap = drift_cap(prep)
    if cap is not None and raises_drift(settled, cap=cap) and DRIFT_FORCED not in _flags(settled):
        settled, kept, solved = drift_held(
            prep=prep, solved=solved, cap=cap, first=(settled, kept), explain=explain
        )
    settled = harvest_forced(cash_forced(settled, prep=prep), prep=prep)
    return _certified(result=settled, solved=solved, plan=kept)


def _flags(result: OptimizeResult) -> tuple[str, ...]:
    return result.summary.flags if result.summary is not None else ()


def _certified(*, result: OptimizeResult, solved: Solved, plan: Plan) -> OptimizeResult:
    """The result with its optimality certificate in the summary: the lower bound and how
    far the proposed trades (`plan`) are from it."""
    if result.summary is None:
        return result
    found = certify(solved=solved, lot_sold=plan.lot_sold, buy_qty=plan.buy_qty)
    summary = replace(
        result.summary, lower_bound=found.lower_bound, certificate_gap_bp=found.gap_bp
    )
    return replace(result, summary=summary)


def _without_wait(case: Case) -> Case:
    tax = replace(case.preferences.tax, long_term_wait_days=0)
    return replace(case, preferences=replace(case.preferences, tax=tax))
