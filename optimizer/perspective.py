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
from typing import Any

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
    ceiling: float | None = None
    """The tracking error the relaxation was held to (None: not held)."""
    limit_price: float = 0.0
    """The held relaxation's multiplier on TE^2 <= ceiling^2 (fraction of V per unit of
    annual variance), read off its dual: the bound over answers of tracking error at most
    c is  lower_bound - limit_price (c^2 - ceiling^2)  (`bound_at`)."""

    def bound_at(self, *, ceiling: float) -> float:
        """The bound over every answer of tracking error at most `ceiling` (weak duality:
        the dual answer stays feasible as the right side moves, and its value moves by
        the multiplier times the move); the unheld bound holds at any tracking error."""
        if self.ceiling is None:
            return self.lower_bound
        return self.lower_bound - self.limit_price * (ceiling**2 - self.ceiling**2)


@dataclass(frozen=True)
class _Members:
    """The securities of the wash groups, sorted by group (index, group row, members per
    group), and their sellable lots split by loss and gain: (member, lot) pairs."""

    security: np.ndarray
    row: np.ndarray
    side: np.ndarray
    """Each group's buy share where its bounds leave it one side (1 buy, 0 sell), else
    nan: only the open groups' securities are members."""
    counts: np.ndarray
    loss_member: np.ndarray
    loss_lot: np.ndarray
    gain_member: np.ndarray
    gain_lot: np.ndarray


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
    """The members of the groups whose choice `bounds` leave open: a group that cannot
    buy, or cannot sell at a loss, has one side only, whose relaxation is the side itself,
    so its securities stay in the problem's own terms (`_Members.side`)."""
    lay, prep = problem.layout, problem.prep
    security_row, lot_row = wash_rows(problem=problem)
    grouped = np.flatnonzero(security_row >= 0)
    buyable = grouped[bounds.x_u[lay.b][grouped] > 0]
    can_buy = np.bincount(security_row[buyable], minlength=lay.n_wash) > 0
    harvests = (lot_row >= 0) & loss_lots(problem=problem) & (bounds.x_u[lay.s] > 0)
    can_harvest = np.bincount(lot_row[harvests], minlength=lay.n_wash) > 0
    side = np.where(can_buy & can_harvest, np.nan, np.where(can_buy, 1.0, 0.0))
    security = grouped[np.isnan(side[security_row[grouped]])]
    security = security[np.argsort(security_row[security], kind="stable")]
    row = security_row[security]
    local = np.full(lay.n, -1)
    local[security] = np.arange(len(security))
    lot_local = local[prep.lot_security] if lay.m else np.zeros(0, dtype=int)
    sellable = (bounds.x_u[lay.s] > 0) & (lot_local >= 0)
    loss = np.flatnonzero(sellable & loss_lots(problem=problem))
    gain = np.flatnonzero(sellable & ~loss_lots(problem=problem))
    return _Members(
        security=security,
        row=row,
        side=side,
        counts=np.bincount(row, minlength=lay.n_wash),
        loss_member=lot_local[loss],
        loss_lot=loss,
        gain_member=lot_local[gain],
        gain_lot=gain,
    )


class _Rows:
    """Constraint rows gathered as (row, column, value) triplets with their right sides."""

    def __init__(self) -> None:
        self.count = 0
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.rhs: list[np.ndarray] = []

    def block(self, n: int, rhs: np.ndarray | float = 0.0) -> int:
        """Open `n` new rows with right side `rhs`; returns the first row's index."""
        first = self.count
        self.count += n
        self.rhs.append(np.broadcast_to(np.asarray(rhs, dtype=float), (n,)).copy())
        return first

    def add(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray | float) -> None:
        rows = np.asarray(rows)
        self.rows.append(rows)
        self.cols.append(np.asarray(cols))
        self.vals.append(np.broadcast_to(np.asarray(vals, dtype=float), rows.shape))


