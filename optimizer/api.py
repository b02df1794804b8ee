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

import numpy as np

from money import cents_half_up
from optimizer.certificate import certify
from optimizer.contract.check import check_case, check_gift
from optimizer.contract.parse import parse_case
from optimizer.diagnose import infeasibility
from optimizer.errors import OptimizerError, OptimizerInfeasibleError, OptimizerInputError
from optimizer.explain import (
    MAX_RULES,
    binding_rule_costs,
    buy_reasons,
    sale_reasons,
    trade_context,
)
from optimizer.forced import forcing_rules
from optimizer.gain_harvest import harvest_gains
from optimizer.gifting import planned_gift, with_gift
from optimizer.objective import Solved
from optimizer.output import lot_reliefs, quantity, ratio, relief_order, summarize
from optimizer.payoff import settle
from optimizer.prepare import Prepared, prepare
from optimizer.problem import Problem
from optimizer.reliefs import rule_reliefs
from optimizer.rounding import (
    Plan,
    allowed_lots,
    below_minimum,
    minimum_trade_bounds,
    repair,
    round_quantities,
    tightened_bounds,
)
from optimizer.solvers import Bounds, QPSession
from optimizer.tax_solve import budget_excess, restored, solve_valued, with_exact_tax
from optimizer.tax_solve import tightened as tightened_case
from optimizer.types import Case, OptimizeResult, RuleCost, Trade
from optimizer.verify import violations

logger = logging.getLogger(__name__)
RESOLVE_ABOVE = 0.001
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
    plan = _tradable_plan(problem=problem, session=session, bounds=final, x=solved.x)
    rules: tuple[RuleCost, ...] = ()
    if explain:
        rules = _rule_costs(problem=problem, session=session, base=base, final=final, x=solved.x)
    if solved.forced or solved.limits_dropped:
        rules = forcing_rules(solved=solved, rules=rules)
    no_trades = Plan(
        buy_qty=np.zeros(prep.n_securities),
        sale_qty=np.zeros(prep.n_securities),
        lot_sold=np.zeros(prep.n_lots),
    )
    result = _result(prep=prep, plan=plan, rules=rules)
    if result is None:
        plan = no_trades
        result = _result(prep=prep, plan=no_trades, rules=rules)
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
        no_trades=lambda: _result(prep=prep, plan=no_trades, rules=rules),
    )
    settled = with_exact_tax(result=settled, prep=prep)
    return _certified(
        result=settled,
        solved=solved,
        plan=plan if settled.trades and plan is not None else no_trades,
    )


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


def _tradable_plan(
    *, problem: Problem, session: QPSession, bounds: Bounds, x: np.ndarray
) -> Plan | None:
    """Round; if what falls under the minimum trade is worth re-planning around (more than
    RESOLVE_ABOVE of the account), re-solve once with it fixed; else just drop it. Repair;
    if rounding broke a cap or the cash need beyond repair, re-solve once with a share's
    worth of room on each and repair again."""
    allowed = allowed_lots(problem=problem, bounds=bounds)
    buy_qty, sale_qty = round_quantities(problem=problem, x=x, allowed=allowed)
    small_buy, small_sale = below_minimum(problem=problem, buy_qty=buy_qty, sale_qty=sale_qty)
    dropped = float(problem.prep.price @ (buy_qty * small_buy + sale_qty * small_sale))
    if dropped > RESOLVE_ABOVE * problem.prep.value:
        fixed = minimum_trade_bounds(
            problem=problem, bounds=bounds, buy_qty=buy_qty, sale_qty=sale_qty
        )
        resolved = _solve_or_none(session=session, bounds=fixed)
        if resolved is not None:
            allowed = allowed_lots(problem=problem, bounds=fixed)
            buy_qty, sale_qty = round_quantities(problem=problem, x=resolved, allowed=allowed)
    buy_qty[small_buy] = 0.0
    sale_qty[small_sale] = 0.0
    plan = repair(problem=problem, buy_qty=buy_qty, sale_qty=sale_qty, allowed=allowed)
    if plan is not None:
        return plan
    tight = tightened_bounds(problem=problem, bounds=bounds, buy_qty=buy_qty, sale_qty=sale_qty)
    resolved = _solve_or_none(session=session, bounds=tight)
    if resolved is None:
        return None
    buy_qty, sale_qty = round_quantities(problem=problem, x=resolved, allowed=allowed)
    return repair(problem=problem, buy_qty=buy_qty, sale_qty=sale_qty, allowed=allowed)


