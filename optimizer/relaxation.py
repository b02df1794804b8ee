"""Choosing a direction per identical group, the problem's one non-convex rule.

In a taxable account, selling a lot at a loss and buying the same identical group in one
proposal is a wash sale. For each group g that could do both, the exact problem is the
disjunction  S_g = 0  or  B_g = 0  (S_g: all its sales, B_g: its purchases). Counting gain
lots too is stricter than the law but loses little: selling and buying one group mostly
pays costs twice.

We relax it after Moehle, Kochenderfer, Boyd and Ang (2021), "Tax-Aware Portfolio
Construction via Convex Optimization": a quadratic q(S, B) = eps_s S^2 + eps_b B^2
borrowed from the objective's curvature is replaced by its perspective over the
disjunction,

    min_{0 <= w <= 1}  eps_s S^2 / w + eps_b B^2 / (1 - w)  =  (sqrt(eps_s) S + sqrt(eps_b) B)^2,

which equals q wherever one side is zero and adds the penalty 2 sqrt(eps_s eps_b) S B
otherwise. The tracking term cannot lend the curvature: it sees only b - s, so buying and
selling one security together moves along a direction where it is flat. It comes from the
impact term kappa * (sum of squared trades), since kappa sum_j s_j^2 >= kappa / m_g S_g^2
(m_g sellable lots in g) and likewise for purchases. The minimisation over the indicator w
has a closed form, so the relaxation is itself a QP with the problem's own shape (the
big-M hull row S/Smax + B/Bmax <= 1 was measured to change nothing, Bmax being the whole
account, and is left out).

Each group's side is then chosen by a second-order estimate of what fixing it costs
(`_initial_directions`), and the problem is re-solved with the other side fixed at zero.
On small accounts (a solve well under a millisecond) the "larger side wins" choice is
tried too, and groups the relaxation left mixed are flipped one at a time while that
lowers the objective.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.errors import OptimizerError
from optimizer.prepare import CLASS_WEIGHT
from optimizer.problem import Problem
from optimizer.solvers import Bounds, QPSession, Solution

SELL = 1
BUY = -1
_MIXED_TOL = 1e-6
_SEARCH_ALL_BELOW = 6
_ENUMERATE_UP_TO = 4
_MAX_FLIPS = 12
_SEARCH_MAX_VARIABLES = 600


@dataclass(frozen=True)
class DirectedSolution:
    directions: np.ndarray
    solution: Solution


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
    return Bounds(h_l=bounds.h_l, h_u=bounds.h_u, x_l=bounds.x_l, x_u=x_u)


def solve_with_directions(
    *, problem: Problem, session: QPSession, bounds: Bounds
) -> DirectedSolution:
    """Relax, pick directions, re-solve with them fixed, then flip mixed groups greedily."""
    lay = problem.layout
    if lay.n_wash == 0:
        solution = session.solve(bounds=bounds)
        return DirectedSolution(np.zeros(0, dtype=int), solution)
    relaxed = session.solve(bounds=bounds)
    sells, buys = group_sides(problem=problem, x=relaxed.x)
    by_cost, larger = _initial_directions(problem=problem, x=relaxed.x, sells=sells, buys=buys)
    small = lay.size <= _SEARCH_MAX_VARIABLES
    directions = by_cost
    best = _solve_directed(problem=problem, session=session, bounds=bounds, directions=by_cost)
    if small and not np.array_equal(by_cost, larger):
        other = _solve_directed(problem=problem, session=session, bounds=bounds, directions=larger)
        if other is not None and (
            best is None or problem.objective(x=other.x) < problem.objective(x=best.x)
        ):
            best, directions = other, larger
    if small and lay.n_wash <= _ENUMERATE_UP_TO:
        return _enumerated(
            problem=problem, session=session, bounds=bounds, best=best, start=directions
        )
    mixed = np.flatnonzero(np.minimum(sells, buys) > _MIXED_TOL)
    if lay.n_wash <= _SEARCH_ALL_BELOW:
        mixed = np.arange(lay.n_wash)
    flips = _MAX_FLIPS if small else 0
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
        # No purchase is ever needed to meet a hard constraint, so selling-only directions
        # are feasible whenever the account is.
        directions = np.full(lay.n_wash, SELL, dtype=int)
        best = session.solve(
            bounds=directed_bounds(problem=problem, bounds=bounds, directions=directions)
        )
    return DirectedSolution(directions, best)


def _enumerated(
    *,
    problem: Problem,
    session: QPSession,
    bounds: Bounds,
    best: Solution | None,
    start: np.ndarray,
) -> DirectedSolution:
    """Every direction of a few groups tried (exact: at most 2^4 small solves)."""
    directions = start
    n_wash = problem.layout.n_wash
    for code in range(2**n_wash):
        trial = np.array([SELL if (code >> g) & 1 else BUY for g in range(n_wash)], dtype=int)
        if np.array_equal(trial, start):
            continue
        candidate = _solve_directed(
            problem=problem, session=session, bounds=bounds, directions=trial
        )
        if candidate is not None and (
            best is None or problem.objective(x=candidate.x) < problem.objective(x=best.x) - 1e-9
        ):
            best, directions = candidate, trial
    if best is None:
        directions = np.full(n_wash, SELL, dtype=int)
        best = session.solve(
            bounds=directed_bounds(problem=problem, bounds=bounds, directions=directions)
        )
    return DirectedSolution(directions, best)


def _initial_directions(
    *, problem: Problem, x: np.ndarray, sells: np.ndarray, buys: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each group's side by a second-order estimate of what fixing it costs, from the
    relaxed solution (S_g sold, B_g bought, d_g the curvature of the group's weight):

        sell (no purchase):  min(d_g B_g^2, t_g B_g)   re-buying nothing, or selling less
        buy (no sale):       T_g + d_g max(S_g - B_g, 0)^2   the tax benefit T_g forgone

    (t_g: tax benefit per dollar of the group's sales). Where neither side trades, buy if
    the group is under target."""
    prep, lay = problem.prep, problem.layout
    row_of = np.full(len(prep.group_names), -1)
    row_of[prep.wash_groups] = np.arange(lay.n_wash)
    lot_row = row_of[prep.security_group[prep.lot_security]] if lay.m else np.zeros(0, int)
    in_wash = lot_row >= 0
    benefit = np.bincount(
        lot_row[in_wash],
        weights=-prep.lot_objective_tax[in_wash] * x[lay.s][in_wash],
        minlength=lay.n_wash,
    )
    curvature = _group_curvature(problem=problem)
    per_dollar = np.divide(benefit, sells, out=np.zeros_like(sells), where=sells > 1e-12)
    cost_sell = np.minimum(curvature * buys**2, np.maximum(per_dollar, 0.0) * buys)
    cost_buy = benefit + curvature * np.maximum(sells - buys, 0.0) ** 2
    gap = np.bincount(
        prep.security_group,
        weights=prep.target_adjusted - prep.holding,
        minlength=len(prep.group_names),
    )[prep.wash_groups]
    idle = np.maximum(sells, buys) <= _MIXED_TOL
    larger = np.where(sells >= buys, SELL, BUY)
    by_cost = np.where(cost_sell <= cost_buy, SELL, larger)
    one_sided = np.minimum(sells, buys) <= _MIXED_TOL
    by_cost[one_sided] = larger[one_sided]
    for directions in (by_cost, larger):
        directions[idle] = np.where(gap[idle] > 0, BUY, SELL)
    return by_cost.astype(int), larger.astype(int)


