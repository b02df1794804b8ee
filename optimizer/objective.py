"""The objective's units and the checks around it: tracking error against the published
model, the tracking-error limit, and whether a proposal pays for itself.

Everything is a fraction of the account value V (holdings plus cash), so tax, cost and
tracking add up in one unit:

    minimize  price * (w - w°)' (B F B' + D) (w - w°)      tracking, per year of variance
            + sum_j tax_j s_j                               tax at the account's rates
            + c (sum s + sum b)                             cost, c = max(cost_bps, 2 bp)
            + kappa (|s|^2 + |b|^2)                         a small market-impact term

with price = RISK_PRICE * risk_aversion. At risk_aversion 1 a tracking error of 1 %/yr
held costs 25 bp of the account (0.0001 * 25), 2 %/yr costs 100 bp: a loss harvest worth
$1,000 of tax in a $1,000,000 account (10 bp) is worth taking on about 0.63 %/yr of
tracking error, and no more. w° is the contract's target (screens and substitutions move
weight as the contract says); tracking error, its limit and the flags are measured against
the published target w*, so what a screen or a substitution costs in tracking is visible.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np

from optimizer.errors import OptimizerInfeasibleError
from optimizer.limit_held import HELD_FROM, held_bound
from optimizer.limit_price import LIMIT_TOLERANCE, Priced, Searches, price_limit, steer
from optimizer.prepare import Prepared, tracking_error_before
from optimizer.problem import Problem, base_bounds, build_problem
from optimizer.relaxation import (
    BRANCH_FROM_SECURITIES,
    PERSPECTIVE_UP_TO,
    DirectedSolution,
    branch_further,
    directed_bounds,
    solve_with_directions,
)
from optimizer.risk import RISK_PRICE
from optimizer.solvers import Bounds, QPSession

__all__ = ["LIMIT_TOLERANCE", "RISK_PRICE", "Solved", "completed", "solve_within_limit"]

PCT = Decimal("0.0001")


def pct(value: float) -> Decimal:
    """A fraction as a percentage, 4 places."""
    return Decimal(repr(float(value) * 100.0)).quantize(PCT)


def published_active(*, prep: Prepared, u: np.ndarray) -> np.ndarray:
    """Active weights against the published target after trading and paying out the
    withdrawal, from the problem's active weights `u` (against the contract's target, as a
    fraction of the account before trading)."""
    share = max(prep.invest_share, 1e-9)
    active: np.ndarray = (u + prep.target_adjusted - prep.target_model) / share
    return active


def ceiling(*, prep: Prepared, before: float) -> float | None:
    """The most tracking error an answer may have without being flagged: the limit. An
    account that starts outside it is brought inside, unless a hard rule forces it to stay
    out (then the answer says which); where it starts does not move the limit. An empty
    account (no holdings, no cash) has nothing to track with, so no ceiling."""
    del before
    if float(prep.holding.sum()) + prep.cash0 <= 1e-12:
        return None
    return prep.te_limit


@dataclass(frozen=True)
class Solved:
    """The continuous answer that rounding starts from, and how it met the limit."""

    problem: Problem
    session: QPSession
    base: Bounds
    final: Bounds
    x: np.ndarray
    before: float
    ceiling: float | None
    tracking_error: float
    resolves: int
    forced: bool
    limits_dropped: bool
    lower_bound: float
    """A lower bound on the objective (`Problem.objective`, fraction of V, the limit's
    price not included) over every choice of wash-sale directions and every answer with
    tracking error at most `bound_ceiling` (`relaxation.py`, `Problem.real_bound`)."""
    bound_ceiling: float | None = None
    """The tracking error `lower_bound` allows; an answer further out than this is
    certified against `certified_bound`."""
    solved_bound: float = 0.0
    """The lower bound on the problem's `solved_objective` that `lower_bound` comes from."""
    free_bound: float | None = None
    """A lower bound on the objective with no tracking-error limit at all (valid at any
    tracking error), when the limit was priced in."""
    bound_problem: Problem | None = None
    """The priced problem `solved_bound` was found on, where the answer comes from another
    price (`problem`)."""
    directed: DirectedSolution | None = None
    """The unpriced answer as found, while its branch-and-bound is still to run
    (`branched`)."""
    unsteered: Unsteered | None = None
    """Where the limit's price search stands, while its directions are still to be chosen
    again (`completed`)."""
    other_bounds: tuple[tuple[Problem, float], ...] = ()
    """Bounds found at the limit's other prices (`limit_price.Steered.bounds`): each one, a
    priced problem and a lower bound on its solved objective, bounds the objective at any
    tracking error by Lagrangian duality, and a lower price's falls less steeply beyond
    the ceiling."""
    scouted: bool = False
    """Directions from prices alone (`relaxation.solve_with_directions`'s `scout`): an
    answer that tells where the account lands, solved again in full where it is kept."""

    def certified_bound(self, *, tracking_error: float) -> float:
        """A lower bound on the objective over every answer with tracking error at most
        max(`bound_ceiling`, `tracking_error`): the set a proposal of that tracking error
        belongs to, so its gap to the bound is an honest one."""
        if self.bound_ceiling is None or self.problem.limit_weight <= 0:
            return self.lower_bound
        reach = max(self.bound_ceiling, tracking_error)
        priced = self.bound_problem or self.problem
        bound = priced.real_bound(bound=self.solved_bound, ceiling=reach)
        for problem, lower in self.other_bounds:
            bound = max(bound, problem.real_bound(bound=lower, ceiling=reach))
        return bound if self.free_bound is None else max(bound, self.free_bound)


