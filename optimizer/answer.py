"""From a continuous answer to the contract's result: whole shares, the rules' costs, the
trades with their lots and reasons, checked by the rule checker (`verify.py`)."""

from __future__ import annotations

import logging

import numpy as np

from money import cents_half_up
from optimizer.certificate import trades_point
from optimizer.errors import OptimizerError
from optimizer.explain import (
    MAX_RULES,
    binding_rule_costs,
    buy_reasons,
    sale_reasons,
    trade_context,
)
from optimizer.output import lot_reliefs, quantity, ratio, relief_order, summarize
from optimizer.prepare import Prepared
from optimizer.problem import Problem
from optimizer.reliefs import rule_reliefs
from optimizer.round_search import chosen_rounding
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
from optimizer.types import OptimizeResult, RuleCost, Trade
from optimizer.verify import violations

logger = logging.getLogger(__name__)
RESOLVE_ABOVE = 0.001


def no_trades(prep: Prepared) -> Plan:
    """The plan with no trades."""
    return Plan(
        buy_qty=np.zeros(prep.n_securities),
        sale_qty=np.zeros(prep.n_securities),
        lot_sold=np.zeros(prep.n_lots),
    )


def tradable_plan(
    *, problem: Problem, session: QPSession, bounds: Bounds, x: np.ndarray
) -> Plan | None:
    """Round; if what falls under the minimum trade is worth re-planning around (more than
    RESOLVE_ABOVE of the account), re-solve once with it fixed; else just drop it. Repair;
    if rounding broke a cap or the cash need beyond repair, re-solve once with a share's
    worth of room on each and repair again."""
    allowed = allowed_lots(problem=problem, bounds=bounds)
    buy_qty, sale_qty = round_quantities(problem=problem, x=x, allowed=allowed)
    buy_qty, sale_qty = chosen_rounding(
        problem=problem, x=x, bounds=bounds, allowed=allowed, buy_qty=buy_qty, sale_qty=sale_qty
    )
    small_buy, small_sale = below_minimum(problem=problem, buy_qty=buy_qty, sale_qty=sale_qty)
    dropped = float(problem.prep.price @ (buy_qty * small_buy + sale_qty * small_sale))
    if dropped > RESOLVE_ABOVE * problem.prep.value:
        fixed = minimum_trade_bounds(
            problem=problem, bounds=bounds, buy_qty=buy_qty, sale_qty=sale_qty
        )
        resolved = _solved_or_none(session=session, bounds=fixed)
        if resolved is not None:
            allowed = allowed_lots(problem=problem, bounds=fixed)
            buy_qty, sale_qty = round_quantities(problem=problem, x=resolved, allowed=allowed)
            buy_qty, sale_qty = chosen_rounding(
                problem=problem,
                x=resolved,
                bounds=fixed,
                allowed=allowed,
                buy_qty=buy_qty,
                sale_qty=sale_qty,
            )
    buy_qty[small_buy] = 0.0
    sale_qty[small_sale] = 0.0
    plan = repair(problem=problem, buy_qty=buy_qty, sale_qty=sale_qty, allowed=allowed)
    if plan is not None:
        return kept_purchases(
            problem=problem, session=session, bounds=bounds, plan=plan, wanted=buy_qty
        )
    tight = tightened_bounds(problem=problem, bounds=bounds, buy_qty=buy_qty, sale_qty=sale_qty)
    resolved = _solved_or_none(session=session, bounds=tight)
    if resolved is None:
        return None
    buy_qty, sale_qty = round_quantities(problem=problem, x=resolved, allowed=allowed)
    return repair(problem=problem, buy_qty=buy_qty, sale_qty=sale_qty, allowed=allowed)


def kept_purchases(
    *, problem: Problem, session: QPSession, bounds: Bounds, plan: Plan, wanted: np.ndarray
) -> Plan:
    """`plan`, or where its repair cut whole-share purchases of `wanted` worth more than
    `RESOLVE_ABOVE` of the account (a dear share the cash minimum or a cash need left no
    cash for), the answer solved again with those purchases fixed at their rounded shares,
    so that the solver raises the cash from the rest of the account, rounded and repaired
    as before: whichever of the two scores better on the solved objective. One extra solve,
    only in such accounts."""
    prep, lay = problem.prep, problem.layout
    cut = np.maximum(wanted - plan.buy_qty, 0.0) * prep.price
    dear = cut > RESOLVE_ABOVE * prep.value
    if not dear.any():
        return plan
    share = wanted[dear] * prep.price[dear] / prep.value
    x_l, x_u = bounds.x_l.copy(), bounds.x_u.copy()
    buys = np.flatnonzero(dear) + lay.b.start
    if (share > x_u[buys]).any():
        return plan
    x_l[buys] = share
    fixed = Bounds(h_l=bounds.h_l, h_u=bounds.h_u, x_l=x_l, x_u=x_u)
    resolved = _solved_or_none(session=session, bounds=fixed)
    if resolved is None:
        return plan
    allowed = allowed_lots(problem=problem, bounds=fixed)
    buy_qty, sale_qty = round_quantities(problem=problem, x=resolved, allowed=allowed)
    buy_qty[dear] = np.maximum(buy_qty[dear], wanted[dear])
    small_buy, small_sale = below_minimum(problem=problem, buy_qty=buy_qty, sale_qty=sale_qty)
    buy_qty[small_buy] = 0.0
    sale_qty[small_sale] = 0.0
    other = repair(problem=problem, buy_qty=buy_qty, sale_qty=sale_qty, allowed=allowed)
    if other is None:
        return plan

    def score(candidate: Plan) -> float:
        x = trades_point(problem=problem, lot_sold=candidate.lot_sold, buy_qty=candidate.buy_qty)
        return problem.qp.objective(x)

    return other if score(other) < score(plan) else plan


def _solved_or_none(*, session: QPSession, bounds: Bounds) -> np.ndarray | None:
    try:
        return session.solve(bounds=bounds).x
    except OptimizerError:
        return None


def contract_result(
    *,
    prep: Prepared,
    plan: Plan | None,
    rules: tuple[RuleCost, ...],
    alternative: bool = False,
) -> OptimizeResult | None:
    """The contract result for a plan, or None when it fails the final check. A plan that
    is only weighed against the answer (`alternative`: no trades, where a cash need may
    well rule it out) fails it without a warning in the log."""
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
        log = logger.debug if alternative else logger.warning
        log("account %s: answer rejected: %s", prep.case.account_id, problems)
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


def rule_costs(
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