def _stacked(parts: tuple[_Rows, ...], size: int) -> tuple[sp.csc_matrix, np.ndarray]:
    """The parts' rows one under the other, as one matrix (built once) and right side."""
    rows, cols, vals, rhs = [], [], [], []
    offset = 0
    for part in parts:
        rows += [block + offset for block in part.rows]
        cols += part.cols
        vals += part.vals
        rhs += part.rhs
        offset += part.count
    A = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(offset, size),
    )
    return A, np.concatenate(rhs)


def _objective_matrix(*, problem: Problem, own: np.ndarray, size: int) -> sp.csc_matrix:
    """The problem's P less each member security's own specific-risk term (`own`),
    upper triangle, widened to `size`; built directly where P is diagonal."""
    diagonal = problem.qp.p_diagonal
    if diagonal is None:
        P = sp.triu(problem.qp.P - sp.diags(own), format="csc")
        P.resize((size, size))
        widened: sp.csc_matrix = P
        return widened
    kept = diagonal - own
    at = np.flatnonzero(kept)
    return sp.csc_matrix((kept[at], (at, at)), shape=(size, size))


def perspective_relaxation(
    *, problem: Problem, bounds: Bounds, ceiling: float | None = None
) -> Relaxed | None:
    """Solve the relaxation with Clarabel; None when it returns no accurate answer (the
    caller then has no bound). An answer Clarabel calls almost solved counts when its
    primal and dual objectives agree within `_ALMOST_SPREAD`; the bound is then lowered
    by their difference. With the case's own risk model, Clarabel runs first without
    iterative refinement of its KKT solves: on the nightly benchmark's direct-index
    accounts the same iterations in 35 % less time, bounds within 0.001 bp of the refined
    ones. Where that gives no accurate answer it runs again with refinement, as it always
    does with the built-in fallback model (`risk.fallback_model`), whose relaxations
    without it stop short ("insufficient progress") in most random mid-size accounts.
    Variables: the problem's x, then w, T_buy, T_sell per wash group, gamma per member
    security, and where it is held, T'_buy, T'_sell per group.

    With a `ceiling`, the relaxation is held to tracking error at most `ceiling`
    (`_held_rows`): a bound over every choice of directions and every answer within the
    limit, with no price of the limit to guess."""
    lay, prep = problem.layout, problem.prep
    mem = _members(problem=problem, bounds=bounds)
    n_w, k, n_x = lay.n_wash, len(mem.security), lay.size
    cols = _Columns(n_x=n_x, n_w=n_w, mem=mem, lay_m=lay.m, held=ceiling is not None)
    eq = _Rows()
    A_eq = problem.qp.A.tocoo()
    eq.add(eq.block(A_eq.shape[0], problem.qp.b) + A_eq.row, A_eq.col, A_eq.data)
    ineq = _Rows()
    _bounds_rows(ineq, problem=problem, bounds=bounds)
    _hull_rows(ineq, cols=cols, mem=mem, bounds=bounds, lay_b=lay.m)
    cone = _Rows()
    delta = 0.5 * problem.qp.P.diagonal()[lay.u][mem.security]
    a = (prep.holding - prep.target_adjusted)[mem.security]
    scale = 2.0 * np.sqrt(delta)
    dims = _cone_rows(cone, cols=cols, mem=mem, scale=scale, a=a, t=(cols.t(0), cols.t(1)))
    held = _Rows()
    if ceiling is not None:
        dims += _held_rows(held, problem=problem, cols=cols, mem=mem, ceiling=ceiling)
    size = cols.size
    A, rhs = _stacked((eq, ineq, cone, held), size)
    u_cols = lay.m + lay.n + mem.security
    own = np.zeros(n_x)
    own[u_cols] = problem.qp.P.diagonal()[u_cols]
    P = _objective_matrix(problem=problem, own=own, size=size)
    own_columns = np.zeros(size - n_x - 3 * n_w)  # gamma, and T' where held
    q = np.concatenate([problem.qp.q, np.zeros(n_w), np.ones(2 * n_w), own_columns])
    cones = [
        clarabel.ZeroConeT(eq.count),
        clarabel.NonnegativeConeT(ineq.count),
        *[clarabel.SecondOrderConeT(int(d)) for d in dims],
    ]
    result = None
    if prep.case.risk_model is not None:
        result = _solved(P, q, A, rhs, cones, refine=False)
    result = result or _solved(P, q, A, rhs, cones, refine=True)
    if result is None:
        return None
    primal, dual = float(result.obj_val), float(result.obj_val_dual)
    spread = abs(primal - dual)
    z = np.array(result.x)
    x = z[:n_x]
    limit_price = 0.0
    if ceiling is not None:
        head = A.shape[0] - dims[-1]  # the held cone's rows come last
        limit_price = max(0.0, float(np.sum(result.z[head : head + 2])))
    loss_by_member = np.bincount(mem.loss_member, weights=x[mem.loss_lot], minlength=k)
    return Relaxed(
        lower_bound=min(primal, dual) - spread,
        x=x,
        w=np.where(np.isnan(mem.side), np.clip(z[cols.w0 : cols.w0 + n_w], 0.0, 1.0), mem.side),
        loss_sales=np.bincount(mem.row, weights=loss_by_member, minlength=n_w),
        purchases=np.bincount(mem.row, weights=x[lay.m + mem.security], minlength=n_w),
        ceiling=ceiling,
        limit_price=limit_price,
    )


