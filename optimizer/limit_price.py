"""The tracking-error limit's price and the wash-sale directions, found together
(`objective.solve_within_limit` calls `steer` once the unpriced answer is above the
ceiling): `price_limit` finds the smallest price of squared tracking error whose answer
meets the ceiling for fixed directions, and `steer` chooses directions again at that price
until the answer sits on the ceiling with directions of its own price.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from optimizer.errors import OptimizerError
from optimizer.prepare import tracking_error_before
from optimizer.problem import Problem, priced_problem
from optimizer.relaxation import (
    BUY,
    SELL,
    directed_bounds,
    group_sides,
    solve_with_directions,
)
from optimizer.solvers import Bounds, QPSession, bounds_key

__all__ = [
    "LIMIT_TOLERANCE",
    "Priced",
    "Steered",
    "Searches",
    "directed_at",
    "price_limit",
    "steer",
]

LIMIT_TOLERANCE = 0.0001
"""How far (0.01 %/yr) a continuous answer may sit above its tracking-error ceiling before
the limit is said to have given way."""
_CLOSE = 0.00002
"""How far (0.002 %/yr) below the ceiling the priced answer may stop: each unit of
variance left unused costs the certificate the price times it."""
_PRICE_STEPS = 10
_DIRECTION_ROUNDS = 3
_POLISH_ROUNDS = 2
_TRADE_TOL = 1e-7
"""A group's purchases (fraction of V) below this are none."""
_STALLED = 0.001
_SLOW = 0.05
_STALL_AFTER = 1e3
_MAX_PRICE = 1e7


@dataclass(frozen=True)
class Steered:
    """The answer `steer` chose: its priced problem, directions (`final`), tracking
    error, and the best lower bound found on the way."""

    problem: Problem
    session: QPSession
    final: Bounds
    x: np.ndarray
    te: float
    bound_problem: Problem
    lower: float
    solves: int
    bounds: tuple[tuple[Problem, float], ...] = ()
    """Every price's bound found on the way (the problem, a lower bound on its solved
    objective): `lower` is the highest at the ceiling, another may be higher further out."""


def steer(
    *,
    unpriced: tuple[Problem, QPSession],
    priced: Priced,
    base: Bounds,
    final: Bounds,
    aim: float,
    searches: Searches | None = None,
) -> Steered:
    """Wash-sale directions and the limit's price chosen together. The directions are
    chosen again at the price found; where their answer misses the ceiling by more than
    `_CLOSE` (inside or outside), the price is found again for them and that answer keeps
    the directions it uses (`_polish`); the next round chooses directions at that price,
    up to `_DIRECTION_ROUNDS` rounds. Of the answers that meet the ceiling, the one with
    the lowest objective stands. An answer that stops short of its ceiling is not the
    account's optimum, so the next night's solve at the same prices would spend the room
    left on more harvesting; one that sits on it is a fixed point. `lower` bounds the
    solved objective of `bound_problem`, the price whose bound is the highest.
    `searches` holds the price searches already made on this account (`price_limit`)."""
    searches = {} if searches is None else searches
    problem, session = priced.problem, priced.session
    best = Steered(problem, session, final, priced.x, priced.te, problem, -np.inf, 0)
    solves = 0

    def better(x: np.ndarray, te: float) -> bool:
        """Whether (x, te) beats `best`: meets the ceiling where best does not, or meets it
        as best does at a lower objective; where none meets it (a hard rule forces it),
        closer to it, or as close at a lower objective."""
        lower = problem.objective(x=x) < best.problem.objective(x=best.x)
        if te <= aim + LIMIT_TOLERANCE:
            return best.te > aim + LIMIT_TOLERANCE or lower
        if best.te <= aim + LIMIT_TOLERANCE:
            return False
        return te < best.te - LIMIT_TOLERANCE or (te <= best.te + LIMIT_TOLERANCE and lower)

    rounds: list[Problem] = []
    bounds: list[tuple[Problem, float]] = []
    for _ in range(_DIRECTION_ROUNDS):
        if any(problem is earlier for earlier in rounds):
            # a price already tried (the price search found it again): its round would
            # repeat, choosing the same directions and finding the same answers
            break
        rounds.append(problem)
        directed = directed_at(problem=problem, session=session, base=base)
        solves += 1
        if directed is None:
            break
        directions, x, lower = directed
        bounds.append((problem, lower))
        te = problem.tracking_error(x=x)
        if problem.real_bound(bound=lower, ceiling=aim) > best.bound_problem.real_bound(
            bound=best.lower, ceiling=aim
        ):
            best = replace(best, bound_problem=problem, lower=lower)
        if better(x, te):
            best = replace(best, problem=problem, session=session, final=directions, x=x, te=te)
        if abs(te - aim) <= _CLOSE:
            break
        again = priced_again(unpriced=unpriced, final=directions, aim=aim, searches=searches)
        solves += again.solves + 1
        if again.te == np.inf:
            break
        for _ in range(_POLISH_ROUNDS):
            problem, session = again.problem, again.session
            polished = _polish(problem=problem, session=session, base=base, x=again.x)
            if polished is None:
                break
            te = problem.tracking_error(x=polished[1])
            if te <= aim + LIMIT_TOLERANCE:
                if better(polished[1], te):
                    final, x = polished
                    best = replace(best, problem=problem, session=session, final=final, x=x, te=te)
                break
            # the directions it uses sell more at a loss: price them to the ceiling
            again = priced_again(unpriced=unpriced, final=polished[0], aim=aim, searches=searches)
            solves += again.solves + 1
            if again.te == np.inf:
                break
        if again.weight <= 0:
            break
    return replace(best, solves=solves, bounds=tuple(bounds))


