"""Solving a household's QP: the wash-sale rule across its accounts and the household's
tracking-error limit.

The wash-sale rule: no identical group may be sold at a loss in a taxable account and
bought in any account of the household (IRAs and Roths included) in one proposal. The
problem is solved without the rule; in each identical group that comes out both bought
and sold at a loss, the smaller side in dollars is forbidden across the household, and
the problem is solved again with those bounds (repeated while a new group comes out
both ways, at most `MAX_ROUNDS` times; then every remaining two-sided group gives up its
loss sales). Where a round finds `EXACT_GROUPS` or fewer two-sided groups, every choice of
their sides is solved and the cheapest kept instead. The tracking-error limit: where the
answer's tracking error is above the household's limit, tracking is weighted more
heavily and the problem solved again until the answer meets the limit, then lightened
again until it sits on it (`solve_within_household_limit`), as for one account
(`objective.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

import numpy as np

from optimizer.errors import OptimizerInfeasibleError
from optimizer.household_problem import HouseholdProblem, bounds_of
from optimizer.solvers import Bounds, QPSession

MAX_ROUNDS = 3
EXACT_GROUPS = 4
"""Up to this many two-sided groups, every choice of sides is solved and the cheapest kept."""
TWO_SIDED = 1e-9
"""A side of a group counts when it moves more than this fraction of the household."""
_CLOSE = 0.0002
"""How far (0.02 %/yr) inside its limit a household's answer may stop once the limit was
priced in."""
_LIMIT_STEPS = 3


@dataclass(frozen=True)
class HouseholdSolved:
    problem: HouseholdProblem
    x: np.ndarray
    wash_groups: tuple[int, ...]
    tracking_error: float
    resolves: int


def group_sides(*, problem: HouseholdProblem, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per identical group: dollars (fraction of the household) sold at a loss in taxable
    accounts, and dollars bought in any account."""
    lay = problem.layout
    first = problem.accounts[0]
    n_groups = len(first.group_names)
    loss = np.zeros(n_groups)
    bought = np.zeros(n_groups)
    for a, prep in enumerate(problem.accounts):
        bought += np.bincount(prep.security_group, weights=x[lay.b(a)], minlength=n_groups)
        if prep.case.tax_status != "taxable":
            continue
        sold = np.where(prep.lot_gain_ratio < 0, x[lay.s(a)], 0.0)
        loss += np.bincount(
            prep.security_group[prep.lot_security], weights=sold, minlength=n_groups
        )
    return loss, bought


def forbid(*, problem: HouseholdProblem, bounds: Bounds, group: int, side: str) -> None:
    """No purchase of `group` in any account, or no loss sale of it in any taxable one."""
    lay = problem.layout
    for a, prep in enumerate(problem.accounts):
        if side == "buy":
            in_group = prep.security_group == group
            bounds.x_u[lay.b(a)][in_group] = 0.0
        elif prep.case.tax_status == "taxable":
            lot_group = prep.security_group[prep.lot_security]
            loss = (lot_group == group) & (prep.lot_gain_ratio < 0)
            bounds.x_u[lay.s(a)][loss] = 0.0


def solve_coordinated(
    problem: HouseholdProblem, *, session: QPSession | None = None, bounds: Bounds | None = None
) -> tuple[np.ndarray, tuple[int, ...]]:
    """The answer with one side per identical group across the household, and the groups
    whose side was chosen; within `bounds` (the problem's own where None; changed as sides
    are chosen) and with `session` where the caller solves the same problem with other
    bounds (its solver set-up reused)."""
    session = QPSession(qp=problem.qp) if session is None else session
    bounds = bounds_of(problem) if bounds is None else bounds
    x = session.solve(bounds=bounds).x
    chosen: list[int] = []
    for round_ in range(MAX_ROUNDS + 1):
        loss, bought = group_sides(problem=problem, x=x)
        two_sided = np.flatnonzero((loss > TWO_SIDED) & (bought > TWO_SIDED)).tolist()
        if not two_sided:
            break
        if len(two_sided) <= EXACT_GROUPS:
            bounds, x = _best_sides(
                problem=problem, session=session, bounds=bounds, groups=two_sided
            )
        else:
            for g in two_sided:
                last = round_ == MAX_ROUNDS
                side = "loss_sale" if last or bought[g] >= loss[g] else "buy"
                forbid(problem=problem, bounds=bounds, group=g, side=side)
            x = session.solve(bounds=bounds).x
        chosen += two_sided
    return x, tuple(sorted(set(chosen)))


