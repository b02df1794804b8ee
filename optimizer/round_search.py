"""Whole shares chosen together: which trades round up and which down.

Rounding each trade to its nearest whole share is blind to what the others do: in a direct
index of $700,000 with a $9,000 share, half a share is 60 bp of the account, and a
hundred independent half-share errors add up to tracking error the continuous answer did
not have (measured on the nightly book's 100-stock accounts: up to 3.5 bp of the account
lost against the continuous answer). Here every trade whose continuous quantity lies
between two whole shares may take either, and a local search picks the combination
with the lowest objective the solver minimized (tracking at the limit's price, tax,
cost), starting from nearest rounding:

- The variables are affine in the trades (`certificate.trades_point`), so with
  c_i in {0, 1} choosing floor or ceiling, x(c) = x_floor + D c and the objective is the
  quadratic  f(x_floor) + c'D'g + ½ c'(D'PD)c  (P is diagonal): one factorization of the
  definitions and a k x k matrix, k the number of fractional trades.
- One flip at a time, the best first, until no flip lowers the objective. A flip may not
  take a bounded quantity (cash, a gain cap, a class or sector limit, a trade's bounds)
  further outside its bounds than it stands: `repair` keeps the final word on cash and
  caps, and this search leaves it no more to do than nearest rounding did, as the
  problem measures it.
- A sale's choice moves the lot that the greedy relief (`lots.allocate_lots`) takes its
  last share from, as the answer will.

The choice for a trade is between the whole shares on either side of its continuous
quantity (a sale's upper one at most what its allowed lots hold); a lower one under the
minimum trade value means no trade, and a trade whose upper one is under it has no choice.
Fractional-share accounts are left as they are (their step is a millionth of a share).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from optimizer.certificate import trades_point
from optimizer.lots import allocate_lots
from optimizer.problem import Problem
from optimizer.rounding import sellable_shares, shares
from optimizer.solvers import Bounds

_MAX_FLIPS = 400
_NOT_WORTH = 5e-6
"""Where nearest rounding loses at most this (0.05 bp of the account) against the
continuous answer, there is no more than that to win: no search."""
_IMPROVES = 1e-12
"""A flip must lower the objective (fraction of V) by more than this."""
_WORSE = 1e-12
"""How much further outside its bounds a flip may take the quantities (fraction of V)."""


def chosen_rounding(
    *,
    problem: Problem,
    x: np.ndarray,
    bounds: Bounds,
    allowed: np.ndarray,
    buy_qty: np.ndarray,
    sale_qty: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """`buy_qty` and `sale_qty` (nearest rounding of `x`, in shares) with each fractional
    trade rounded up or down as the search chooses; the inputs where there is no choice."""
    prep = problem.prep
    if prep.case.preferences.trading.fractional_shares:
        return buy_qty, sale_qty
    buy_sh, sale_sh = shares(problem=problem, x=x)
    minimum = float(prep.case.preferences.trading.min_trade_value)
    buys = _choices(
        continuous=buy_sh, rounded=buy_qty, room=None, price=prep.price, minimum=minimum
    )
    room = np.floor(sellable_shares(problem=problem, allowed=allowed))
    sales = _choices(
        continuous=sale_sh, rounded=sale_qty, room=room, price=prep.price, minimum=minimum
    )
    if len(buys[0]) + len(sales[0]) < 2:
        return buy_qty, sale_qty
    nearest = trades_point(
        problem=problem,
        lot_sold=allocate_lots(prep=prep, sale_qty=sale_qty, allowed=allowed),
        buy_qty=buy_qty,
    )
    if problem.qp.objective(nearest) - problem.qp.objective(x) <= _NOT_WORTH:
        return buy_qty, sale_qty
    return _searched(
        problem=problem, bounds=bounds, allowed=allowed, buy=(buy_qty, buys), sale=(sale_qty, sales)
    )


Choices = tuple[np.ndarray, np.ndarray, np.ndarray]
"""Securities with a choice, their lower and their upper quantity (shares)."""


def _choices(
    *,
    continuous: np.ndarray,
    rounded: np.ndarray,
    room: np.ndarray | None,
    price: np.ndarray,
    minimum: float,
) -> Choices:
    """The trades nearest rounding put on one of the two whole shares around their
    continuous quantity, each with the two (a lower one under the minimum trade as none)."""
    low = np.floor(continuous + 1e-9)
    high = low + 1.0
    if room is not None:
        high = np.minimum(high, room)
    low = np.where((low > 0) & (np.round(low * price, 2) < minimum), 0.0, low)
    pick = (
        (continuous > 1e-9)
        & (high > low)
        & (
            (rounded == np.floor(continuous + 1e-9))
            | (rounded == np.floor(continuous + 1e-9) + 1.0)
        )
        & (np.round(high * price, 2) >= minimum)
    )
    where = np.flatnonzero(pick)
    return where, low[where], high[where]


def _searched(
    *,
    problem: Problem,
    bounds: Bounds,
    allowed: np.ndarray,
    buy: tuple[np.ndarray, Choices],
    sale: tuple[np.ndarray, Choices],
) -> tuple[np.ndarray, np.ndarray]:
    prep = problem.prep
    (buy_qty, (bi, b_lo, b_hi)), (sale_qty, (si, s_lo, s_hi)) = buy, sale
    low_buy, low_sale = buy_qty.copy(), sale_qty.copy()
    low_buy[bi], low_sale[si] = b_lo, s_lo
    high_sale = low_sale.copy()
    high_sale[si] = s_hi
    lots_low = allocate_lots(prep=prep, sale_qty=low_sale, allowed=allowed)
    lots_high = allocate_lots(prep=prep, sale_qty=high_sale, allowed=allowed)
    x0 = trades_point(problem=problem, lot_sold=lots_low, buy_qty=low_buy)
    D = _directions(
        problem=problem,
        buy=(bi, (b_hi - b_lo) * prep.price[bi] / prep.value),
        sale=(si, (lots_high - lots_low) * prep.price[prep.lot_security] / prep.value),
    )
    qp = problem.qp
    diagonal = qp.p_diagonal
    # each choice moves a few dozen variables (its trade, its security's active weight and
    # asset class, the factor exposures, cash and gains): sparse products
    Dsparse = sp.csc_matrix(D)
    PD = sp.diags(diagonal) @ Dsparse if diagonal is not None else qp.P @ Dsparse
    M = (Dsparse.T @ PD).toarray()
    k = D.shape[1]
    start = np.concatenate([buy_qty[bi] == b_hi, sale_qty[si] == s_hi]).astype(float)
    c = start.copy()
    px0 = diagonal * x0 if diagonal is not None else qp.P @ x0
    gradient = M @ c + Dsparse.T @ (px0 + qp.q)
    curvature = 0.5 * np.diag(M)
    outside = _Outside(problem=problem, bounds=bounds, x0=x0, D=D)
    shared = outside.shared0 + outside.Ds @ c
    for _ in range(_MAX_FLIPS):
        step = 1.0 - 2.0 * c  # +1 rounds up, -1 down
        gain = step * gradient + curvature
        now = outside.own(c) + outside.beyond(shared[:, None])[0]
        after = (
            outside.own(c)
            + outside.own_change(c)
            + outside.beyond(shared[:, None] + outside.Ds * step)
        )
        gain = np.where(after <= now + _WORSE, gain, np.inf)
        best = int(np.argmin(gain))
        if gain[best] >= -_IMPROVES:
            break
        c[best] += step[best]
        gradient += step[best] * M[:, best]
        shared += step[best] * outside.Ds[:, best]
    if np.array_equal(c, start):
        return buy_qty, sale_qty
    chosen_buy, chosen_sale = low_buy, low_sale
    chosen_buy[bi] = np.where(c[: len(bi)] > 0.5, b_hi, b_lo)
    chosen_sale[si] = np.where(c[len(bi) : k] > 0.5, s_hi, s_lo)
    return chosen_buy, chosen_sale


def _directions(
    *, problem: Problem, buy: tuple[np.ndarray, np.ndarray], sale: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """Each choice's move of every variable (size x k): its trade, and the definitions'
    response (the variables `trades_point` defines)."""
    lay = problem.layout
    bi, b_step = buy
    si, lot_step = sale
    k = len(bi) + len(si)
    trade = lay.m + lay.n
    T = np.zeros((trade, k))
    T[lay.m + bi, np.arange(len(bi))] = b_step
    if len(si):
        lot_security = problem.prep.lot_security
        for column, i in enumerate(si, start=len(bi)):
            lots = np.flatnonzero((lot_security == i) & (lot_step != 0))
            T[lots, column] = lot_step[lots]
    A = problem.qp.A.tocsc()
    defined = slice(trade, lay.short_gain + 1)
    D = np.zeros((lay.size, k))
    D[:trade] = T
    D[defined] = _solved_definitions(A[:, defined], -(A[:, :trade] @ T))
    return D


def _solved_definitions(A: sp.csc_matrix, rhs: np.ndarray) -> np.ndarray:
    """A's definitions solved for many right-hand sides. Each defined variable is its own
    row's leading term after the ones it is defined from (active weights from trades,
    classes and factors from active weights, ...), so A is lower triangular with a unit
    diagonal and a dense triangular solve is all it takes; else a sparse LU."""
    coo = A.tocoo()
    if (coo.row >= coo.col).all() and np.array_equal(A.diagonal(), np.ones(A.shape[0])):
        solved: np.ndarray = scipy.linalg.solve_triangular(
            A.toarray(), rhs, lower=True, unit_diagonal=True, check_finite=False
        )
        return solved
    return np.asarray(spla.splu(A.tocsc()).solve(rhs))


class _Outside:
    """How far the quantities stand outside their bounds (summed, fraction of V) as the
    choices change: the variables up to the realized gains, and the inequality rows on them
    only (the drift rows' own variables are not defined at whole shares). A quantity that
    one choice alone moves (a trade, a security's active weight) adds to a sum over choices
    (`own`); those that several move (cash, the gains, class and sector weights, the tax
    budget) are followed together (`shared`)."""

    def __init__(self, *, problem: Problem, bounds: Bounds, x0: np.ndarray, D: np.ndarray) -> None:
        upto = problem.layout.short_gain + 1
        kept = np.flatnonzero(np.isfinite(bounds.x_l[:upto]) | np.isfinite(bounds.x_u[:upto]))
        G = problem.qp.G.tocsr()
        if G.shape[0]:
            last = np.full(G.shape[0], -1)
            rows_with = np.flatnonzero(np.diff(G.indptr))
            last[rows_with] = np.maximum.reduceat(G.indices, G.indptr[rows_with])
            rows = np.flatnonzero(last < upto)
        else:
            rows = np.zeros(0, dtype=int)
        Gs = G[rows]
        moves = np.vstack([D[kept], np.asarray(Gs @ D)])
        start = np.concatenate([x0[kept], Gs @ x0])
        lo = np.concatenate([bounds.x_l[kept], bounds.h_l[rows]])
        hi = np.concatenate([bounds.x_u[kept], bounds.h_u[rows]])
        touched = moves != 0
        alone = touched.sum(axis=1) <= 1
        single = touched[alone]
        self.own0 = (_beyond(start[alone], lo[alone], hi[alone])[:, None] * single).sum(axis=0)
        self.own1 = (
            _beyond(start[alone, None] + moves[alone], lo[alone, None], hi[alone, None]) * single
        ).sum(axis=0)
        self.Ds = moves[~alone]
        self.shared0 = start[~alone]
        self.lo, self.hi = lo[~alone], hi[~alone]

    def own(self, c: np.ndarray) -> float:
        return float(np.where(c > 0.5, self.own1, self.own0).sum())

    def own_change(self, c: np.ndarray) -> np.ndarray:
        change: np.ndarray = np.where(c > 0.5, self.own0 - self.own1, self.own1 - self.own0)
        return change

    def beyond(self, values: np.ndarray) -> np.ndarray:
        """Summed distance outside the shared bounds of each column of `values`."""
        out: np.ndarray = _beyond(values, self.lo[:, None], self.hi[:, None]).sum(axis=0)
        return out


def _beyond(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    distance: np.ndarray = np.maximum(values - hi, 0.0) + np.maximum(lo - values, 0.0)
    return distance