def _solve_or_none(*, session: QPSession, bounds: Bounds) -> np.ndarray | None:
    try:
        return session.solve(bounds=bounds).x
    except OptimizerError:
        return None


def _result(
    *, prep: Prepared, plan: Plan | None, rules: tuple[RuleCost, ...]
) -> OptimizeResult | None:
    """The contract result for a plan, or None when it fails the final check."""
    if plan is None:
        return None
    trades = _trades(prep=prep, plan=plan)
    cash_after, summary = summarize(prep=prep, trades=trades, rules=rules)
    problems = violations(
        case=prep.case,
        trades=trades,
        cash_after=cash_after,
        short_gain=summary.realized_short_term_gain,
        total_gain=summary.realized_short_term_gain + summary.realized_long_term_gain,
    )
    if problems:
        logger.warning("account %s: answer rejected: %s", prep.case.account_id, problems)
        return None
    return OptimizeResult(
        account=prep.case.account_id,
        status="optimal",
        trades=trades,
        cash_after=cash_after,
        summary=summary,
    )


def _trades(*, prep: Prepared, plan: Plan) -> tuple[Trade, ...]:
    """Sales, then purchases, in the case's order: decimals made for the traded securities
    only."""
    whole = not prep.case.preferences.trading.fractional_shares
    context = trade_context(
        prep=prep, buy_qty=plan.buy_qty, sale_qty=plan.sale_qty, lot_sold=plan.lot_sold
    )
    trades = []
    relief = relief_order(prep=prep, lot_sold=plan.lot_sold)
    price_of = prep.case.securities.price_of
    sold = np.flatnonzero(plan.sale_qty > 0)
    lot_sold = plan.lot_sold.tolist()
    for i, amount in zip(sold.tolist(), plan.sale_qty[sold].tolist(), strict=True):
        symbol = prep.symbols[i]
        price = price_of(symbol)
        qty = quantity(amount, whole=whole)
        trades.append(
            Trade(
                symbol=symbol,
                side="sell",
                quantity=qty,
                price=price,
                value=cents_half_up(qty * price),
                reasons=sale_reasons(prep=prep, i=i, context=context),
                lots=lot_reliefs(
                    prep=prep, i=i, total=qty, lot_sold=lot_sold, lots=relief.get(i, [])
                ),
            )
        )
    bought = np.flatnonzero(plan.buy_qty > 0)
    for i, amount in zip(bought.tolist(), plan.buy_qty[bought].tolist(), strict=True):
        symbol = prep.symbols[i]
        price = price_of(symbol)
        qty = quantity(amount, whole=whole)
        trades.append(
            Trade(
                symbol=symbol,
                side="buy",
                quantity=qty,
                price=price,
                value=cents_half_up(qty * price),
                reasons=buy_reasons(prep=prep, i=i, context=context),
            )
        )
    return tuple(t for t in trades if t.quantity > 0)


def _rule_costs(
    *, problem: Problem, session: QPSession, base: Bounds, final: Bounds, x: np.ndarray
) -> tuple[RuleCost, ...]:
    reliefs = rule_reliefs(problem=problem, base=base, final=final, most=MAX_RULES)
    costs = binding_rule_costs(
        problem=problem, base=base, final=final, reliefs=reliefs, x_final=x, session=session
    )
    return tuple(
        RuleCost(
            rule=relief.rule,
            detail=relief.detail,
            objective_cost=cents_half_up(gain),
            drift_cost=ratio(drift),
            tax_cost=cents_half_up(tax),
        )
        for relief, gain, _tracking, tax, drift in costs
    )
