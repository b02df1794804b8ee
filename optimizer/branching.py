"""A small branch-and-bound over wash-sale directions: a tighter lower bound, and a better
answer, where the perspective relaxation leaves the answer more than `CLOSE_ENOUGH` of
the account above its bound.

A node fixes the directions of some groups (0: still open) and its bound is the
perspective relaxation (`perspective.py`) with those groups' other side closed: the
relaxation of a subset of the directed problems, so no directed answer below it lies in
the node. Each node rounds its relaxed trades to directions (`Search.rounded`) and solves
the directed QP for a new incumbent, then branches on its most undecided open group. Nodes
are taken best bound first; a node whose bound is within `CLOSE_ENOUGH` of the incumbent
is not branched further. The bound returned is the smallest over every node left (open,
set aside as close enough, or not solved for want of budget), and never above the
incumbent: every directed answer lies in one of those nodes, so it is a lower bound on the
mixed problem. A child whose relaxation Clarabel cannot solve keeps its parent's bound.

Held to a tracking-error ceiling (`Search.ceiling`), every node's relaxation is held to it
too, and the bound is over the answers within it; the highest of the nodes' limit prices
left moves it to a higher ceiling (`Searched.limit_price`).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from optimizer.perspective import Relaxed, perspective_relaxation
from optimizer.problem import Problem
from optimizer.solvers import Bounds, Solution

CLOSE_ENOUGH = 5e-5
"""A node within this much of the account (0.5 bp) of the incumbent is not branched."""
MAX_NODES = 24
"""Nodes branched at most, each costing two relaxations and one directed solve."""
_DOUBT_TOL = 1e-9


@dataclass(frozen=True)
class Search:
    """What the search needs from the caller: the directed bounds for partly fixed
    directions (0 open), the directed QP's answer (None where it has none), and the
    rounding of a relaxed answer to a direction per group."""

    bounds_for: Callable[[np.ndarray], Bounds]
    solve: Callable[[np.ndarray], Solution | None]
    rounded: Callable[[Relaxed], np.ndarray]
    ceiling: float | None = None
    """The tracking error every node's relaxation is held to (None: not held)."""
    nodes: int = MAX_NODES


@dataclass(frozen=True)
class Searched:
    directions: np.ndarray
    solution: Solution
    lower_bound: float
    nodes: int
    limit_price: float = 0.0
    """Held to a ceiling: the highest limit price of the nodes left, so that
    lower_bound - limit_price (c^2 - ceiling^2) bounds the answers within c > ceiling."""


def branch_and_bound(
    *,
    problem: Problem,
    root: Relaxed,
    directions: np.ndarray,
    solution: Solution,
    search: Search,
) -> Searched:
    """The best directed answer found from the incumbent (`directions`, `solution`) and
    a lower bound on the mixed problem's solved objective (see the module's docstring)."""
    best_value = problem.solved_objective(x=solution.x)
    heap: list[tuple[float, int, np.ndarray, Relaxed]] = [
        (root.lower_bound, 0, np.zeros(problem.layout.n_wash, dtype=int), root)
    ]
    set_aside, aside_price = np.inf, 0.0
    count, nodes = 1, 0
    while heap and nodes < search.nodes:
        bound, _, fixed, relaxed = heapq.heappop(heap)
        if bound >= best_value - CLOSE_ENOUGH:
            set_aside = min(set_aside, bound)
            aside_price = max(aside_price, relaxed.limit_price)
            continue
        nodes += 1
        trial = np.where(fixed != 0, fixed, search.rounded(relaxed))
        found = search.solve(trial)
        if found is not None and problem.solved_objective(x=found.x) < best_value:
            best_value = problem.solved_objective(x=found.x)
            directions, solution = trial, found
        group = _branching_group(relaxed=relaxed, fixed=fixed)
        if group is None:
            # every group traded on one side only: the relaxation's answer is directed
            set_aside = min(set_aside, bound)
            aside_price = max(aside_price, relaxed.limit_price)
            continue
        for side in (1, -1):
            child = fixed.copy()
            child[group] = side
            solved = perspective_relaxation(
                problem=problem, bounds=search.bounds_for(child), ceiling=search.ceiling
            )
            child_bound = bound if solved is None else max(bound, solved.lower_bound)
            heapq.heappush(heap, (child_bound, count, child, solved or relaxed))
            count += 1
    left = min([set_aside, *(node[0] for node in heap)])
    price = max([aside_price, *(node[3].limit_price for node in heap)])
    return Searched(directions, solution, min(left, best_value), nodes, price)


def _branching_group(*, relaxed: Relaxed, fixed: np.ndarray) -> int | None:
    """The open group the relaxation leaves most in doubt: the most traded both ways,
    else the buy share nearest one half; None when no open group is in doubt."""
    both = np.minimum(relaxed.loss_sales, relaxed.purchases)
    doubt = np.maximum(both, 1e-3 * (0.5 - np.abs(relaxed.w - 0.5)))
    doubt[fixed != 0] = -1.0
    group = int(np.argmax(doubt))
    return group if doubt[group] > _DOUBT_TOL else None
