"""Exact wash-sale directions for fund accounts: a branch-and-bound over the directed QP.

A node fixes the directions of some identical groups (0: still open) and solves the QP
with those groups' other side closed and the open groups free of the rule (a relaxation
of every directed problem in the node: its optimum bounds them all). Where no open group
both sells at a loss and buys, the node's answer obeys the rule: it is the best directed
answer in the node, a candidate for the incumbent. Else the node branches on an open
group that does both, into "sell" (no purchase) and "buy" (no loss sale).

Before a child is solved, its bound is raised by the dual function of the QP at its
parent's multipliers (`solvers.Multipliers`): for any y and any z_l, z_u >= 0,

    g(y, z) = sum_j min_{x_l,j <= x_j <= x_u,j} (1/2 P_jj x_j^2 + r_j x_j)
              - y'b + z_l'h_l - z_u'h_u,        r = q + A'y + G'(z_u - z_l),

is at most the QP's optimum over the child's bounds (weak duality; P is diagonal, so the
minimum separates per variable). Closing a group's loss sales that its parent sold whole
costs their tax value at the parent's prices, so many "buy" children are set aside
without a solve. A variable with no curvature and an infinite side counts only where its
slope r_j exceeds `_FLAT_SLOPE` (else it would send g to minus infinity; such variables
are exposures and sums, fractions of the account of order one, so the slope ignored moves
g by less than 1e-8 of the account).

Nodes are taken best bound first, and a node within `CLOSE` of the incumbent is not
branched. The lower bound is the smallest bound of the nodes left (every directed answer
lies in one of them, or is the incumbent), so it bounds the mixed problem; with every node
closed the answer is its optimum within `CLOSE` (`Found.proven`). A node whose QP neither
solver answers keeps its bound in the lower bound; one they call infeasible holds no
answer. The search stops after `NODE_LIMIT` solves, keeping the incumbent and the
smallest open bound.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from optimizer.errors import OptimizerError, OptimizerInfeasibleError
from optimizer.perspective import loss_lots, wash_rows
from optimizer.problem import Problem
from optimizer.solvers import Bounds, Multipliers, QPSession, Solution

SELL = 1
BUY = -1
CLOSE = 5e-7
"""A node within this much of the account (0.005 bp) of the incumbent is not branched."""
NODE_LIMIT = 96
"""Directed QPs solved at most in one search."""
TRADE_TOL = 1e-7
"""Trades below this fraction of the account count as none when checking the rule."""
_FLAT = 1e-12
_FLAT_SLOPE = 1e-9
_DENSE_UP_TO = 40_000
"""Entries of A up to which A' is kept dense (a fund account's: faster products)."""


@dataclass(frozen=True)
class Found:
    """The best directed answer found, its directions, a lower bound on the mixed
    problem's solved objective, and the QPs solved."""

    directions: np.ndarray
    solution: Solution
    lower_bound: float
    solves: int
    proven: bool
    """Every node closed: the answer is the mixed problem's optimum within `CLOSE`."""


_Node = tuple[np.ndarray, np.ndarray]
"""A node of the search: each group's direction (0: open) and the upper bounds that
close the fixed groups' other sides."""