def _solved(
    P: sp.csc_matrix,
    q: np.ndarray,
    A: sp.csc_matrix,
    rhs: np.ndarray,
    cones: list[Any],
    *,
    refine: bool,
) -> Any | None:
    """Clarabel's answer where it is accurate: solved, or almost solved with its primal and
    dual objectives within `_ALMOST_SPREAD`; else None. Without `refine`, Clarabel's
    iterative refinement of each KKT solve is off (see `perspective_relaxation`)."""
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.iterative_refinement_enable = refine
    try:
        result = clarabel.DefaultSolver(P, q, A, rhs, cones, settings).solve()
    except (ValueError, RuntimeError, TypeError):
        return None
    spread = abs(float(result.obj_val) - float(result.obj_val_dual))
    if str(result.status) not in ("Solved", "AlmostSolved") or not spread <= _ALMOST_SPREAD:
        return None
    return result


@dataclass(frozen=True)
class _Columns:
    """Where the relaxation's own variables sit after the problem's n_x."""

    n_x: int
    n_w: int
    mem: _Members
    lay_m: int
    held: bool = False

    @property
    def w0(self) -> int:
        return self.n_x

    @property
    def t0(self) -> int:
        """Where the held relaxation's T'_buy, T'_sell sit (the end, where not held)."""
        return self.n_x + 3 * self.n_w + len(self.mem.security)

    @property
    def size(self) -> int:
        return self.t0 + (2 * self.n_w if self.held else 0)

    def w(self, member: np.ndarray) -> np.ndarray:
        """Each member's group's buy share."""
        w: np.ndarray = self.n_x + self.mem.row[member]
        return w

    def t(self, side: int) -> np.ndarray:
        """T_buy (side 0) or T_sell (side 1) of every group."""
        t: np.ndarray = self.n_x + (1 + side) * self.n_w + np.arange(self.n_w)
        return t

    def t_held(self, side: int) -> np.ndarray:
        """T'_buy (side 0) or T'_sell (side 1): each group's tracking-variance part."""
        t: np.ndarray = self.t0 + side * self.n_w + np.arange(self.n_w)
        return t

    def gamma(self, member: np.ndarray) -> np.ndarray:
        gamma: np.ndarray = self.n_x + 3 * self.n_w + member
        return gamma

    def buy(self, member: np.ndarray) -> np.ndarray:
        buy: np.ndarray = self.lay_m + self.mem.security[member]
        return buy