def solve_within_limit(*, prep: Prepared, complete: bool = True, scout: bool = False) -> Solved:
    """Solve; where the answer's tracking error is above the ceiling (the limit, or where
    the account started when that was further out), price the limit in: find the Lagrange
    multiplier whose answer sits on the ceiling (`limit_price.price_limit`), and choose the
    wash-sale directions again at that price until the answer sits on the ceiling with
    directions of its own (`limit_price.steer`). Where no price brings the answer under
    the ceiling, the hard rules force it, and the answer closest to the ceiling stands.

    The objective, the lower bound and the rules' costs are the product's (tax, cost and
    tracking in dollars): the price only steers the solver, and the lower bound is moved
    back by Lagrangian duality (`Problem.real_bound`), or, in a mid-size account, found on
    the relaxation held to the limit (`limit_held.py`), whichever is higher.

    Without `complete`, the answer is the price search's first: unpriced without the
    mid-size branch-and-bound (`relaxation.branch_further`), or priced with the unpriced
    answer's directions, not chosen again; `completed` finishes it. The Schedule D
    valuation reads which piece an answer lands in from that first answer, and completes
    only the one it keeps. With `scout` (and without `complete`), a mid-size account's
    directions come from the Lagrangian prices alone (`relaxation.solve_with_directions`):
    an answer that tells where the account lands, which `completed` cannot finish (the
    caller solves again in full where it keeps it: `Solved.scouted`)."""
    before = tracking_error_before(prep)
    top = ceiling(prep=prep, before=before)
    limits_dropped = False
    try:
        problem, session, base, directed = _directed(prep=prep, scout=scout)
    except OptimizerInfeasibleError:
        if prep.class_limit is None and prep.sector_limit is None:
            raise
        prep = replace(prep, class_limit=None, sector_limit=None)
        problem, session, base, directed = _directed(prep=prep, scout=scout)
        limits_dropped = True
    x, lower = directed.solution.x, directed.lower_bound
    final = directed_bounds(problem=problem, bounds=base, directions=directed.directions)
    te = problem.tracking_error(x=x)
    unpriced = Solved(
        problem=problem,
        session=session,
        base=base,
        final=final,
        x=x,
        before=before,
        ceiling=top,
        tracking_error=te,
        resolves=0,
        forced=False,
        limits_dropped=limits_dropped,
        lower_bound=lower,
        solved_bound=lower,
        directed=directed,
        scouted=directed.scouted,
    )
    if top is None or te <= top + LIMIT_TOLERANCE:
        return completed(unpriced) if complete else unpriced
    # screens and substitutions are hard rules: the limit never pulls the answer closer
    # to the published target than the target they leave (u = 0) is
    aim = max(top, problem.limit.tracking_error(np.zeros(problem.layout.size)))
    if te <= aim + LIMIT_TOLERANCE:
        forced = replace(unpriced, forced=True)
        return completed(forced) if complete else forced
    searches: Searches = {}
    priced = price_limit(unpriced=problem, final=final, top=aim, te=te, searches=searches)
    if priced.weight <= 0:
        return _limited(unpriced, answer=unpriced, aim=aim, resolves=priced.solves)
    pending = Unsteered(unpriced=unpriced, priced=priced, aim=aim, searches=searches)
    first = replace(
        unpriced,
        problem=priced.problem,
        session=priced.session,
        x=priced.x,
        tracking_error=priced.te,
    )
    answer = _limited(unpriced, answer=first, aim=aim, resolves=priced.solves, unsteered=pending)
    return completed(answer) if complete else answer


