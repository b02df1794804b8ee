"""Choosing a direction per identical group, the problem's one non-convex rule, with a
lower bound that certifies the choice.

In a taxable account, selling a lot at a loss and buying the same identical group in one
proposal is a wash sale (the contract's rule 6). For each group that could do both, the
exact problem is the disjunction "no loss sale" (buy) or "no purchase" (sell); gain lots
may be sold either way. With directions fixed the problem is the convex QP of `problem.py`.

1. Few groups (2^W directed solves cheaper than the relaxation): every choice is solved
   and the best kept; its objective is the exact optimum, so it is its own lower bound.
2. Fund accounts (fewer than `BRANCH_FROM_SECURITIES` securities): the branch-and-bound
   of `exact_directions.py` over the directed QP, whose nodes leave the open groups free
   of the rule, finds the best directions and proves them (its bound within 0.005 bp of
   the answer); a fund account has so few groups in doubt that this costs about as many
   QP solves as the trials below, and no conic solve. Where it stops short of a proof
   (`exact_directions.NODE_LIMIT` solves), cases 3 and 4 run as well and the better answer and
   the higher bound are kept.
3. Otherwise the perspective relaxation (`perspective.py`, Clarabel) gives a lower bound
   and a buy share w per group. Each group takes the side its relaxed trades favour (the
   only side it trades, else buy when w >= 1/2), and the QP is re-solved with the
   directions fixed. While more than `IMPROVE_ABOVE` of the account lies between the
   answer and the bound, the most undecided groups are tried both ways together (a
   coordinated swap: sell one group at a loss and buy its partner), then, on problems of
   up to `FLIP_SEARCH_UP_TO` variables, single groups in the order of what switching them
   gives up; a trial is kept when it lowers the objective. In accounts of at least
   `BRANCH_FROM_SECURITIES` securities this search is first a short one (`ROUND_TRIALS`),
   and `branch_further` runs the full one on an answer that is kept, then, where the answer
   is still more than `branching.CLOSE_ENOUGH` (0.5 bp) above the bound, a small
   branch-and-bound over the undecided groups (`branching.py`) that raises the bound and
   improves the answer (`solve_completely` does both). With at most
   `EXACT_UP_TO` groups and the gap still open, every choice is solved after all (case 1).
4. Above `PERSPECTIVE_UP_TO` variables (a 500-stock account with 2,000 lots), where Clarabel
   on the conic relaxation costs several times the nightly run's budget per account, and
   wherever Clarabel returns no answer, Lagrangian decomposition stands in
   (`lagrangian.py`): the rows that tie many securities together (factor, class and
   sector exposures, cash, gains) are priced, every group's buy-or-sell choice is then
   solved exactly on its own, and a few steps of ascent on the prices give a lower bound.
   Each group takes its cheaper side at the prices `PRICE_EVALUATIONS` steps reach, the
   QP is solved with those directions, and `BOUND_EVALUATIONS` steps from the answer's
   own prices bound it. With hundreds of groups and a few dozen priced rows the bound
   lies within about 0.5 bp of the answer.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from optimizer.branching import CLOSE_ENOUGH, Search, Searched, branch_and_bound
from optimizer.errors import OptimizerError
from optimizer.exact_directions import Found, exact_directions
from optimizer.lagrangian import ascended, decomposable
from optimizer.perspective import Relaxed, loss_lots, perspective_relaxation, wash_rows
from optimizer.problem import Problem
from optimizer.solvers import Bounds, QPSession, Solution

SELL = 1
BUY = -1
ENUMERATE_UP_TO = 3
PERSPECTIVE_UP_TO = 2000
EXACT_UP_TO = 6
IMPROVE_ABOVE = 2e-5
_TRADE_TOL = 1e-7
FLIP_SEARCH_UP_TO = 1500
PRICE_EVALUATIONS = 6
BRANCH_FROM_SECURITIES = 20
BOUND_EVALUATIONS = 2


@dataclass(frozen=True)
class Trials:
    """How far the search after the relaxation goes: the most undecided groups tried both
    ways together (all their combinations), and the single groups flipped one at a time."""

    undecided: int
    flips: int


FULL_TRIALS = Trials(undecided=4, flips=8)
"""An account's own solve."""
ROUND_TRIALS = Trials(undecided=2, flips=2)
"""A mid-size account's `solve_with_directions`: each round of the tracking-error limit's
price search (`limit_price.directed_at`) chooses directions again, and the first,
unpriced solve's answer is mostly thrown away; `branch_further` completes the search
where an answer is kept. On 30 direct-index
accounts of the nightly benchmark, this search in the rounds instead of the full one moved
the answer's objective by -1.5 to +1.0 bp of the account (0.02 bp worse on average) and
took 0.73 of the time."""