class _Sides:
    """Each group's loss sales and purchases (fraction of V) at an answer, and the
    variables that close a group's other side."""

    def __init__(self, *, problem: Problem, bounds: Bounds) -> None:
        lay = problem.layout
        self.n_wash = lay.n_wash
        self.base = bounds
        security_row, lot_row = wash_rows(problem=problem)
        buys = np.flatnonzero(security_row >= 0)
        self.buy_row = security_row[buys]
        self.buy_vars = lay.m + buys
        self.losses = np.flatnonzero((lot_row >= 0) & loss_lots(problem=problem))
        self.loss_row = lot_row[self.losses]
        self.trades = lay.m + lay.n
        # one row per group's loss sales, then one per group's purchases, over the trades
        self.tally = np.zeros((2 * lay.n_wash, self.trades))
        self.tally[self.loss_row, self.losses] = 1.0
        self.tally[lay.n_wash + self.buy_row, self.buy_vars] = 1.0
        closable = np.concatenate([self.buy_vars, self.losses])
        trade_bounds = np.concatenate([bounds.x_l[: self.trades], bounds.x_u[: self.trades]])
        self.start_at_zero = bool(
            np.isfinite(trade_bounds).all() and not bounds.x_l[closable].any()
        )
        """Every closable trade starts at zero and every trade's bounds are finite: closing
        a side adds minus its variables' terms of g, all finite (`_Priced.closing`)."""
        self._closes: dict[tuple[int, int], np.ndarray] = {}

    def traded(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sums: np.ndarray = self.tally.dot(x[: self.trades])
        return sums[: self.n_wash], sums[self.n_wash :]

    def closes(self, group: int, side: int) -> np.ndarray:
        """The variables that fixing `group` to `side` holds at zero: its purchases where it
        sells, its loss sales where it buys (found on first use: a search branches on few
        of the groups)."""
        key = (group, side)
        found = self._closes.get(key)
        if found is None:
            if side == SELL:
                found = self.buy_vars[self.buy_row == group]
            else:
                found = self.losses[self.loss_row == group]
            self._closes[key] = found
        return found

    def closed(self, x_u: np.ndarray) -> Bounds:
        """The base bounds with upper bounds `x_u`."""
        return Bounds(h_l=self.base.h_l, h_u=self.base.h_u, x_l=self.base.x_l, x_u=x_u)

    def child(self, node: _Node, group: int, side: int) -> _Node:
        """`node` with `group` fixed to `side`: its other side closed."""
        fixed, x_u = node
        fixed = fixed.copy()
        fixed[group] = side
        x_u = x_u.copy()
        x_u[self.closes(group, side)] = 0.0
        return fixed, x_u


def exact_directions(
    *, problem: Problem, session: QPSession, bounds: Bounds, node_limit: int = NODE_LIMIT
) -> Found | None:
    """The search of the module's docstring; None where it found no directed answer."""
    sides = _Sides(problem=problem, bounds=bounds)
    dual = _Dual(problem=problem)
    best: tuple[float, np.ndarray, Solution] | None = None
    root = (np.zeros(sides.n_wash, dtype=int), bounds.x_u)
    heap: list[tuple[float, int, _Node]] = [(-np.inf, 0, root)]
    count = solves = 0
    unsolved = np.inf
    while heap and solves < node_limit:
        bound, _, node = heap[0]
        if best is not None and bound >= best[0] - CLOSE:
            break
        heapq.heappop(heap)
        solves += 1
        fixed, x_u = node
        node_bounds = sides.closed(x_u)
        try:
            found = session.solve(bounds=node_bounds, remember=False)
        except OptimizerInfeasibleError:
            continue
        except OptimizerError:
            unsolved = min(unsolved, bound)
            continue
        value = max(bound, found.objective)  # the session's objective is the problem's solved one
        if best is not None and value >= best[0] - CLOSE:
            heapq.heappush(heap, (value, count, node))
            count += 1
            continue
        sells, bought = sides.traded(found.x)
        both = np.minimum(sells, bought)
        open_both = ((both > TRADE_TOL) & (fixed == 0)).nonzero()[0]
        if not open_both.size:
            directions = np.where(fixed != 0, fixed, np.where(sells > TRADE_TOL, SELL, BUY))
            best = (value, directions, found)
            # its directed problem, solved next, is this node's with sides it left unused
            # closed: this answer meets it
            session.keep(bounds=node_bounds, solution=found)
            continue
        priced = None
        if found.multipliers is not None:
            priced = dual.priced(found.multipliers, node_bounds)
        for child_bound, child in _children(sides, node, both[open_both], open_both, priced, value):
            heapq.heappush(heap, (child_bound, count, child))
            count += 1
    if best is None:
        return None
    value, directions, solution = best
    left = min([unsolved, *(entry[0] for entry in heap)])
    return Found(directions, solution, min(value, left), solves, proven=left >= value - CLOSE)


def dual_bound(*, problem: Problem, multipliers: Multipliers, bounds: Bounds) -> float:
    """g(y, z) of the module's docstring: at most the QP's optimum over `bounds`, for any
    multipliers (z_l, z_u >= 0)."""
    return dual_bounds(problem=problem, multipliers=multipliers, bounds=[bounds])[0]


def dual_bounds(*, problem: Problem, multipliers: Multipliers, bounds: list[Bounds]) -> list[float]:
    """`dual_bound` over each of `bounds`, with the problem's transposed rows made once."""
    dual = _Dual(problem=problem)
    return [dual.priced(multipliers, each).value for each in bounds]


def _children(
    sides: _Sides,
    node: _Node,
    both: np.ndarray,
    groups: np.ndarray,
    priced: _Priced | None,
    value: float,
) -> list[tuple[float, _Node]]:
    """The two children of the open group of `groups` (those traded both ways, `both` of
    each) whose weaker child's dual bound is highest (the group traded most both ways where
    no multipliers are known), with their bounds. The first such group in order wins a tie.
    A few groups at most are open at a node, so they are scored one by one."""
    if priced is None:
        group = int(groups[both.argmax()])
        return [(value, sides.child(node, group, side)) for side in (SELL, BUY)]
    # g over the node's bounds, plus what closing each group's side adds to it
    selling, buying = priced.closing(sides)
    chosen: tuple[float, int, float, float] | None = None
    for group in groups.tolist():
        sell = max(float(selling[group]), value)
        buy = max(float(buying[group]), value)
        score = min(sell, buy) + 1e-3 * max(sell, buy)
        if chosen is None or score > chosen[0]:
            chosen = (score, group, sell, buy)
    assert chosen is not None  # the node branches: some group is open
    _, group, sell, buy = chosen
    return [(sell, sides.child(node, group, SELL)), (buy, sides.child(node, group, BUY))]


class _Dual:
    """What the dual function g needs on one problem: A', G', P's diagonal."""

    def __init__(self, *, problem: Problem) -> None:
        qp = problem.qp
        self.A_T = _transposed(qp.A)
        self.b = qp.b
        self.q = qp.q
        self.G_T = _transposed(qp.G) if qp.G.shape[0] else None
        self.curvature = qp.P.diagonal() if qp.p_diagonal is None else qp.p_diagonal
        self.curved = self.curvature > _FLAT
        self.flat = np.flatnonzero(~self.curved)
        # what each node's terms divide and multiply by, made once per search
        self.divisor = np.where(self.curved, self.curvature, 1.0)
        self.half = 0.5 * self.curvature

    def priced(self, multipliers: Multipliers, bounds: Bounds) -> _Priced:
        """g's terms at `multipliers` over `bounds`; a row side at infinity gets none."""
        r: np.ndarray = self.q + self.A_T.dot(multipliers.y)
        constant = -float(multipliers.y.dot(self.b))
        if self.G_T is not None:
            low, high = np.isfinite(bounds.h_l), np.isfinite(bounds.h_u)
            z_l = np.where(low, multipliers.z_l, 0.0)
            z_u = np.where(high, multipliers.z_u, 0.0)
            r = r + self.G_T @ (z_u - z_l)
            constant += float(z_l[low] @ bounds.h_l[low])
            constant -= float(z_u[high] @ bounds.h_u[high])
        if self.flat.size:
            slopes = r[self.flat]
            slopes[np.abs(slopes) <= _FLAT_SLOPE] = 0.0
            r[self.flat] = slopes
        terms = _terms(self.half, self.divisor, self.curved, r, bounds.x_l, bounds.x_u)
        return _Priced(self, r, bounds.x_l, terms, float(terms.sum()) + constant)


def _transposed(matrix: sp.csc_matrix) -> np.ndarray | sp.csr_matrix:
    """matrix', dense where it is small."""
    if matrix.shape[0] * matrix.shape[1] <= _DENSE_UP_TO:
        dense: np.ndarray = np.ascontiguousarray(matrix.toarray().T)
        return dense
    return sp.csr_matrix(matrix.transpose())


@dataclass(frozen=True)
class _Priced:
    """g at one set of multipliers over one node's bounds: each variable's term (its
    minimum over its bounds) and the total."""

    dual: _Dual
    slopes: np.ndarray
    x_l: np.ndarray
    terms: np.ndarray
    value: float

    def closing(self, sides: _Sides) -> tuple[np.ndarray, np.ndarray]:
        """g over each child's bounds, as far as closing its side moves it: fixing each
        group to sell (its purchases closed), and to buy (its loss sales closed)."""
        n = sides.n_wash
        if not math.isfinite(self.value):
            same = np.full(n, self.value)
            return same, same
        if sides.start_at_zero:
            # closed, each trade sits at zero: its term leaves g
            lost: np.ndarray = sides.tally.dot(self.terms[: sides.trades])
            return self.value - lost[n:], self.value - lost[:n]
        selling = self.value + np.bincount(
            sides.buy_row, weights=self.closed(sides.buy_vars), minlength=n
        )
        buying = self.value + np.bincount(
            sides.loss_row, weights=self.closed(sides.losses), minlength=n
        )
        return selling, buying

    def closed(self, at: np.ndarray) -> np.ndarray:
        """What holding each variable of `at` at most zero adds to g (a child's closed
        side adds its variables' changes; a variable whose lower bound is above zero
        closes its child's problem, which holds no answer: plus infinity)."""
        if not math.isfinite(self.value):
            return np.zeros(len(at))
        low = self.x_l[at]
        if not low.any():
            # trades start at zero: closed, each sits at zero and adds nothing to g
            unchanged: np.ndarray = -self.terms[at]
            return unchanged
        d = self.dual
        new = _terms(
            d.half[at], d.divisor[at], d.curved[at], self.slopes[at], np.minimum(low, 0.0), 0.0
        )
        change: np.ndarray = np.where(low > 0, np.inf, new - self.terms[at])
        return change


def _terms(
    half: np.ndarray,
    divisor: np.ndarray,
    curved: np.ndarray,
    r: np.ndarray,
    low: np.ndarray,
    high: np.ndarray | float,
) -> np.ndarray:
    """min over [low, high] of 1/2 curvature x^2 + r x, per variable (minus infinity where
    a flat variable's slope pushes it to an infinite side); `half` is half the curvature,
    `divisor` the curvature where there is some, else 1."""
    free = -r / divisor
    flat_pick = np.where(r > 0.0, low, np.where(r < 0.0, high, 0.0))
    x = np.minimum(np.maximum(np.where(curved, free, flat_pick), low), high)
    finite = np.isfinite(x)
    if np.count_nonzero(finite) == finite.size:
        every: np.ndarray = (half * x + r) * x
        return every
    x = np.where(finite, x, 0.0)
    terms: np.ndarray = np.where(finite, (half * x + r) * x, -np.inf)
    return terms