def _best_sides(
    *, problem: HouseholdProblem, session: QPSession, bounds: Bounds, groups: list[int]
) -> tuple[Bounds, np.ndarray]:
    """Every choice of sides for a few two-sided groups, solved; the cheapest kept (a
    choice that leaves the problem infeasible is skipped)."""
    best: tuple[float, Bounds, np.ndarray] | None = None
    for sides in product(("buy", "loss_sale"), repeat=len(groups)):
        trial = Bounds(h_l=bounds.h_l, h_u=bounds.h_u, x_l=bounds.x_l, x_u=bounds.x_u.copy())
        for g, side in zip(groups, sides, strict=True):
            forbid(problem=problem, bounds=trial, group=g, side=side)
        try:
            found = session.solve(bounds=trial)
        except OptimizerInfeasibleError:
            continue
        if best is None or found.objective < best[0]:
            best = (found.objective, trial, found.x)
    if best is None:
        raise OptimizerInfeasibleError("no choice of wash-sale sides meets the constraints")
    return best[1], best[2]


def solve_within_household_limit(
    *,
    build: Callable[[float], HouseholdProblem],
    tracking_error: Callable[[np.ndarray], float],
    limit: float | None,
) -> HouseholdSolved:
    """`build(factor)` assembles the problem with tracking weighted `factor` times;
    `tracking_error(u)` measures an answer's household tracking error (a fraction).

    Where the answer is above the limit, tracking is weighted more heavily until it meets
    it (twice at most: by 4 (TE / limit)^2, then by 1,000 more). An answer that then sits
    well inside the limit is not the household's optimum: the next night, at the same
    prices, the room left would be spent on more location or harvesting, so the weight is
    lowered again, by a secant on 1/TE between the heaviest weight that missed the limit
    and the lightest that met it (`_LIMIT_STEPS` solves at most), to the lightest weight
    found whose answer meets it."""
    factor = 1.0
    problem = build(factor)
    x, groups = solve_coordinated(problem)
    te = tracking_error(x[problem.layout.u])
    resolves = 0
    missed = (factor, te)
    while limit is not None and te > limit + 1e-4 and resolves < 2:
        missed = (factor, te)
        factor *= max(4.0, 4.0 * (te / max(limit, 1e-6)) ** 2) if resolves == 0 else 1e3
        problem = build(factor)
        x, groups = solve_coordinated(problem)
        te = tracking_error(x[problem.layout.u])
        resolves += 1
    met = (factor, te)
    steps = 0
    while (
        limit is not None
        and resolves
        and met[1] <= limit + 1e-4
        and met[1] < limit - _CLOSE
        and steps < _LIMIT_STEPS
    ):
        trial = _secant(missed=missed, met=met, aim=limit - 0.25 * _CLOSE)
        candidate = build(trial)
        y, trial_groups = solve_coordinated(candidate)
        found = tracking_error(y[candidate.layout.u])
        steps += 1
        if found <= limit + 1e-4:
            met = (trial, found)
            problem, x, groups, te = candidate, y, trial_groups, found
        else:
            missed = (trial, found)
    return HouseholdSolved(
        problem=problem, x=x, wash_groups=groups, tracking_error=te, resolves=resolves + steps
    )


def _secant(*, missed: tuple[float, float], met: tuple[float, float], aim: float) -> float:
    """The tracking weight where 1/TE, taken as linear in the weight through the two known
    answers, reaches 1/aim; kept inside the bracket (the midpoint where it falls outside)."""
    (w0, t0), (w1, t1) = missed, met
    slope = (1.0 / t1 - 1.0 / t0) / (w1 - w0) if w1 != w0 and t0 > 0 and t1 > 0 else 0.0
    guess = w0 + (1.0 / aim - 1.0 / t0) / slope if slope > 0 else 0.5 * (w0 + w1)
    return float(guess) if w0 < guess < w1 else 0.5 * (w0 + w1)
