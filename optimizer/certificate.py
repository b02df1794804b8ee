"""The per-account optimality certificate: how far the answer's objective is from the lower
bound on the best the rules allow.

The answer is scored by the problem's own objective (`Problem.objective`, as a fraction of
the account value V: tax, cost and tracking in the product's units, never the
tracking-error limit's price) at the whole-share trades it proposes: sales per lot and purchases per
security fix the trade variables, and the problem's definitions (active weights, class and
factor exposures, cash, realized gains) fix the rest. The lower bound comes from
`relaxation.py`, moved back to the same objective where the limit was priced in
(`objective.py`). Both are reported in dollars (x V), the gap in basis points of V.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import scipy.sparse.linalg as spla

from money import CENT, cents_half_up
from optimizer.objective import Solved
from optimizer.problem import Problem

_DENSE_UP_TO = 100
"""Rows of A up to which its definitions are solved densely (a fund account's: the sparse
solver's set-up costs more than the solve)."""


@dataclass(frozen=True)
class Certificate:
    lower_bound: Decimal
    gap_bp: Decimal


def trades_point(*, problem: Problem, lot_sold: np.ndarray, buy_qty: np.ndarray) -> np.ndarray:
    """The problem's variables at given trades (shares sold per lot, bought per security)."""
    prep, lay = problem.prep, problem.layout
    trade = lay.m + lay.n
    x = np.zeros(lay.size)
    if lay.m:
        x[lay.s] = lot_sold * prep.price[prep.lot_security] / prep.value
    x[lay.b] = buy_qty * prep.price / prep.value
    A = problem.qp.A.tocsc()
    rhs = problem.qp.b - A @ x  # x is zero past the trades
    # the equalities define every variable up to the gains; the drift rows' variables
    # (`drift_cap.py`) cost nothing in the objective and stay at zero
    defined = slice(trade, lay.short_gain + 1)
    if A.shape[0] <= _DENSE_UP_TO:
        x[defined] = np.linalg.solve(A.toarray()[:, defined], rhs)
    else:
        x[defined] = spla.spsolve(A[:, defined].tocsc(), rhs)
    return x


def certify(*, solved: Solved, lot_sold: np.ndarray, buy_qty: np.ndarray) -> Certificate:
    """The lower bound in dollars and the answer's distance from it in bp of V (never
    negative: the bound is at most the answer's objective up to the solvers' tolerance).
    Where the tracking-error limit was priced in, the bound is over every answer whose
    tracking error is at most the ceiling's, or the answer's own when whole shares carried
    it past (`Solved.certified_bound`): a set the answer belongs to."""
    problem = solved.problem
    x = trades_point(problem=problem, lot_sold=lot_sold, buy_qty=buy_qty)
    answer = problem.objective(x=x)
    lower_bound = solved.certified_bound(tracking_error=problem.tracking_error(x=x))
    gap = max(0.0, answer - lower_bound) * 1e4
    return Certificate(
        lower_bound=cents_half_up(lower_bound * problem.prep.value),
        gap_bp=Decimal(repr(gap)).quantize(CENT, rounding=ROUND_HALF_UP),  # two decimals
    )