def _bounds_rows(rows: _Rows, *, problem: Problem, bounds: Bounds) -> None:
    """The problem's finite bounds and inequality rows as  A z <= rhs."""
    G = problem.qp.G.tocsr() if problem.qp.G.shape[0] else None
    sides = ((bounds.h_l, bounds.h_u, G),) if G is not None else ()
    for lower, upper, matrix in (*sides, (bounds.x_l, bounds.x_u, None)):
        for sign, side in ((1.0, upper), (-1.0, lower)):
            finite = np.flatnonzero(np.isfinite(side) & (np.abs(side) < _BIG))
            first = rows.block(len(finite), sign * side[finite])
            if matrix is None:
                rows.add(first + np.arange(len(finite)), finite, sign)
            else:
                picked = matrix[finite].tocoo()
                rows.add(first + picked.row, picked.col, sign * picked.data)


def _hull_rows(rows: _Rows, *, cols: _Columns, mem: _Members, bounds: Bounds, lay_b: int) -> None:
    """0 <= w <= 1, 0 <= gamma <= G, and the hull rows  b <= w bmax,  L <= (1 - w) lmax,
    gamma <= w gmax,  G - gamma <= (1 - w) gmax  (per member security)."""
    n_w, k = cols.n_w, len(mem.security)
    groups, members = np.arange(n_w), np.arange(k)
    x_u = np.where(np.isfinite(bounds.x_u), bounds.x_u, 0.0)
    bmax = x_u[lay_b + mem.security]
    lmax = np.bincount(mem.loss_member, weights=x_u[mem.loss_lot], minlength=k)
    gmax = np.bincount(mem.gain_member, weights=x_u[mem.gain_lot], minlength=k)
    rows.add(rows.block(n_w, 1.0) + groups, cols.w0 + groups, 1.0)
    rows.add(rows.block(n_w, 0.0) + groups, cols.w0 + groups, -1.0)
    rows.add(rows.block(k, 0.0) + members, cols.gamma(members), -1.0)
    first = rows.block(k, 0.0)  # gamma - G <= 0
    rows.add(first + members, cols.gamma(members), 1.0)
    rows.add(first + mem.gain_member, mem.gain_lot, -1.0)
    first = rows.block(k, 0.0)  # b - bmax w <= 0
    rows.add(first + members, cols.buy(members), 1.0)
    rows.add(first + members, cols.w(members), -bmax)
    first = rows.block(k, lmax)  # L + lmax w <= lmax
    rows.add(first + mem.loss_member, mem.loss_lot, 1.0)
    rows.add(first + members, cols.w(members), lmax)
    first = rows.block(k, 0.0)  # gamma - gmax w <= 0
    rows.add(first + members, cols.gamma(members), 1.0)
    rows.add(first + members, cols.w(members), -gmax)
    first = rows.block(k, gmax)  # G - gamma + gmax w <= gmax
    rows.add(first + mem.gain_member, mem.gain_lot, 1.0)
    rows.add(first + members, cols.gamma(members), -1.0)
    rows.add(first + members, cols.w(members), gmax)