@dataclass(frozen=True)
class Unsteered:
    """Where the limit's price search stands after its first price, for `steer`: the
    unpriced answer it started from (its problem, bounds and directions), the price found,
    the ceiling aimed at and the searches made."""

    unpriced: Solved
    priced: Priced
    aim: float
    searches: Searches


def _limited(
    unpriced: Solved,
    *,
    answer: Solved,
    aim: float,
    resolves: int,
    unsteered: Unsteered | None = None,
    bound: tuple[Problem, float] | None = None,
    held_at: float = 0.0,
) -> Solved:
    """`answer` (its problem, directions, x and tracking error) as the limit's price search
    leaves it, with the lower bound that search proves: the unpriced answer's bound, free of
    the limit, or the bound found on the priced problem `bound` (problem, bound on its
    solved objective) moved back by Lagrangian duality, whichever is higher. A bound held
    to a ceiling (`limit_held.py`) holds from that ceiling out (`held_at`)."""
    free_bound = unpriced.lower_bound
    bound_problem, lower = bound if bound is not None else (unpriced.problem, free_bound)
    assert unpriced.ceiling is not None
    reach = max(aim, answer.tracking_error, held_at)
    real = bound_problem.real_bound(bound=lower, ceiling=reach)
    return replace(
        answer,
        resolves=resolves,
        forced=answer.tracking_error > unpriced.ceiling + LIMIT_TOLERANCE,
        lower_bound=max(real, free_bound),
        bound_ceiling=reach,
        solved_bound=lower,
        free_bound=free_bound,
        bound_problem=bound_problem,
        directed=None,
        unsteered=unsteered,
    )


def completed(solved: Solved) -> Solved:
    """`solved` finished (see `solve_within_limit`): a priced answer's directions chosen
    again at its price (`limit_price.steer`), or an unpriced answer's branch-and-bound
    (`branched`); else `solved` as it is. A scout's answer (`Solved.scouted`) has no
    relaxation to finish from: its caller solves the account again in full instead."""
    if solved.scouted:
        raise ValueError("a scout's answer is solved again in full, not finished")
    pending = solved.unsteered
    if pending is None:
        return branched(solved)
    unpriced = pending.unpriced
    found = steer(
        unpriced=(unpriced.problem, unpriced.session),
        priced=pending.priced,
        base=unpriced.base,
        final=unpriced.final,
        aim=pending.aim,
        searches=pending.searches,
    )
    answer = replace(
        solved,
        problem=found.problem,
        session=found.session,
        final=found.final,
        x=found.x,
        tracking_error=found.te,
        resolves=solved.resolves + found.solves,
        other_bounds=found.bounds,
    )
    return _held(unpriced, answer=answer, pending=pending, bound=(found.bound_problem, found.lower))


