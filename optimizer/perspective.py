"""The convex-hull relaxation of the wash-sale rule, solved with Clarabel: a lower bound.

In a taxable account, a group g that may both be bought and sold at a loss must choose:
either its loss sales L_i are zero (it may be bought: "buy") or its purchases b_i are zero
("sell"); gain sales G_i are allowed either way. The mixed problem is the union of 2^W
convex problems, one per choice of directions for the W such groups.

Following Moehle, Kochenderfer, Boyd and Ang (2021), "Tax-aware portfolio construction
via convex optimization", the curvature for the relaxation is borrowed from the risk model:
each group's specific-risk term  sum_{i in g} delta_i u_i^2,  with active weight
u_i = a_i + b_i - L_i - G_i  (a_i = h_i - t_i, the active weight before trading), is
replaced by its perspective over the disjunction. With a buy share w_g in [0, 1] and the
gain sales split G_i = gamma_i + (G_i - gamma_i) between the two sides,

    T_buy  >= sum_i delta_i (w a_i + b_i - gamma_i)^2 / w                  (rotated cone)
    T_sell >= sum_i delta_i ((1 - w) a_i - L_i - G_i + gamma_i)^2 / (1 - w)   (rotated cone)

and the hull rows  b_i <= w bmax_i,  L_i <= (1 - w) lmax_i,  gamma_i <= w gmax_i,
G_i - gamma_i <= (1 - w) gmax_i.  At w = 1 (buy: L = 0, gamma = G) the sell cone forces its
side to zero and T_buy = sum delta_i u_i^2; at w = 0 the same holds the other way. So every
directed point has a relaxed point of the same objective, and the relaxation's optimum is
a lower bound on the mixed problem's. Each side's rotated cone
2 r s >= |x|^2 is written as the second-order cone |(r - s, sqrt(2) x)| <= r + s.
Everything else in the objective and the constraints is the problem's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import clarabel
import numpy as np
import scipy.sparse as sp

from optimizer.problem import Problem
from optimizer.solvers import Bounds

_BIG = 1e20
_ALMOST_SPREAD = 1e-6


@dataclass(frozen=True)
class Relaxed:
    """The relaxation's optimum: `lower_bound` (fraction of the account value, in the
    problem's objective), the original variables `x`, each wash group's buy share `w`,
    its loss sales and purchases (fractions of the account value)."""

    lower_bound: float
    x: np.ndarray
    w: np.ndarray
    loss_sales: np.ndarray
    purchases: np.ndarray


@dataclass(frozen=True)
class _Members:
    """The securities of the wash groups, sorted by group: index, group row, and the
    per-security sums of loss sales and gain sales as rows over the problem's variables."""

    security: np.ndarray
    row: np.ndarray
    counts: np.ndarray
    loss_sum: sp.csr_matrix
    gain_sum: sp.csr_matrix


def loss_lots(*, problem: Problem) -> np.ndarray:
    """Lots whose sale realizes a loss: the only sales a direction binds."""
    is_loss: np.ndarray = problem.prep.lot_gain_ratio < 0
    return is_loss