def _polish(
    *, problem: Problem, session: QPSession, base: Bounds, x: np.ndarray
) -> tuple[Bounds, np.ndarray] | None:
    """The answer's own wash-sale directions, re-solved at its price: a group it buys
    stays a buying group, and every other group becomes a selling one, so a group whose
    purchases a price change left unused no longer keeps its loss lots from being sold.
    The answer is feasible under these directions, so the re-solve can only lower the
    solved objective."""
    if problem.layout.n_wash == 0:
        return None
    _, bought = group_sides(problem=problem, x=x)
    directions = np.where(bought > _TRADE_TOL, BUY, SELL)
    final = directed_bounds(problem=problem, bounds=base, directions=directions)
    try:
        return final, session.solve(bounds=final).x
    except OptimizerError:
        return None


@dataclass(frozen=True)
class Priced:
    weight: float
    problem: Problem
    session: QPSession
    x: np.ndarray
    te: float
    solves: int


Searches = dict[tuple[bytes, float, float], Priced]
"""Price searches made on one unpriced problem, by their directions (`final`), ceiling
and starting tracking error: a search is a function of these alone."""


def price_limit(
    *,
    unpriced: Problem,
    final: Bounds,
    top: float,
    te: float,
    searches: Searches | None = None,
) -> Priced:
    """The smallest price of squared tracking error whose answer (directions fixed as in
    `final`) keeps tracking error at most `top`: tracking error falls as the price rises
    (for a convex problem the constraint's value at the Lagrangian minimizer is monotone in
    its multiplier), so a safeguarded secant on 1/TE, which is nearly linear in the price,
    brackets it and closes in. Stops once the answer sits within `_CLOSE` below the
    ceiling, or when raising the price no longer lowers tracking error (the hard rules
    force it): then the lowest tracking error found stands. A search already in
    `searches` (the same directions, ceiling and start) is not made again: it would try
    the same prices and find the same answer; it counts no solves."""
    key = (bounds_key(final), top, te)
    known = searches.get(key) if searches is not None else None
    if known is not None:
        return replace(known, x=known.x.copy(), solves=0)
    found = _searched(unpriced=unpriced, final=final, top=top, te=te)
    if searches is not None:
        searches[key] = replace(found, x=found.x.copy())
    return found


