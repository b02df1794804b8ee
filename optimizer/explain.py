"""Why each trade is there, and what each binding rule costs.

Reasons come from the contract's list. A rule's cost is measured by re-solving the
continuous problem without it (directions kept, except for the wash-sale rule itself):
the drop in objective, in dollars, split into its tracking and tax parts, and the drift
the rule leaves. A rule whose bounds the answer sits strictly inside costs nothing and is
not re-solved: the QP is strictly convex in the trades (the impact term) and every other
variable is defined by them, so its optimum is unique, and an optimum strictly inside the
bounds a relief widens is still the optimum without them. Nor is a rule re-solved where
the dual function at the answer's multipliers shows that lifting it gains less than the
smallest cost reported (`gain_ceilings`): most rules an answer sits against, such as a
restricted purchase it would not make anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.errors import OptimizerError
from optimizer.exact_directions import dual_bounds
from optimizer.prepare import Prepared
from optimizer.problem import Problem
from optimizer.solvers import Bounds, QPSession

MAX_RULES = 12
"""Rules priced at most per account, in `reliefs.rule_reliefs`'s order."""
_MIN_COST_DOLLARS = 0.01
_SURELY_BELOW = _MIN_COST_DOLLARS / 10
"""A rule that the dual function shows can gain less than this (dollars) is not re-solved:
its cost would be under `_MIN_COST_DOLLARS`. The tenth leaves room for the dual function's
own approximation (`exact_directions._FLAT_SLOPE`: under 1e-9 of the account)."""
_INSIDE = 1e-4
"""How far (fraction of the account value) inside a bound the answer must sit for the
bound to count as not binding: ten times how far the solver's answer may lie from the
optimum (its tolerance, 1e-8, over the objective's least curvature in the trades, twice
the impact weight: about 1e-5)."""


@dataclass(frozen=True)
class TradeContext:
    """Account-level facts that decide reasons."""

    raising_cash: bool
    investing_cash: bool
    swap_classes: frozenset[int]
    class_gap: np.ndarray
    screened_classes: frozenset[int]
    restricted_short_classes: frozenset[int]
    harvested: np.ndarray
    classes: list[int]
    """Each security's asset class."""
    over: list[bool]
    """Each security held above its target, or in a class held above its target."""
    under: list[bool]
    """Each security held below its target, or in a class held below its target."""


def trade_context(
    *, prep: Prepared, buy_qty: np.ndarray, sale_qty: np.ndarray, lot_sold: np.ndarray
) -> TradeContext:
    required = prep.cash_required
    loss_sold = lot_sold * (prep.lot_gain_ratio < 0) if prep.n_lots else lot_sold
    loss_securities: np.ndarray | list[int] = (
        np.unique(prep.lot_security[loss_sold > 0]) if prep.n_lots else []
    )
    loss_classes = {int(prep.security_class[i]) for i in loss_securities}
    buy_classes = {int(prep.security_class[i]) for i in np.flatnonzero(buy_qty > 0)}
    gap = prep.holding - prep.target_adjusted
    class_gap = np.bincount(prep.security_class, weights=gap, minlength=prep.n_classes)
    published = prep.target_published > 0
    screened = np.array([s in prep.screened for s in prep.symbols], dtype=bool)
    restricted = np.array(
        [prep.restricted.get(s) in ("do_not_buy", "hold") for s in prep.symbols], dtype=bool
    )
    harvested = (
        np.bincount(prep.lot_security, weights=loss_sold > 0, minlength=prep.n_securities) > 0
        if prep.n_lots
        else np.zeros(prep.n_securities, dtype=bool)
    )
    security_gap = class_gap[prep.security_class]
    over = (prep.holding > prep.target_adjusted + 1e-9) | (security_gap > 1e-9)
    under = (prep.holding < prep.target_adjusted - 1e-9) | (security_gap < -1e-9)
    return TradeContext(
        raising_cash=prep.cash0 < required - 1e-12 or prep.case.preferences.cash.withdrawal > 0,
        investing_cash=prep.cash0 > max(prep.target_cash, required) + 1e-9,
        swap_classes=frozenset(loss_classes & buy_classes),
        class_gap=class_gap,
        screened_classes=frozenset(prep.security_class[screened & published].tolist()),
        restricted_short_classes=frozenset(
            prep.security_class[restricted & (gap < -1e-9)].tolist()
        ),
        harvested=harvested,
        classes=prep.security_class.tolist(),
        over=over.tolist(),
        under=under.tolist(),
    )