def wash_rows(*, problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Each security's and each lot's wash-group row (-1 outside the wash groups)."""
    prep, lay = problem.prep, problem.layout
    row_of = np.full(len(prep.group_names), -1)
    row_of[prep.wash_groups] = np.arange(lay.n_wash)
    security_row = row_of[prep.security_group]
    lot_row = security_row[prep.lot_security] if lay.m else np.zeros(0, dtype=int)
    return security_row, lot_row


def _members(*, problem: Problem, bounds: Bounds) -> _Members:
    lay, prep = problem.layout, problem.prep
    security_row, _ = wash_rows(problem=problem)
    security = np.flatnonzero(security_row >= 0)
    security = security[np.argsort(security_row[security], kind="stable")]
    row = security_row[security]
    local = np.full(lay.n, -1)
    local[security] = np.arange(len(security))
    lot_local = local[prep.lot_security] if lay.m else np.zeros(0, dtype=int)
    sellable = (bounds.x_u[lay.s] > 0) & (lot_local >= 0)
    loss = sellable & loss_lots(problem=problem)
    gain = sellable & ~loss_lots(problem=problem)

    def summing(mask: np.ndarray) -> sp.csr_matrix:
        lots = np.flatnonzero(mask)
        return sp.csr_matrix(
            (np.ones(len(lots)), (lot_local[lots], lots)), shape=(len(security), lay.size)
        )

    return _Members(
        security=security,
        row=row,
        counts=np.bincount(row, minlength=lay.n_wash),
        loss_sum=summing(loss),
        gain_sum=summing(gain),
    )


def perspective_relaxation(*, problem: Problem, bounds: Bounds) -> Relaxed | None:
    """Solve the relaxation with Clarabel; None when it returns no accurate answer (the
    caller then has no bound). An answer Clarabel calls almost solved counts when its
    primal and dual objectives agree within `_ALMOST_SPREAD`; the bound is then lowered
    by their difference. Variables: the problem's x, then w, T_buy, T_sell per wash
    group, then gamma per member security."""
    lay, prep = problem.layout, problem.prep
    mem = _members(problem=problem, bounds=bounds)
    n_w, k = lay.n_wash, len(mem.security)
    n_x = lay.size
    w0, tb0, ts0, g0 = n_x, n_x + n_w, n_x + 2 * n_w, n_x + 3 * n_w
    size = g0 + k
    delta = 0.5 * problem.P_true.diagonal()[lay.u][mem.security]
    a = (prep.holding - prep.target_adjusted)[mem.security]

    def widen(matrix: sp.spmatrix) -> sp.csr_matrix:
        return sp.hstack([matrix, sp.csr_matrix((matrix.shape[0], size - n_x))], format="csr")

    def pick(columns: np.ndarray, values: np.ndarray | float = 1.0) -> sp.csr_matrix:
        vals = np.broadcast_to(np.asarray(values, dtype=float), columns.shape)
        return sp.csr_matrix((vals, (np.arange(len(columns)), columns)), shape=(len(columns), size))

    member_w = w0 + mem.row
    gamma = g0 + np.arange(k)
    loss_sum, gain_sum = widen(mem.loss_sum), widen(mem.gain_sum)
    buys = pick(lay.m + mem.security)
    # p = w a + b - gamma ;  q = a - w a - L - G + gamma  (constant part a)
    p_lin = pick(member_w, a) + buys - pick(gamma)
    q_lin = -pick(member_w, a) - loss_sum - gain_sum + pick(gamma)
    cone_a, cone_b, dims = _cones(
        n_w=n_w,
        mem=mem,
        size=size,
        heads=((tb0, w0, 0.0), (ts0, w0, 1.0)),
        bodies=((p_lin, np.zeros(k)), (q_lin, a)),
        scale=2.0 * np.sqrt(delta),
    )
    ineq_a, ineq_b = _inequalities(
        problem=problem, bounds=bounds, mem=mem, size=size, member_w=member_w, gamma=gamma
    )
    eq_a = widen(problem.qp.A)
    A = sp.vstack([eq_a, ineq_a, cone_a], format="csc")
    rhs = np.concatenate([problem.qp.b, ineq_b, cone_b])
    P = problem.P_true.tolil()
    u_cols = lay.m + lay.n + mem.security
    P[u_cols, u_cols] = 0.0
    P_rel = sp.block_diag([P.tocsc(), sp.csc_matrix((size - n_x, size - n_x))], format="csc")
    q = np.concatenate([problem.qp.q, np.zeros(n_w), np.ones(2 * n_w), np.zeros(k)])
    cones = [
        clarabel.ZeroConeT(eq_a.shape[0]),
        clarabel.NonnegativeConeT(ineq_a.shape[0]),
        *[clarabel.SecondOrderConeT(int(d)) for d in dims],
    ]
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    try:
        solver = clarabel.DefaultSolver(sp.triu(P_rel, format="csc"), q, A, rhs, cones, settings)
        result = solver.solve()
    except (ValueError, RuntimeError, TypeError):
        return None
    primal, dual = float(result.obj_val), float(result.obj_val_dual)
    spread = abs(primal - dual)
    if str(result.status) not in ("Solved", "AlmostSolved") or not spread <= _ALMOST_SPREAD:
        return None
    z = np.array(result.x)
    x = z[:n_x]
    return Relaxed(
        lower_bound=min(primal, dual) - spread,
        x=x,
        w=np.clip(z[w0:tb0], 0.0, 1.0),
        loss_sales=np.bincount(mem.row, weights=mem.loss_sum @ x, minlength=n_w),
        purchases=np.bincount(mem.row, weights=x[lay.m + mem.security], minlength=n_w),
    )


def _cones(
    *,
    n_w: int,
    mem: _Members,
    size: int,
    heads: tuple[tuple[int, int, float], ...],
    bodies: tuple[tuple[sp.csr_matrix, np.ndarray], ...],
    scale: np.ndarray,
) -> tuple[sp.csr_matrix, np.ndarray, list[int]]:
    """Rows s = rhs - A z of one second-order cone per group and side:
    (T + r, T - r, 2 sqrt(delta) body), r = w for the buy side and 1 - w for the sell side,
    so that (T + r)^2 >= (T - r)^2 + 4 delta |body|^2, i.e. T r >= delta |body|^2."""
    dims = mem.counts + 2
    starts = np.concatenate([[0], np.cumsum(dims)[:-1]])
    n_rows = int(dims.sum())
    blocks, rhs_parts = [], []
    groups = np.arange(n_w)
    for (t0, w0, flip), (body, constant) in zip(heads, bodies, strict=True):
        sign = -1.0 if flip else 1.0
        # T + r = T + sign w + flip ;  T - r = T - sign w - flip
        head_rows = np.concatenate([starts, starts + 1])
        head = sp.csr_matrix(
            (
                np.concatenate(
                    [np.ones(n_w), np.full(n_w, sign), np.ones(n_w), np.full(n_w, -sign)]
                ),
                (
                    np.concatenate([starts, starts, starts + 1, starts + 1]),
                    np.concatenate([t0 + groups, w0 + groups, t0 + groups, w0 + groups]),
                ),
            ),
            shape=(n_rows, size),
        )
        member_rows = starts[mem.row] + 2 + _rank_within(mem.row)
        place = sp.csr_matrix(
            (np.ones(len(member_rows)), (member_rows, np.arange(len(member_rows)))),
            shape=(n_rows, len(member_rows)),
        )
        body_rows = place @ sp.diags(scale) @ body
        head_const = np.zeros(n_rows)
        head_const[head_rows] = np.concatenate([np.full(n_w, flip), np.full(n_w, -flip)])
        constant_rows = place @ (scale * constant)
        blocks.append(-(head + body_rows))
        rhs_parts.append(head_const + constant_rows)
    return (
        sp.vstack(blocks, format="csr"),
        np.concatenate(rhs_parts),
        [*dims.tolist(), *dims.tolist()],
    )


def _rank_within(row: np.ndarray) -> np.ndarray:
    """Position of each entry among the entries of its (sorted) row."""
    first = np.searchsorted(row, row, side="left")
    rank: np.ndarray = np.arange(len(row)) - first
    return rank


def _inequalities(
    *,
    problem: Problem,
    bounds: Bounds,
    mem: _Members,
    size: int,
    member_w: np.ndarray,
    gamma: np.ndarray,
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Rows A z <= rhs: the problem's bounds and inequality rows, 0 <= w <= 1,
    0 <= gamma <= G, and the hull rows b <= w bmax, L <= (1 - w) lmax, gamma <= w gmax,
    G - gamma <= (1 - w) gmax."""
    lay, qp = problem.layout, problem.qp
    n_x, n_w, k = lay.size, lay.n_wash, len(mem.security)
    eye = sp.identity(size, format="csr")[:n_x]
    G = sp.hstack([qp.G, sp.csr_matrix((qp.G.shape[0], size - n_x))], format="csr")
    rows, rhs = [], []
    for matrix, lower, upper in ((G, bounds.h_l, bounds.h_u), (eye, bounds.x_l, bounds.x_u)):
        up = np.isfinite(upper) & (upper < _BIG)
        lo = np.isfinite(lower) & (lower > -_BIG)
        rows += [matrix[up], -matrix[lo]]
        rhs += [upper[up], -lower[lo]]
    w_cols = n_x + np.arange(n_w)
    w_rows = sp.csr_matrix((np.ones(n_w), (np.arange(n_w), w_cols)), shape=(n_w, size))
    rows += [w_rows, -w_rows]
    rhs += [np.ones(n_w), np.zeros(n_w)]
    loss_sum = sp.hstack([mem.loss_sum[:, :n_x], sp.csr_matrix((k, size - n_x))], format="csr")
    gain_sum = sp.hstack([mem.gain_sum[:, :n_x], sp.csr_matrix((k, size - n_x))], format="csr")
    ones = np.ones(k)
    pick_gamma = sp.csr_matrix((ones, (np.arange(k), gamma)), shape=(k, size))
    pick_w = sp.csr_matrix((ones, (np.arange(k), member_w)), shape=(k, size))
    pick_b = sp.csr_matrix((ones, (np.arange(k), lay.m + mem.security)), shape=(k, size))
    bmax = bounds.x_u[lay.b][mem.security]
    lmax = mem.loss_sum[:, :n_x] @ np.where(np.isfinite(bounds.x_u), bounds.x_u, 0.0)
    gmax = mem.gain_sum[:, :n_x] @ np.where(np.isfinite(bounds.x_u), bounds.x_u, 0.0)
    rows += [
        -pick_gamma,
        pick_gamma - gain_sum,
        pick_b - sp.diags(bmax) @ pick_w,
        loss_sum + sp.diags(lmax) @ pick_w,
        pick_gamma - sp.diags(gmax) @ pick_w,
        gain_sum - pick_gamma + sp.diags(gmax) @ pick_w,
    ]
    rhs += [np.zeros(k), np.zeros(k), np.zeros(k), lmax, np.zeros(k), gmax]
    return sp.vstack(rows, format="csr"), np.concatenate(rhs)