def _group_curvature(*, problem: Problem) -> np.ndarray:
    """How fast the objective grows as a group's weight moves away from the optimum: its
    securities' own weight (idiosyncratic, plus factor exposure), plus the asset-class
    weight when no security outside the group can stand in within its class."""
    prep = problem.prep
    own = prep.idio_weight + (prep.factor_loadings**2) @ prep.factor_weight
    group_of = prep.security_group
    n_groups = len(prep.group_names)
    mean_own = np.bincount(group_of, weights=own, minlength=n_groups) / np.maximum(
        np.bincount(group_of, minlength=n_groups), 1
    )
    buyable_in_class = np.bincount(
        prep.security_class, weights=prep.buy_ok.astype(float), minlength=prep.n_classes
    )
    buyable_in_group_class = np.zeros((n_groups, prep.n_classes))
    np.add.at(buyable_in_group_class, (group_of, prep.security_class), prep.buy_ok)
    stand_in = (buyable_in_class[None, :] - buyable_in_group_class) > 0
    group_class = np.zeros(n_groups, dtype=int)
    group_class[group_of] = prep.security_class
    alone = ~stand_in[np.arange(n_groups), group_class]
    curvature = mean_own + np.where(alone, CLASS_WEIGHT, 0.0)
    by_wash_group: np.ndarray = curvature[prep.wash_groups]
    return by_wash_group


def _solve_directed(
    *, problem: Problem, session: QPSession, bounds: Bounds, directions: np.ndarray
) -> Solution | None:
    try:
        return session.solve(
            bounds=directed_bounds(problem=problem, bounds=bounds, directions=directions)
        )
    except OptimizerError:
        return None