def _held(
    unpriced: Solved, *, answer: Solved, pending: Unsteered, bound: tuple[Problem, float]
) -> Solved:
    """The steered answer with its bound, raised where the account is mid-size by the
    relaxation held to the limit and its branch-and-bound (`limit_held.py`), whose better
    directions replace the answer's; the higher of the two bounds at the answer's
    tracking error stands. Not run where the answer is already within `HELD_FROM` (1 bp) of
    the price search's bound."""
    problem, aim = unpriced.problem, pending.aim
    lay = problem.layout
    if lay.n_wash == 0 or lay.size > PERSPECTIVE_UP_TO or lay.n < BRANCH_FROM_SECURITIES:
        return _limited(unpriced, answer=answer, aim=aim, resolves=answer.resolves, bound=bound)
    reach = max(aim, answer.tracking_error)
    known = max(bound[0].real_bound(bound=bound[1], ceiling=reach), unpriced.lower_bound)
    if problem.objective(x=answer.x) - known <= HELD_FROM:
        return _limited(unpriced, answer=answer, aim=aim, resolves=answer.resolves, bound=bound)
    held = held_bound(
        unpriced=(problem, unpriced.session),
        base=unpriced.base,
        answer=answer.x,
        ceilings=(aim, reach),
        searches=pending.searches,
    )
    if held is None:
        return _limited(unpriced, answer=answer, aim=aim, resolves=answer.resolves, bound=bound)
    if held.better is not None:
        found = held.better.priced
        answer = replace(
            answer,
            problem=found.problem,
            session=found.session,
            final=held.better.final,
            x=found.x,
            tracking_error=found.te,
            resolves=answer.resolves + found.solves,
        )
    at = max(reach, answer.tracking_error)
    if held.problem.real_bound(bound=held.solved, ceiling=at) > bound[0].real_bound(
        bound=bound[1], ceiling=at
    ):
        bound = (held.problem, held.solved)
    return _limited(
        unpriced, answer=answer, aim=aim, resolves=answer.resolves, bound=bound, held_at=reach
    )


def branched(solved: Solved) -> Solved:
    """`solved` after the mid-size branch-and-bound its unpriced answer was left without
    (`relaxation.branch_further`); else `solved` as it is. The search's bound always
    counts; its answer replaces the one found when its tracking error is no further out
    than the limit, or than that answer's where a rule forced it out."""
    directed = solved.directed
    if directed is None or directed.root is None:
        return solved
    problem, session, base = solved.problem, solved.session, solved.base
    searched = branch_further(problem=problem, session=session, bounds=base, directed=directed)
    lower = max(solved.lower_bound, searched.lower_bound)
    te = problem.tracking_error(x=searched.solution.x)
    allowed = max(solved.ceiling, solved.tracking_error) if solved.ceiling is not None else None
    if allowed is not None and te > allowed + LIMIT_TOLERANCE:
        return replace(solved, lower_bound=lower, solved_bound=lower, directed=None)
    return replace(
        solved,
        final=directed_bounds(problem=problem, bounds=base, directions=searched.directions),
        x=searched.solution.x,
        tracking_error=te,
        lower_bound=lower,
        solved_bound=lower,
        directed=None,
    )


def _directed(
    *, prep: Prepared, scout: bool = False
) -> tuple[Problem, QPSession, Bounds, DirectedSolution]:
    """The unpriced problem's directed answer, with the short search of the price search's
    rounds and without the mid-size branch-and-bound: where the limit binds this answer only
    starts the price search, and where it stands `branched` completes both."""
    problem = build_problem(prep=prep)
    session = QPSession(qp=problem.qp)
    base = base_bounds(problem=problem)
    directed = solve_with_directions(problem=problem, session=session, bounds=base, scout=scout)
    return problem, session, base, directed
