"""Which hard rule forced tracking error above the account's limit, and at what cost.

Each rule that could bind (restrictions, screens, substitutions, gain caps, the wash-sale
rule, and the cash need) is lifted in turn and the continuous problem re-solved at the
weight that the limit's last re-solve used: a rule whose lifting lowers the tracking
error forced it.
"""

from __future__ import annotations

from money import cents_half_up
from optimizer.errors import OptimizerError
from optimizer.explain import RuleRelief
from optimizer.objective import Solved, published_active
from optimizer.output import ratio
from optimizer.payoff import pct
from optimizer.problem import Problem
from optimizer.reliefs import rule_reliefs
from optimizer.solvers import INF, QPSession
from optimizer.types import RuleCost

_LOWER_BY = 0.00005
_MAX_RULES = 12


def forcing_rules(*, solved: Solved, rules: tuple[RuleCost, ...]) -> tuple[RuleCost, ...]:
    """`rules` with the rules that forced tracking error up marked (and added when they
    were not among them), each with the tracking error it costs."""
    problem = solved.problem
    prep = problem.prep
    x_final = solved.x
    te_final = prep.risk.tracking_error(published_active(prep=prep, u=x_final[problem.layout.u]))
    reliefs = rule_reliefs(problem=problem, base=solved.base, final=solved.final)
    cash = _cash_relief(problem=problem, solved=solved)
    if cash is not None:
        reliefs.append(cash)
    session = QPSession(qp=problem.qp)
    marked = list(rules)
    for relief in reliefs[:_MAX_RULES]:
        try:
            x = session.solve(bounds=relief.bounds).x
        except OptimizerError:
            continue
        te = prep.risk.tracking_error(published_active(prep=prep, u=x[problem.layout.u]))
        if te > te_final - _LOWER_BY:
            continue
        cost = RuleCost(
            rule=relief.rule,
            detail=relief.detail,
            objective_cost=cents_half_up(
                max(0.0, problem.objective(x=x_final) - problem.objective(x=x)) * prep.value
            ),
            drift_cost=ratio(0.0),
            tax_cost=cents_half_up((problem.tax(x=x_final) - problem.tax(x=x)) * prep.value),
            tracking_error_cost_pct=pct(te_final - te),
            forced_drift=True,
        )
        same = [
            k for k, r in enumerate(marked) if (r.rule, r.detail) == (relief.rule, relief.detail)
        ]
        if same:
            old = marked[same[0]]
            marked[same[0]] = RuleCost(
                rule=old.rule,
                detail=old.detail,
                objective_cost=old.objective_cost,
                drift_cost=old.drift_cost,
                tax_cost=old.tax_cost,
                tracking_error_cost_pct=cost.tracking_error_cost_pct,
                forced_drift=True,
            )
        else:
            marked.append(cost)
    return tuple(marked)


def _cash_relief(*, problem: Problem, solved: Solved) -> RuleRelief | None:
    prep = problem.prep
    if prep.cash_required <= 0:
        return None
    bounds = solved.final
    x_l = bounds.x_l.copy()
    x_l[problem.layout.cash] = -INF
    withdrawal = prep.case.preferences.cash.withdrawal
    detail = (
        f"withdrawal ${withdrawal:,.2f}"
        if withdrawal > 0
        else f"cash minimum ${prep.case.preferences.cash.min:,.2f}"
    )
    return RuleRelief(
        rule="cash_need",
        detail=detail,
        bounds=type(bounds)(h_l=bounds.h_l, h_u=bounds.h_u, x_l=x_l, x_u=bounds.x_u),
    )


__all__ = ["forcing_rules"]