@dataclass(frozen=True)
class DirectedSolution:
    """The directed answer, its directions, and a lower bound on the mixed problem's
    objective (fractions of the account value, as `Problem.solved_objective`)."""

    directions: np.ndarray
    solution: Solution
    lower_bound: float
    root: Relaxed | None = None
    """The perspective relaxation at the account's bounds, in a mid-size account: the full
    search and the branch-and-bound start from it (`branch_further`)."""
    scouted: bool = False
    """The directions are a scout's (`solve_with_directions`): the answer only tells where
    the account lands."""


def group_sides(*, problem: Problem, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Loss sales and purchases (fraction of V) of each group that needs a direction."""
    lay = problem.layout
    security_row, lot_row = wash_rows(problem=problem)
    lots = (lot_row >= 0) & loss_lots(problem=problem)
    buys = security_row >= 0
    sells = np.bincount(lot_row[lots], weights=x[lay.s][lots], minlength=lay.n_wash)
    bought = np.bincount(security_row[buys], weights=x[lay.b][buys], minlength=lay.n_wash)
    return sells, bought


def directed_bounds(*, problem: Problem, bounds: Bounds, directions: np.ndarray) -> Bounds:
    """Bounds with each group's other side fixed at zero: no purchase in a selling group,
    no loss sale in a buying group."""
    lay = problem.layout
    security_row, lot_row = wash_rows(problem=problem)
    x_u = bounds.x_u.copy()
    wash_security = security_row >= 0
    selling = np.zeros(lay.n, dtype=bool)
    selling[wash_security] = directions[security_row[wash_security]] == SELL
    x_u[lay.b][selling] = 0.0
    wash_loss = (lot_row >= 0) & loss_lots(problem=problem)
    buying = np.zeros(lay.m, dtype=bool)
    buying[wash_loss] = directions[lot_row[wash_loss]] == BUY
    x_u[lay.s][buying] = 0.0
    return Bounds(h_l=bounds.h_l, h_u=bounds.h_u, x_l=bounds.x_l, x_u=x_u)


def solve_with_directions(
    *, problem: Problem, session: QPSession, bounds: Bounds, scout: bool = False
) -> DirectedSolution:
    """The directed answer with its lower bound (see the module's docstring). In a
    mid-size account the search after the relaxation is the short one (`ROUND_TRIALS`)
    and the answer keeps the relaxation (`DirectedSolution.root`): `branch_further` runs
    the full search and the branch-and-bound, so that a caller runs them only on the
    answer it keeps (the tracking-error limit's price search and the Schedule D
    valuation's first solve throw most of theirs away). With `scout`, a mid-size account
    that the relaxation would solve (at most `PERSPECTIVE_UP_TO` variables) takes its
    directions from a few steps of Lagrangian ascent alone (`_scouted`: no relaxation, no
    trials, about half a relaxation's time): the Schedule D valuation's first answer, which
    only tells which piece of Schedule D the account lands in; on 65 taxable direct-index
    accounts of the nightly benchmark every final answer stayed the same, and the solve
    took 9 % less time. A larger account's search is already about a scout's."""
    lay = problem.layout
    if lay.n_wash == 0:
        solution = session.solve(bounds=bounds)
        return DirectedSolution(
            np.zeros(0, dtype=int), solution, problem.solved_objective(x=solution.x)
        )
    if lay.n_wash <= ENUMERATE_UP_TO:
        return _enumerate(problem=problem, session=session, bounds=bounds)
    if lay.n >= BRANCH_FROM_SECURITIES:
        if scout and lay.size <= PERSPECTIVE_UP_TO:
            return _scouted(problem=problem, session=session, bounds=bounds)
        return _relaxed_search(problem=problem, session=session, bounds=bounds)
    found = exact_directions(problem=problem, session=session, bounds=bounds)
    exact = None
    if found is not None:
        exact = _resolved(problem=problem, session=session, bounds=bounds, found=found)
    if exact is not None and found is not None and found.proven:
        return exact
    searched = _relaxed_search(problem=problem, session=session, bounds=bounds)
    if exact is None:
        return searched
    lower = max(exact.lower_bound, searched.lower_bound)
    better = min((exact, searched), key=lambda found: problem.solved_objective(x=found.solution.x))
    return DirectedSolution(
        better.directions,
        better.solution,
        min(lower, problem.solved_objective(x=better.solution.x)),
    )


def _scouted(*, problem: Problem, session: QPSession, bounds: Bounds) -> DirectedSolution:
    """Directions from the Lagrangian prices alone (no relaxation, no trials): an answer
    that only tells where the account lands, with the bound those prices give."""
    directions, lower, _, _ = _priced_directions(problem=problem, session=session, bounds=bounds)
    best = _solve_directed(problem=problem, session=session, bounds=bounds, directions=directions)
    if best is None:
        directions = np.full(problem.layout.n_wash, SELL, dtype=int)
        best = session.solve(
            bounds=directed_bounds(problem=problem, bounds=bounds, directions=directions)
        )
    value = problem.solved_objective(x=best.x)
    return DirectedSolution(directions, best, min(lower, value), scouted=True)


def _resolved(
    *, problem: Problem, session: QPSession, bounds: Bounds, found: Found
) -> DirectedSolution | None:
    """The search's answer re-solved with every direction fixed (the node it came from
    left groups that traded one side, or none, open)."""
    solution = _solve_directed(
        problem=problem, session=session, bounds=bounds, directions=found.directions
    )
    if solution is None:
        return None
    value = problem.solved_objective(x=solution.x)
    return DirectedSolution(found.directions, solution, min(found.lower_bound, value))


def _relaxed_search(*, problem: Problem, session: QPSession, bounds: Bounds) -> DirectedSolution:
    """Directions from the perspective relaxation or the Lagrangian prices, improved by
    trials (cases 3 and 4). A mid-size account's answer keeps its relaxation, and its
    search is the short one, which `branch_further` completes."""
    lay = problem.layout
    relaxed = None
    if lay.size <= PERSPECTIVE_UP_TO:
        relaxed = perspective_relaxation(problem=problem, bounds=bounds)
    if relaxed is None:
        directions, lower, sells, buys = _priced_directions(
            problem=problem, session=session, bounds=bounds
        )
    else:
        lower, sells, buys = relaxed.lower_bound, relaxed.loss_sales, relaxed.purchases
        directions = rounded_sides(sells=sells, buys=buys, w=relaxed.w)
    w = np.where(directions == BUY, 1.0, 0.0) if relaxed is None else relaxed.w
    deferred = relaxed if lay.n >= BRANCH_FROM_SECURITIES else None
    best = _solve_directed(problem=problem, session=session, bounds=bounds, directions=directions)
    # on large accounts the single-flip search costs more than it finds after the prices
    searching = relaxed is not None or lay.size <= FLIP_SEARCH_UP_TO
    directions, best = _tried(
        problem=problem,
        session=session,
        bounds=bounds,
        start=(directions, best),
        sides=(sells, buys, w) if searching else None,
        lower=lower,
        trials=ROUND_TRIALS if deferred is not None else FULL_TRIALS,
    )
    if relaxed is None and best is not None:
        # the Lagrangian bound at the answer's own prices, raised by a few ascent steps
        priced = ascended(problem=problem, bounds=bounds, x=best.x, evaluations=BOUND_EVALUATIONS)
        lower = max(lower, priced.lower_bound)
    if lay.n_wash <= EXACT_UP_TO and (
        best is None or problem.solved_objective(x=best.x) - lower > IMPROVE_ABOVE
    ):
        return _enumerate(problem=problem, session=session, bounds=bounds)
    if best is None:
        # Selling-only directions are feasible whenever the account is: no purchase is
        # ever needed to meet a hard constraint.
        directions = np.full(lay.n_wash, SELL, dtype=int)
        best = session.solve(
            bounds=directed_bounds(problem=problem, bounds=bounds, directions=directions)
        )
    return DirectedSolution(
        directions, best, min(lower, problem.solved_objective(x=best.x)), root=deferred
    )


def _tried(
    *,
    problem: Problem,
    session: QPSession,
    bounds: Bounds,
    start: tuple[np.ndarray, Solution | None],
    sides: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    lower: float,
    trials: Trials,
) -> tuple[np.ndarray, Solution | None]:
    """The directions `start` improved by trials while the answer is more than
    `IMPROVE_ABOVE` above `lower`: the most undecided groups (from the relaxed loss sales,
    purchases and buy shares, `sides`) flipped together in every combination, then on
    problems of up to `FLIP_SEARCH_UP_TO` variables single groups in the order of what
    switching them gives up. No trials without `sides`."""
    directions, best = start
    if sides is None:
        return directions, best
    sells, buys, w = sides
    undecided = _undecided(sells=sells, buys=buys, w=w, most=trials.undecided)
    flips = [
        undecided[list(chosen)]
        for chosen in itertools.product((False, True), repeat=len(undecided))
        if any(chosen)
    ]
    if problem.layout.size <= FLIP_SEARCH_UP_TO:
        forgone = np.where(directions == SELL, sells, buys)
        order = np.argsort(forgone, kind="stable")
        singles = [g for g in order if g not in undecided and max(sells[g], buys[g]) > _TRADE_TOL]
        flips += [np.array([g]) for g in singles[: trials.flips]]
    for flip in flips:
        if best is not None and problem.solved_objective(x=best.x) - lower <= IMPROVE_ABOVE:
            break
        trial = directions.copy()
        trial[flip] *= -1
        candidate = _solve_directed(
            problem=problem, session=session, bounds=bounds, directions=trial
        )
        if _improves(problem=problem, candidate=candidate, best=best):
            best, directions = candidate, trial
    return directions, best


def solve_completely(*, problem: Problem, session: QPSession, bounds: Bounds) -> DirectedSolution:
    """`solve_with_directions`, then `branch_further`: the whole search on one answer."""
    return branch_further(
        problem=problem,
        session=session,
        bounds=bounds,
        directed=solve_with_directions(problem=problem, session=session, bounds=bounds),
    )


def branch_further(
    *, problem: Problem, session: QPSession, bounds: Bounds, directed: DirectedSolution
) -> DirectedSolution:
    """The search that `solve_with_directions` left out, run from its answer
    (`directed.root` set): the full trials, then the branch-and-bound; else `directed` as
    it is."""
    root = directed.root
    if root is None:
        return directed
    directions, best = _tried(
        problem=problem,
        session=session,
        bounds=bounds,
        start=(directed.directions, directed.solution),
        sides=(root.loss_sales, root.purchases, root.w),
        lower=root.lower_bound,
        trials=FULL_TRIALS,
    )
    assert best is not None  # the search starts from an answer and keeps the best found
    searched = branched(
        problem=problem,
        session=session,
        bounds=bounds,
        root=root,
        directions=directions,
        best=best,
    )
    value = problem.solved_objective(x=searched.solution.x)
    lower = max(searched.lower_bound, directed.lower_bound)
    return DirectedSolution(searched.directions, searched.solution, min(lower, value))


def _priced_directions(
    *, problem: Problem, session: QPSession, bounds: Bounds
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Directions without the perspective relaxation: each group's cheaper side at the
    prices of a few steps of Lagrangian ascent (`lagrangian.py`), with the bound they
    give; and the loss sales and purchases of the QP without the rule, solved on problems
    small enough for the single-flip search it guides (else zero: prices start at zero).
    Where the objective does not decompose, the sides that QP trades most."""
    lay = problem.layout
    if lay.size <= FLIP_SEARCH_UP_TO or not decomposable(problem=problem):
        open_sides = session.solve(bounds=bounds)
        start, lower = open_sides.x, problem.solved_objective(x=open_sides.x)
    else:
        start, lower = np.zeros(lay.size), -np.inf
    sells, buys = group_sides(problem=problem, x=start)
    if not decomposable(problem=problem):
        return np.where(sells > buys, SELL, BUY).astype(int), lower, sells, buys
    priced = ascended(problem=problem, bounds=bounds, x=start, evaluations=PRICE_EVALUATIONS)
    directions = np.where(priced.sell < priced.buy, SELL, BUY).astype(int)
    return directions, max(lower, priced.lower_bound), sells, buys


def branched(
    *,
    problem: Problem,
    session: QPSession,
    bounds: Bounds,
    root: Relaxed,
    directions: np.ndarray,
    best: Solution,
) -> Searched:
    """The branch-and-bound of `branching.py` from the perspective relaxation's `root`
    and the directed answer `best`, where the answer is more than `CLOSE_ENOUGH` above
    the root's bound; else the answer and bound as they are."""
    if problem.solved_objective(x=best.x) - root.lower_bound <= CLOSE_ENOUGH:
        return Searched(directions, best, root.lower_bound, 0)
    search = Search(
        bounds_for=lambda fixed: directed_bounds(problem=problem, bounds=bounds, directions=fixed),
        solve=lambda fixed: _solve_directed(
            problem=problem, session=session, bounds=bounds, directions=fixed
        ),
        rounded=lambda relaxed: rounded_sides(
            sells=relaxed.loss_sales, buys=relaxed.purchases, w=relaxed.w
        ),
    )
    return branch_and_bound(
        problem=problem, root=root, directions=directions, solution=best, search=search
    )


def rounded_sides(*, sells: np.ndarray, buys: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The side a group's relaxed trades favour: the only side it trades, else buy when
    its buy share is at least one half."""
    directions = np.where(w >= 0.5, BUY, SELL)
    directions[(sells <= _TRADE_TOL) & (buys > _TRADE_TOL)] = BUY
    directions[(buys <= _TRADE_TOL) & (sells > _TRADE_TOL)] = SELL
    directions[(buys <= _TRADE_TOL) & (sells <= _TRADE_TOL)] = BUY
    return directions.astype(int)


def _undecided(*, sells: np.ndarray, buys: np.ndarray, w: np.ndarray, most: int) -> np.ndarray:
    """The groups the relaxation left most in doubt (both sides traded, or a buy share
    far from 0 and 1), most doubtful first, at most `most`."""
    both = np.minimum(sells, buys)
    doubt = np.maximum(both / np.maximum(sells + buys, 1e-12), 0.5 - np.abs(w - 0.5))
    doubt[(both <= _TRADE_TOL) & ((w < 0.02) | (w > 0.98))] = 0.0
    order = np.argsort(-doubt, kind="stable")
    chosen: np.ndarray = order[doubt[order] > 0][:most]
    return chosen


def _enumerate(*, problem: Problem, session: QPSession, bounds: Bounds) -> DirectedSolution:
    """Every choice of directions solved; the best is the mixed problem's optimum."""
    best: Solution | None = None
    best_directions = np.full(problem.layout.n_wash, SELL, dtype=int)
    for signs in itertools.product((SELL, BUY), repeat=problem.layout.n_wash):
        directions = np.array(signs, dtype=int)
        candidate = _solve_directed(
            problem=problem, session=session, bounds=bounds, directions=directions
        )
        if _improves(problem=problem, candidate=candidate, best=best):
            best, best_directions = candidate, directions
    if best is None:
        best = session.solve(
            bounds=directed_bounds(problem=problem, bounds=bounds, directions=best_directions)
        )
    return DirectedSolution(best_directions, best, problem.solved_objective(x=best.x))


def _improves(*, problem: Problem, candidate: Solution | None, best: Solution | None) -> bool:
    """Whether a directed answer (None where it has none) beats the best so far."""
    return candidate is not None and (
        best is None or problem.solved_objective(x=candidate.x) < problem.solved_objective(x=best.x)
    )


def _solve_directed(
    *, problem: Problem, session: QPSession, bounds: Bounds, directions: np.ndarray
) -> Solution | None:
    try:
        return session.solve(
            bounds=directed_bounds(problem=problem, bounds=bounds, directions=directions)
        )
    except OptimizerError:
        return None
