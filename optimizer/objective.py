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

from optimizer.errors import OptimizerError, OptimizerInfeasibleError
from optimizer.prepare import Prepared, reweighted
from optimizer.problem import Problem, base_bounds, build_problem
from optimizer.relaxation import directed_bounds, solve_with_directions
from optimizer.risk import RISK_PRICE
from optimizer.solvers import Bounds, QPSession

__all__ = ["RISK_PRICE", "Solved", "solve_within_limit"]
LIMIT_TOLERANCE = 0.0001
"""How far (0.01 %/yr) a continuous answer may sit above its tracking-error ceiling before
the limit is said to have given way."""


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


def tracking_error_before(prep: Prepared) -> float:
    """Tracking error of the account as it stands, against the published target."""
    return prep.risk.tracking_error(prep.holding - prep.target_published)


def ceiling(*, prep: Prepared, before: float) -> float | None:
    """The most tracking error an answer may have without being flagged: the limit, or
    where the account starts when that is further out (never further outside)."""
    return None if prep.te_limit is None else max(prep.te_limit, before)


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
    """A lower bound on the final problem's objective over every choice of wash-sale
    directions (`relaxation.py`), fraction of V."""


def solve_within_limit(*, prep: Prepared) -> Solved:
    """Solve; where the answer's tracking error is above the limit, weight tracking more
    heavily and solve again, at most twice (the second time nearly nothing but tracking
    counts). What is then left above the ceiling (the limit, or where the account started
    when that was further out) is forced by the hard rules."""
    before = tracking_error_before(prep)
    top = ceiling(prep=prep, before=before)
    limits_dropped = False
    try:
        problem, session, base, final, x, lower = _directed(prep=prep)
    except OptimizerInfeasibleError:
        if prep.class_limit is None and prep.sector_limit is None:
            raise
        prep = replace(prep, class_limit=None, sector_limit=None)
        problem, session, base, final, x, lower = _directed(prep=prep)
        limits_dropped = True
    te = prep.risk.tracking_error(published_active(prep=prep, u=x[problem.layout.u]))
    resolves = 0
    factor = 1.0
    aim = prep.te_limit
    while aim is not None and te > aim + LIMIT_TOLERANCE and resolves < 2:
        factor *= max(4.0, 4.0 * (te / max(aim, 1e-6)) ** 2) if resolves == 0 else 1e3
        heavier = reweighted(prep, factor=factor)
        try:
            problem, session, base, final, x, lower = _directed(prep=heavier)
        except OptimizerError:
            break
        te = heavier.risk.tracking_error(published_active(prep=heavier, u=x[problem.layout.u]))
        resolves += 1
    return Solved(
        problem=problem,
        session=session,
        base=base,
        final=final,
        x=x,
        before=before,
        ceiling=top,
        tracking_error=te,
        resolves=resolves,
        forced=top is not None and te > top + LIMIT_TOLERANCE,
        limits_dropped=limits_dropped,
        lower_bound=lower,
    )


def _directed(*, prep: Prepared) -> tuple[Problem, QPSession, Bounds, Bounds, np.ndarray, float]:
    problem = build_problem(prep=prep)
    session = QPSession(qp=problem.qp)
    base = base_bounds(problem=problem)
    directed = solve_with_directions(problem=problem, session=session, bounds=base)
    final = directed_bounds(problem=problem, bounds=base, directions=directed.directions)
    return problem, session, base, final, directed.solution.x, directed.lower_bound