def _cone_rows(
    rows: _Rows,
    *,
    cols: _Columns,
    mem: _Members,
    scale: np.ndarray,
    a: np.ndarray,
    t: tuple[np.ndarray, np.ndarray],
) -> list[int]:
    """Rows s = rhs - A z of one second-order cone per group and side (epigraphs `t`),
    (T + r, T - r, 2 sqrt(delta) body), r = w for the buy side and 1 - w for the sell side,
    so that (T + r)^2 >= (T - r)^2 + 4 delta |body|^2, i.e. T r >= delta |body|^2. Bodies:
    buy  p = w a + b - gamma;  sell  q = a - w a - L - G + gamma. Returns the cones' sizes."""
    n_w, k = cols.n_w, len(mem.security)
    dims = mem.counts + 2
    starts = np.concatenate([[0], np.cumsum(dims)[:-1]]).astype(int)
    members = np.arange(k)
    body_row = starts[mem.row] + 2 + _rank_within(mem.row)
    w_groups = cols.w0 + np.arange(n_w)
    for side in (0, 1):
        flip = float(side)
        sign = 1.0 - 2.0 * flip
        head = np.zeros(int(dims.sum()))
        head[starts], head[starts + 1] = flip, -flip
        head[body_row] = scale * a * flip
        first = rows.block(len(head), head)
        # s = T + r, T - r : A = -(T + sign w), -(T - sign w)
        rows.add(first + starts, t[side], -1.0)
        rows.add(first + starts, w_groups, -sign)
        rows.add(first + starts + 1, t[side], -1.0)
        rows.add(first + starts + 1, w_groups, sign)
        body = first + body_row
        rows.add(body, cols.w(members), -scale * a * sign)
        rows.add(body, cols.gamma(members), scale * sign)
        if side == 0:
            rows.add(body, cols.buy(members), -scale)
        else:
            rows.add(first + body_row[mem.loss_member], mem.loss_lot, scale[mem.loss_member])
            rows.add(first + body_row[mem.gain_member], mem.gain_lot, scale[mem.gain_member])
    return [*dims.tolist(), *dims.tolist()]


def _rank_within(row: np.ndarray) -> np.ndarray:
    """Position of each entry among the entries of its (sorted) row."""
    first = np.searchsorted(row, row, side="left")
    rank: np.ndarray = np.arange(len(row)) - first
    return rank


def _held_rows(
    rows: _Rows, *, problem: Problem, cols: _Columns, mem: _Members, ceiling: float
) -> list[int]:
    """TE^2 <= ceiling^2 in the relaxation, its wash groups' part by the same perspective
    as the objective's. Writing  TE^2 = sum_k d_k (x_k + e_k)^2 + rest  (`Problem.limit`:
    diagonal on active weights and factor exposures, e_k = l_k / 2 d_k), each group's
    members' part is bounded by T'_buy + T'_sell, perspective cones as `_cone_rows` with
    a + e for a; the rest of the variables' part, |g|^2, takes one rotated cone
    4 R sigma >= |2 sqrt(sigma) g|^2, R = ceiling^2 - rest - sum T', written as
    |(R - sigma, 2 sqrt(sigma) g)| <= R + sigma; sigma = ceiling^2 keeps its rows of
    one scale. Its first two rows' duals sum to the multiplier of ceiling^2 (both right
    sides move with it). Returns the cones' sizes."""
    limit, lay = problem.limit, problem.layout
    d, lin = limit.diag[: cols.n_x], limit.linear[: cols.n_x]
    weighed = d > 0
    e = np.zeros(cols.n_x)
    e[weighed] = lin[weighed] / (2.0 * d[weighed])
    rest = limit.constant - float(np.sum(d * e * e))
    u_cols = lay.m + lay.n + mem.security
    a = (problem.prep.holding - problem.prep.target_adjusted)[mem.security] + e[u_cols]
    t = (cols.t_held(0), cols.t_held(1))
    dims = _cone_rows(rows, cols=cols, mem=mem, scale=2.0 * np.sqrt(d[u_cols]), a=a, t=t)
    weighed[u_cols] = False
    at = np.flatnonzero(weighed)
    sigma = max(ceiling * ceiling, 1e-12)
    room = ceiling * ceiling - rest
    first = rows.block(2, np.array([room + sigma, room - sigma]))
    spent = np.concatenate(t)
    rows.add(np.full(len(spent), first), spent, 1.0)
    rows.add(np.full(len(spent), first + 1), spent, 1.0)
    root = 2.0 * np.sqrt(sigma * d[at])
    body = rows.block(len(at), root * e[at])
    rows.add(body + np.arange(len(at)), at, -root)
    return [*dims, 2 + len(at)]
