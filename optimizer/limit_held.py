"""Where the tracking-error limit binds in a mid-size account: a lower bound over the
answers within the limit, and better wash-sale directions, from the perspective
relaxation held to the limit (`perspective.perspective_relaxation` with a ceiling).

The limit's price search (`limit_price.steer`) bounds its answer by the relaxation at one
price of the limit, moved back by Lagrangian duality. That bound is as good as the price:
at the price that puts the answer's directions on the ceiling, better directions, or the
relaxation's own answer, stop inside it, and the unused room is lost to the bound. Held to
the ceiling, the relaxation needs no price; its multiplier (`Relaxed.limit_price`) carries
the bound to an answer that whole shares moved a little past the ceiling.

Where the answer is more than `HELD_FROM` (1 bp) above the held bound, the
branch-and-bound of `branching.py` runs over held relaxations (at most `HELD_NODES`
nodes); its incumbents are the directed problems held to the ceiling, solved exactly by
the same relaxation with every direction fixed (both sides of a group are then the same
set, so the relaxation is the directed problem). Directions that beat the answer are
priced to the ceiling (`limit_price.priced_again`) and kept where that answer is within
the limit and better than the one found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.branching import Search, branch_and_bound
from optimizer.limit_price import LIMIT_TOLERANCE, Priced, Searches, priced_again
from optimizer.perspective import perspective_relaxation
from optimizer.problem import Problem, priced_problem
from optimizer.relaxation import BUY, SELL, directed_bounds, group_sides, rounded_sides
from optimizer.solvers import Bounds, QPSession, Solution

HELD_NODES = 1
"""Nodes of the held branch-and-bound at most, each two held relaxations and one held
directed solve (about 20 ms each on a 130-stock account): one node takes most of what four
do (on 40 direct-index accounts of the benchmark book, 50 % within 1 bp against 52 %), at
a quarter of the time they add."""
HELD_FROM = 1e-4
"""The held bound and its search run only where the answer is more than this (1 bp of the
account, the certificate's goal) above the bound the price search found; inside it they
would cost a nightly account time for a certificate already met."""
_TRADE_TOL = 1e-7


@dataclass(frozen=True)
class Better:
    """Directions better than the answer's, priced to the ceiling: their final bounds and
    the priced answer."""

    final: Bounds
    priced: Priced


@dataclass(frozen=True)
class HeldBound:
    """A lower bound on the objective over every choice of directions and every answer of
    tracking error at most c, c at least the ceiling it was held to: the priced problem
    `problem` (its limit weight the held multiplier) and the bound on its solved objective
    `solved`, which `Problem.real_bound` moves back to c; and an answer better than the one
    searched from (None where none was found)."""

    problem: Problem
    solved: float
    better: Better | None


def held_bound(
    *,
    unpriced: tuple[Problem, QPSession],
    base: Bounds,
    answer: np.ndarray,
    ceilings: tuple[float, float],
    searches: Searches,
) -> HeldBound | None:
    """The bound held to `ceilings` = (aim, reach): the ceiling the answer aims at, and
    the answer's tracking error where it is further out (a hard rule forced it, or it
    stopped within `LIMIT_TOLERANCE` above). Where the answer `answer` (x) is more than
    `HELD_FROM` above the bound, the held branch-and-bound raises it and may find
    better directions, priced to the reach; they are kept where their answer is better
    and no further out than the reach (`_beats`). None where Clarabel gives no held
    relaxation."""
    problem, _ = unpriced
    aim, reach = ceilings
    root = perspective_relaxation(problem=problem, bounds=base, ceiling=reach)
    if root is None:
        return None
    value = problem.objective(x=answer)
    lower, price, better = root.lower_bound, root.limit_price, None
    if value - lower > HELD_FROM:
        _, bought = group_sides(problem=problem, x=answer)
        start = np.where(bought > _TRADE_TOL, BUY, SELL).astype(int)
        searched = branch_and_bound(
            problem=problem,
            root=root,
            directions=start,
            solution=Solution(x=answer, objective=value, solver="answer", seconds=0.0),
            search=_held_search(problem=problem, base=base, ceiling=reach),
        )
        lower, price = max(lower, searched.lower_bound), max(price, searched.limit_price)
        if searched.solution.solver != "answer":
            better = _priced(
                unpriced=unpriced,
                base=base,
                directions=searched.directions,
                aim=reach,
                searches=searches,
            )
        furthest = max(aim + LIMIT_TOLERANCE, reach)
        if better is not None and not _beats(better.priced, value=value, reach=furthest):
            better = None
    bound_problem = priced_problem(problem=problem, limit_weight=price) if price > 0 else problem
    solved = lower + price * (reach * reach - problem.limit.constant)
    return HeldBound(problem=bound_problem, solved=solved, better=better)


def _held_search(*, problem: Problem, base: Bounds, ceiling: float) -> Search:
    """The held branch-and-bound's pieces; a choice of directions that nodes round to
    again is solved once."""
    solved: dict[bytes, Solution | None] = {}

    def solve(fixed: np.ndarray) -> Solution | None:
        key = fixed.tobytes()
        if key not in solved:
            solved[key] = _held_directed(
                problem=problem, base=base, directions=fixed, ceiling=ceiling
            )
        return solved[key]

    return Search(
        bounds_for=lambda fixed: directed_bounds(problem=problem, bounds=base, directions=fixed),
        solve=solve,
        rounded=lambda relaxed: rounded_sides(
            sells=relaxed.loss_sales, buys=relaxed.purchases, w=relaxed.w
        ),
        ceiling=ceiling,
        nodes=HELD_NODES,
    )


def _held_directed(
    *, problem: Problem, base: Bounds, directions: np.ndarray, ceiling: float
) -> Solution | None:
    """The directed problem held to the ceiling, solved exactly (the module's docstring)."""
    bounds = directed_bounds(problem=problem, bounds=base, directions=directions)
    relaxed = perspective_relaxation(problem=problem, bounds=bounds, ceiling=ceiling)
    if relaxed is None or problem.tracking_error(x=relaxed.x) > ceiling + LIMIT_TOLERANCE:
        return None
    value = problem.objective(x=relaxed.x)
    return Solution(x=relaxed.x, objective=value, solver="held", seconds=0.0)


def _priced(
    *,
    unpriced: tuple[Problem, QPSession],
    base: Bounds,
    directions: np.ndarray,
    aim: float,
    searches: Searches,
) -> Better | None:
    """The directions' answer priced to the aim, as the limit's price search prices its
    own (`limit_price.priced_again`); None where it has none."""
    final = directed_bounds(problem=unpriced[0], bounds=base, directions=directions)
    found = priced_again(unpriced=unpriced, final=final, aim=aim, searches=searches)
    return None if found.te == np.inf else Better(final=final, priced=found)


def _beats(priced: Priced, *, value: float, reach: float) -> bool:
    """Whether a priced answer is no further out than `reach` (the aim within
    `LIMIT_TOLERANCE`, as the price search's own answers, or where a rule forced the
    answer out, that answer's tracking error) and better than the answer's `value`."""
    return priced.te <= reach and priced.problem.objective(x=priced.x) < value