def _searched(*, unpriced: Problem, final: Bounds, top: float, te: float) -> Priced:
    base_price = max(unpriced.prep.risk_price, 1e-6)
    low: tuple[float, float] = (0.0, te)
    high: tuple[float, float] | None = None
    best: Priced | None = None
    outside: list[Priced] = []
    slow = False
    weight = base_price * max(te / top - 1.0, 0.05)
    solves = 0
    previous: QPSession | None = None
    for _ in range(_PRICE_STEPS):
        problem = priced_problem(problem=unpriced, limit_weight=weight)
        # the step before's PIQP set-up, updated to this price (only P and q change)
        session = QPSession(qp=problem.qp, inherit=previous)
        previous = session
        solves += 1
        try:
            x = session.solve(bounds=final).x
        except OptimizerError:
            break
        found = problem.tracking_error(x=x)
        trial = Priced(weight, problem, session, x, found, solves)
        if found <= top + LIMIT_TOLERANCE:
            high, best = (weight, found), trial
            if found >= top - _CLOSE:
                break
        else:
            outside.append(trial)
            slow = found > low[1] * (1.0 - _SLOW)
            if slow and found > low[1] * (1.0 - _STALLED) and weight >= _STALL_AFTER * base_price:
                break
            low = (weight, found)
        tried = weight
        weight = _next_weight(low=low, high=high, top=top, base=base_price)
        if high is None and found > top + LIMIT_TOLERANCE and slow:
            weight = max(weight, 10.0 * tried)
        if weight > _MAX_PRICE * base_price:
            break
    chosen = best
    if chosen is None:
        chosen = _least_forced(outside, start=tracking_error_before(unpriced.prep))
    if chosen is None:
        problem = unpriced
        session = QPSession(qp=problem.qp)
        x = session.solve(bounds=final).x
        return Priced(0.0, problem, session, x, problem.tracking_error(x=x), solves)
    return replace(chosen, solves=solves)


def _least_forced(tried: list[Priced], *, start: float) -> Priced | None:
    """Where no price met the ceiling (a hard rule forces tracking error above it): of the
    prices whose answer comes within `_CLOSE` of the lowest tracking error found, and no
    higher than where the account starts (`start`, its tracking error with no trades)
    unless the lowest is, the lowest price. A higher one buys less than `_CLOSE` of tracking
    error (what the search counts as on the ceiling elsewhere) with tax and trades: in a
    measured account, a hundred times the price bought 0.002 %/yr for $900. An account
    already that close to the least it can reach is not moved further out for tax."""
    if not tried:
        return None
    lowest = min(trial.te for trial in tried)
    most = min(lowest + _CLOSE, max(lowest, start))
    return min((t for t in tried if t.te <= most), key=lambda t: t.weight)


def priced_again(
    *, unpriced: tuple[Problem, QPSession], final: Bounds, aim: float, searches: Searches
) -> Priced:
    """The limit priced again for the wash-sale directions chosen at the first price: those
    directions can leave the answer well inside the ceiling at that price, and an answer
    that stops short of the ceiling is not where the next night's solve would stop (it
    would spend the room left on more harvesting). Unpriced when these directions already
    keep the answer under the ceiling."""
    problem, session = unpriced
    try:
        x = session.solve(bounds=final).x
    except OptimizerError:
        return Priced(0.0, problem, session, np.zeros(0), np.inf, 1)
    te = problem.tracking_error(x=x)
    if te <= aim + LIMIT_TOLERANCE:
        return Priced(0.0, problem, session, x, te, 1)
    priced = price_limit(unpriced=problem, final=final, top=aim, te=te, searches=searches)
    return replace(priced, solves=priced.solves + 1)


def _next_weight(
    *, low: tuple[float, float], high: tuple[float, float] | None, top: float, base: float
) -> float:
    """The next price to try: where 1/TE, taken as linear in (base + price) through the
    known points, reaches 1/top; kept inside the bracket once there is one."""
    aim = top - 0.25 * _CLOSE
    w0, t0 = low
    if high is None:
        guess = (base + w0) * (t0 / aim) - base
        return float(max(guess, 2.0 * w0, w0 + 0.05 * base))
    w1, t1 = high
    slope = (1.0 / t1 - 1.0 / t0) / (w1 - w0) if w1 != w0 else 0.0
    guess = w0 + (1.0 / aim - 1.0 / t0) / slope if slope > 0 else 0.5 * (w0 + w1)
    if not w0 < guess < w1:
        guess = 0.5 * (w0 + w1)
    return float(guess)


def directed_at(
    *, problem: Problem, session: QPSession, base: Bounds
) -> tuple[Bounds, np.ndarray, float] | None:
    """Wash-sale directions chosen again on a priced problem: its final bounds, answer,
    and the lower bound on its solved objective (a shorter search after the relaxation
    than an account's own solve: `relaxation.ROUND_TRIALS`)."""
    try:
        directed = solve_with_directions(problem=problem, session=session, bounds=base)
    except OptimizerError:
        return None
    final = directed_bounds(problem=problem, bounds=base, directions=directed.directions)
    return final, directed.solution.x, directed.lower_bound
