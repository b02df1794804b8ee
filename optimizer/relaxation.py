"""Choosing a direction per identical group, the problem's one non-convex rule.

In a taxable account, selling a lot at a loss and buying the same identical group in one
proposal is a wash sale. For each group g that could do both, the exact problem is the
disjunction  S_g = 0  or  B_g = 0  (S_g: its sales, B_g: its purchases). We relax it after
Moehle, Kochenderfer, Boyd and Ang (2021), "Tax-Aware Portfolio Construction via Convex
Optimization": a quadratic q(S, B) = eps_s S^2 + eps_b B^2 borrowed from the objective's
curvature (here the impact term kappa * sum of squared trades, since
kappa sum_j s_j^2 >= kappa / m_g * S_g^2) is replaced by its perspective over the
disjunction,

    min_{0 <= w <= 1}  eps_s S^2 / w + eps_b B^2 / (1 - w)  =  (sqrt(eps_s) S + sqrt(eps_b) B)^2,

which equals q wherever one side is zero and adds the penalty 2 sqrt(eps_s eps_b) S B
otherwise, together with the hull row S / Smax + B / Bmax <= 1. The minimisation over the
indicator w has a closed form, so the relaxation is itself a QP. Its solution picks each
group's direction (the larger side wins); the problem is then re-solved with the other
side fixed at zero, and on small accounts (where a solve takes well under a millisecond)
groups the relaxation left mixed are flipped one at a time when that lowers the objective.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.errors import OptimizerError
from optimizer.problem import Problem
from optimizer.solvers import INF, Bounds, QPSession, Solution

SELL = 1
BUY = -1
_MIXED_TOL = 1e-6
_SEARCH_ALL_BELOW = 6
_MAX_FLIPS = 12
_SEARCH_MAX_VARIABLES = 600


@dataclass(frozen=True)
class DirectedSolution:
    directions: np.ndarray
    solution: Solution
    relaxed_objective: float | None


def group_sides(*, problem: Problem, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sales and purchases (fraction of V) of each group that needs a direction."""
    prep, lay = problem.prep, problem.layout
    row_of = np.full(len(prep.group_names), -1)
    row_of[prep.wash_groups] = np.arange(lay.n_wash)
    lot_row = row_of[prep.security_group[prep.lot_security]] if lay.m else np.zeros(0, int)
    buy_row = row_of[prep.security_group]
    lots, buys = lot_row >= 0, buy_row >= 0
    sells = np.bincount(lot_row[lots], weights=x[lay.s][lots], minlength=lay.n_wash)
    bought = np.bincount(buy_row[buys], weights=x[lay.b][buys], minlength=lay.n_wash)
    return sells, bought


def directed_bounds(*, problem: Problem, bounds: Bounds, directions: np.ndarray) -> Bounds:
    """Bounds with each group's other side fixed at zero."""
    prep, lay = problem.prep, problem.layout
    x_u = bounds.x_u.copy()
    sell_groups = prep.wash_groups[directions == SELL]
    buy_groups = prep.wash_groups[directions == BUY]
    lot_group = prep.security_group[prep.lot_security] if lay.m else np.zeros(0, int)
    x_u[lay.b][np.isin(prep.security_group, sell_groups)] = 0.0
    x_u[lay.s][np.isin(lot_group, buy_groups)] = 0.0
    h_u = bounds.h_u.copy()
    h_u[lay.hull] = INF
    return Bounds(h_l=bounds.h_l, h_u=h_u, x_l=bounds.x_l, x_u=x_u)


def solve_with_directions(
    *, problem: Problem, session: QPSession, bounds: Bounds
) -> DirectedSolution:
    """Relax, pick directions, re-solve with them fixed, then flip mixed groups greedily."""
    lay = problem.layout
    if lay.n_wash == 0:
        solution = session.solve(bounds=bounds)
        return DirectedSolution(np.zeros(0, dtype=int), solution, None)
    h_u = bounds.h_u.copy()
    h_u[lay.hull] = 1.0
    relaxed = session.solve(bounds=Bounds(h_l=bounds.h_l, h_u=h_u, x_l=bounds.x_l, x_u=bounds.x_u))
    sells, buys = group_sides(problem=problem, x=relaxed.x)
    directions = _initial_directions(problem=problem, sells=sells, buys=buys)
    best = _solve_directed(problem=problem, session=session, bounds=bounds, directions=directions)
    mixed = np.flatnonzero(np.minimum(sells, buys) > _MIXED_TOL)
    if lay.n_wash <= _SEARCH_ALL_BELOW:
        mixed = np.arange(lay.n_wash)
    flips = _MAX_FLIPS if lay.size <= _SEARCH_MAX_VARIABLES else 0
    for g in mixed[:flips]:
        trial = directions.copy()
        trial[g] = -trial[g]
        candidate = _solve_directed(
            problem=problem, session=session, bounds=bounds, directions=trial
        )
        if candidate is not None and (
            best is None or problem.objective(x=candidate.x) < problem.objective(x=best.x) - 1e-9
        ):
            best, directions = candidate, trial
    if best is None:
        best = session.solve(
            bounds=directed_bounds(problem=problem, bounds=bounds, directions=directions)
        )
    return DirectedSolution(directions, best, relaxed.objective)


def _initial_directions(*, problem: Problem, sells: np.ndarray, buys: np.ndarray) -> np.ndarray:
    """The larger side wins; where neither trades, buy if the group is under target."""
    prep = problem.prep
    gap = np.bincount(
        prep.security_group,
        weights=prep.target_adjusted - prep.holding,
        minlength=len(prep.group_names),
    )[prep.wash_groups]
    idle = np.maximum(sells, buys) <= _MIXED_TOL
    directions = np.where(sells >= buys, SELL, BUY)
    directions[idle] = np.where(gap[idle] > 0, BUY, SELL)
    return directions.astype(int)


def _solve_directed(
    *, problem: Problem, session: QPSession, bounds: Bounds, directions: np.ndarray
) -> Solution | None:
    try:
        return session.solve(
            bounds=directed_bounds(problem=problem, bounds=bounds, directions=directions)
        )
    except OptimizerError:
        return None
