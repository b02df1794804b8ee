"""Which hard rule forced tracking error above the account's limit, and at what cost.

Each rule that could bind (restrictions, screens, substitutions, gain caps, the wash-sale
rule, and the cash need) is lifted in turn and the continuous problem re-solved at the
weight that the limit's last re-solve used: a rule whose lifting lowers the tracking
error forced it.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np

from money import cents_half_up
from optimizer.errors import OptimizerError
from optimizer.explain import RuleRelief, not_binding
from optimizer.objective import Solved, pct, published_active
from optimizer.output import ratio
from optimizer.problem import Problem
from optimizer.reliefs import rule_reliefs
from optimizer.rules import adjusted_target, screened_symbols
from optimizer.solvers import INF, Bounds
from optimizer.types import Case, RuleCost

CASH_NEED = "cash_need"
_LOWER_BY = 0.00005
_MAX_RULES = 12


def forcing_rules(*, solved: Solved, rules: tuple[RuleCost, ...]) -> tuple[RuleCost, ...]:
    """`rules` with the rules that forced tracking error up marked (and added when they
    were not among them), each with the tracking error it costs."""
    problem = solved.problem
    prep = problem.prep
    x_final = solved.x
    te_final = prep.risk.tracking_error(published_active(prep=prep, u=x_final[problem.layout.u]))
    reliefs = rule_reliefs(problem=problem, base=solved.base, final=solved.final, most=_MAX_RULES)
    cash = _cash_relief(problem=problem, solved=solved)
    if cash is not None:
        reliefs.append(cash)
    session = solved.session
    marked = list(rules)
    for relief in reliefs[:_MAX_RULES]:
        if not_binding(final=solved.final, relief=relief.bounds, x=x_final):
            continue
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
    if not any(r.forced_drift for r in marked):
        binding = [
            r
            for r in reliefs[:_MAX_RULES]
            if not not_binding(final=solved.final, relief=r.bounds, x=x_final)
        ]
        marked += _jointly(solved=solved, reliefs=binding, te_final=te_final)
    marked += _target_rules(problem=problem, te_final=te_final, named=marked)
    if (
        not any(r.forced_drift for r in marked)
        and cash is not None
        and prep.cash0 < prep.cash_required
    ):
        top = solved.ceiling if solved.ceiling is not None else te_final
        marked.append(
            forced_by(
                rule=cash.rule,
                detail=cash.detail,
                tracking_error=pct(max(0.0, te_final - top)),
            )
        )
    return tuple(marked)


def _jointly(*, solved: Solved, reliefs: list[RuleRelief], te_final: float) -> list[RuleCost]:
    """Where no rule alone forced tracking error up but lifting them all together lowers
    it (two gain caps that each forbid the sale, say): each of them, marked as forcing it
    together with the others, with what lifting them all saves."""
    if len(reliefs) < 2:
        return []
    problem = solved.problem
    prep = problem.prep
    every = Bounds(
        h_l=np.min([r.bounds.h_l for r in reliefs], axis=0),
        h_u=np.max([r.bounds.h_u for r in reliefs], axis=0),
        x_l=np.min([r.bounds.x_l for r in reliefs], axis=0),
        x_u=np.max([r.bounds.x_u for r in reliefs], axis=0),
    )
    try:
        x = solved.session.solve(bounds=every).x
    except OptimizerError:
        return []
    te = prep.risk.tracking_error(published_active(prep=prep, u=x[problem.layout.u]))
    if te > te_final - _LOWER_BY:
        return []
    return [
        forced_by(
            rule=relief.rule,
            detail=f"{relief.detail} (with the other rules named)",
            tracking_error=pct(te_final - te),
        )
        for relief in reliefs
    ]


def _target_rules(*, problem: Problem, te_final: float, named: list[RuleCost]) -> list[RuleCost]:
    """Screens and substitutions move the target the objective tracks: each one whose
    removal would bring that target closer to the published one, with how much (the
    tracking error of the target with and without it)."""
    prep = problem.prep
    case = prep.case
    prefs = case.preferences
    if not prefs.screens and not prefs.substitutions:
        return []
    published = np.array([float(case.target.get(s, 0)) for s in prep.symbols])

    def target_te(trial: Case) -> float:
        weights = adjusted_target(case=trial, screened=screened_symbols(case=trial))
        shifted = np.array([weights.get(s, 0.0) for s in prep.symbols])
        return prep.risk.tracking_error(shifted - published)

    with_all = target_te(case)
    if with_all <= _LOWER_BY:
        return []
    out = []
    done = {(r.rule, r.detail) for r in named if r.forced_drift}
    candidates = [
        (
            "screen",
            f"{screen.field} = {screen.value}",
            replace(prefs, screens=tuple(x for x in prefs.screens if x != screen)),
        )
        for screen in prefs.screens
    ] + [
        (
            "substitution",
            f"{sub.from_symbol} -> {sub.to_symbol}",
            replace(prefs, substitutions=tuple(x for x in prefs.substitutions if x != sub)),
        )
        for sub in prefs.substitutions
    ]
    for rule, detail, without in candidates:
        if (rule, detail) in done:
            continue
        lower = with_all - target_te(replace(case, preferences=without))
        if lower <= _LOWER_BY:
            continue
        out.append(
            forced_by(
                rule=rule,
                detail=detail,
                tracking_error=pct(min(lower, te_final)),
            )
        )
    if out or len(candidates) < 2:
        return out
    # no one of them alone: together they force it (a screen that takes a substitution's
    # replacement away too), each named with what lifting them all would save
    lower = with_all - target_te(
        replace(case, preferences=replace(prefs, screens=(), substitutions=()))
    )
    if lower <= _LOWER_BY:
        return out
    return [
        forced_by(
            rule=rule,
            detail=f"{detail} (with the client's other screens and substitutions)",
            tracking_error=pct(min(lower, te_final)),
        )
        for rule, detail, _ in candidates
        if (rule, detail) not in done
    ]


def _cash_relief(*, problem: Problem, solved: Solved) -> RuleRelief | None:
    prep = problem.prep
    if prep.cash_required <= 0:
        return None
    bounds = solved.final
    x_l = bounds.x_l.copy()
    x_l[problem.layout.cash] = -INF
    return RuleRelief(
        rule=CASH_NEED,
        detail=cash_need_detail(prep.case),
        bounds=type(bounds)(h_l=bounds.h_l, h_u=bounds.h_u, x_l=x_l, x_u=bounds.x_u),
    )


def cash_need_detail(case: Case) -> str:
    """The cash need as `binding_rules` names it: the withdrawal, else the cash minimum."""
    withdrawal = case.preferences.cash.withdrawal
    if withdrawal > 0:
        return f"withdrawal ${withdrawal:,.2f}"
    return f"cash minimum ${case.preferences.cash.min:,.2f}"


__all__ = ["CASH_NEED", "cash_need_detail", "forcing_rules", "forced_by"]


def forced_by(*, rule: str, detail: str, tracking_error: Decimal, drift: float = 0.0) -> RuleCost:
    """A rule named as forcing tracking error (or a fund account's effective drift) up,
    with the tracking error and the drift it costs and no objective or tax figure of its
    own."""
    return RuleCost(
        rule=rule,
        detail=detail,
        objective_cost=cents_half_up(0.0),
        drift_cost=ratio(drift),
        tax_cost=cents_half_up(0.0),
        tracking_error_cost_pct=tracking_error,
        forced_drift=True,
    )