def sale_reasons(*, prep: Prepared, i: int, context: TradeContext) -> tuple[str, ...]:
    symbol = prep.symbols[i]
    reasons = []
    k = context.classes[i]
    if context.over[i]:
        reasons.append("rebalance")
    if context.raising_cash:
        reasons.append("raise_cash")
    if (
        context.harvested[i]
        and prep.case.tax_status == "taxable"
        and prep.case.preferences.tax.harvest_losses
    ):
        reasons.append("tax_loss_harvest")
        if k in context.swap_classes:
            reasons.append("tax_swap")
    if symbol in prep.screened:
        reasons.append("screen")
    if symbol in prep.substituted:
        reasons.append("substitution")
    return tuple(reasons) or ("rebalance",)


def buy_reasons(*, prep: Prepared, i: int, context: TradeContext) -> tuple[str, ...]:
    symbol = prep.symbols[i]
    reasons = []
    k = context.classes[i]
    if context.under[i]:
        reasons.append("rebalance")
    if context.investing_cash:
        reasons.append("invest_cash")
    if k in context.swap_classes:
        reasons.append("tax_swap")
    if symbol in prep.substitute_to:
        reasons.append("substitution")
    if k in context.screened_classes:
        reasons.append("screen")
    if k in context.restricted_short_classes:
        reasons.append("restriction")
    return tuple(reasons) or ("rebalance",)


@dataclass(frozen=True)
class RuleRelief:
    """One rule and the bounds of the problem without it."""

    rule: str
    detail: str
    bounds: Bounds


def binding_rule_costs(
    *,
    problem: Problem,
    base: Bounds,
    final: Bounds,
    reliefs: list[RuleRelief],
    x_final: np.ndarray,
    session: QPSession | None = None,
) -> list[tuple[RuleRelief, float, float, float, float]]:
    """(relief, objective $, tracking $, tax $, drift) for each rule whose removal helps.
    `session` is the one that solved `problem` (its factorization and answers are reused)."""
    prep = problem.prep
    base_objective = problem.objective(x=x_final)
    out = []
    session = session if session is not None else QPSession(qp=problem.qp)
    candidates = [
        relief
        for relief in reliefs[:MAX_RULES]
        if not not_binding(final=final, relief=relief.bounds, x=x_final)
    ]
    most = gain_ceilings(
        problem=problem, session=session, final=final, x_final=x_final, reliefs=candidates
    )
    for relief, ceiling in zip(candidates, most, strict=True):
        if ceiling < _SURELY_BELOW:
            continue
        try:
            x = session.solve(bounds=relief.bounds).x
        except OptimizerError:
            continue
        gain = (base_objective - problem.objective(x=x)) * prep.value
        if gain < _MIN_COST_DOLLARS:
            continue
        tracking = (problem.tracking(x=x_final) - problem.tracking(x=x)) * prep.value
        tax = (problem.tax(x=x_final) - problem.tax(x=x)) * prep.value
        drift = _drift(problem=problem, x=x_final) - _drift(problem=problem, x=x)
        out.append((relief, gain, tracking, tax, drift))
    return out


def gain_ceilings(
    *,
    problem: Problem,
    session: QPSession,
    final: Bounds,
    x_final: np.ndarray,
    reliefs: list[RuleRelief],
) -> list[float]:
    """For each relief, at most how much (dollars) lifting its rule can lower the objective
    below `x_final`'s, without solving: the dual function at the answer's multipliers is a
    lower bound on the optimum without the rule (`exact_directions.dual_bound`), and most
    rules an answer sits against (a restricted purchase it would not make anyway) leave it
    where it is. Infinite where the answer's multipliers are not known, or the solver's
    objective is not the product's (the tracking-error limit priced in)."""
    answer = session.answer_to(final)
    if not reliefs or answer is None or answer.multipliers is None or problem.limit_weight > 0:
        return [np.inf] * len(reliefs)
    top = problem.objective(x=x_final)
    lowest = dual_bounds(
        problem=problem,
        multipliers=answer.multipliers,
        bounds=[relief.bounds for relief in reliefs],
    )
    return [(top - low) * problem.prep.value for low in lowest]


def not_binding(*, final: Bounds, relief: Bounds, x: np.ndarray) -> bool:
    """Whether `relief` only widens variable bounds of `final` that `x` sits at least
    `_INSIDE` inside (so the answer without the rule is `x` itself)."""
    if not (np.array_equal(relief.h_l, final.h_l) and np.array_equal(relief.h_u, final.h_u)):
        return False
    if np.any(relief.x_u < final.x_u) or np.any(relief.x_l > final.x_l):
        return False
    upper = relief.x_u > final.x_u
    lower = relief.x_l < final.x_l
    return bool(
        np.all(x[upper] <= final.x_u[upper] - _INSIDE)
        and np.all(x[lower] >= final.x_l[lower] + _INSIDE)
    )


def _drift(*, problem: Problem, x: np.ndarray) -> float:
    """Half the L1 distance between weights and the adjusted target, cash included."""
    lay = problem.layout
    active = x[lay.u]
    cash_gap = x[lay.cash]
    return 0.5 * float(np.abs(active).sum() + abs(cash_gap))
