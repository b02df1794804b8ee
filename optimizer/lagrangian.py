"""A lower bound on the wash-sale problem by Lagrangian decomposition: cheap where the
perspective relaxation is too large to solve (`relaxation.PERSPECTIVE_UP_TO`).

The problem's rows are of two kinds (`problem._equalities`): one per security,
u_i - b_i + sum_{j in i} s_j = a_i, which ties a security's active weight to its own
trades, and the rows that define a single variable each from many securities (class,
factor and sector exposures, cash, net gains). Pricing the second kind with multipliers
lam and dropping the inequality rows (tax rooms) leaves, for any lam,

    L(lam) = sum_g min(buy_g, sell_g) + sum_i V_i + sum_v min_v (1/2 P_v v^2 + (q_v + lam_v) v)
             - lam'rhs

where each security's block (its u, b and lots, with the priced linear terms) is
minimized exactly on its own, and an identical group that needs a direction takes the
smaller of its side with no loss sale (buy) and its side with no purchase (sell): the
disjunction is solved exactly per group, not relaxed. By weak duality L(lam) is at most
the mixed problem's optimum for every lam, whatever the directions chosen. A block's
value is its one-dimensional dual (concave in its row's multiplier mu) at a mu found by
safeguarded Newton steps, itself a lower bound on the block's minimum wherever the steps
stop. The prices are raised by a few steps of projected gradient ascent, scaled per row
(`ascended`); each evaluation costs about a millisecond on a 500-stock account.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from optimizer.perspective import loss_lots, wash_rows
from optimizer.problem import Problem
from optimizer.solvers import Bounds

_NEWTON_STEPS = 24
_WARM_STEPS = 16
_FLAT = 1e-12
_SETTLED = 1e-13


@dataclass(frozen=True)
class Priced:
    """L(lam) (`lower_bound`, fraction of V, in the problem's `solved_objective`), its
    gradient in lam (the priced rows' residuals at the minimizer), and each wash group's
    buy and sell side values at those prices."""

    lower_bound: float
    gradient: np.ndarray
    buy: np.ndarray
    sell: np.ndarray
    block_multipliers: np.ndarray
    """Each block's mu (buy sides, then sell sides): where the next evaluation starts."""


def ascended(*, problem: Problem, bounds: Bounds, x: np.ndarray, evaluations: int) -> Priced:
    """The best L(lam) found in `evaluations` evaluations of a projected gradient ascent
    (Barzilai-Borwein steps, kept where L is finite) from the multipliers read off `x`.
    Every evaluation is a lower bound; the highest is kept, so stopping early costs
    tightness, never validity."""
    if not decomposable(problem=problem):
        n_wash = problem.layout.n_wash
        return Priced(-np.inf, np.zeros(0), np.zeros(n_wash), np.zeros(n_wash), np.zeros(0))
    low, high = multiplier_range(problem=problem, bounds=bounds)
    lam0 = np.clip(multipliers_from(problem=problem, x=x), low, high)
    fixed, scale = _shared(problem=problem, bounds=bounds)
    best = dual_value(problem=problem, bounds=bounds, lam=lam0, fixed=fixed)
    if evaluations <= 1:
        return best
    lam, found, step = lam0, best, 1.0
    for _ in range(evaluations - 1):
        moved = np.clip(lam + step * found.gradient / scale, low, high)
        again = dual_value(
            problem=problem,
            bounds=bounds,
            lam=moved,
            start=found.block_multipliers,
            fixed=fixed,
        )
        if again.lower_bound > best.lower_bound:
            best = again
        # Barzilai-Borwein in the scaled metric: |d|^2_scale / d'(g_before - g_after)
        moved_by = moved - lam
        curved = float(moved_by @ (found.gradient - again.gradient))
        stretch = float(moved_by @ (scale * moved_by))
        step = stretch / curved if curved > 0 else 2.0 * step
        if again.lower_bound < found.lower_bound:
            step = 0.5 * step
        lam, found = moved, again
    return best


_last: list[tuple[Problem, Bounds, _Fixed, np.ndarray]] = []
"""The last ascent's problem and bounds with what it made of them: the directions' ascent
and the bound's ascent of one solve share them."""


def _shared(*, problem: Problem, bounds: Bounds) -> tuple[_Fixed, np.ndarray]:
    """`_fixed` and `_row_curvature` of this problem and bounds, made once for the
    ascents on the same two objects."""
    for known, known_bounds, fixed, scale in _last:
        if known is problem and known_bounds is bounds:
            return fixed, scale
    fixed, scale = _fixed(problem=problem, bounds=bounds), _row_curvature(problem=problem)
    _last[:] = [(problem, bounds, fixed, scale)]
    return fixed, scale


def _row_curvature(*, problem: Problem) -> np.ndarray:
    """Each priced row's curvature of L as if every variable in it were free:
    sum over its entries A_rj^2 / P_j (the defined variable's included); the ascent's
    scale, so that one step size suits rows as different as a factor and the cash."""
    qp, lay = problem.qp, problem.layout
    diag = qp.P.diagonal()
    inverse = np.where(diag > _FLAT, 1.0 / np.maximum(diag, _FLAT), 0.0)
    coupling = qp.A[lay.n :, :].tocsr()
    curvature = np.asarray(coupling.multiply(coupling) @ inverse).ravel()
    scale: np.ndarray = np.maximum(curvature, _FLAT)
    return scale


def decomposable(*, problem: Problem) -> bool:
    """Whether the objective separates as this bound needs: a diagonal P, with positive
    curvature (the market-impact term) on every trade."""
    P = problem.qp.P
    lay = problem.layout
    diag = P.diagonal()
    # a P with no entry off its diagonal (every account's) needs no subtraction to tell
    off_diagonal = problem.qp.p_diagonal is None and abs(P - sp.diags(diag)).sum() > 0
    trades = diag[: lay.m + lay.n]
    # the drift rows' variables (`drift_cap.py`) are defined by inequalities, not by a row
    return not off_diagonal and lay.n_drift == 0 and bool(np.all(trades > _FLAT))


def multipliers_from(*, problem: Problem, x: np.ndarray) -> np.ndarray:
    """The priced rows' multipliers read off an answer's stationarity in the variables
    they define: lam_v = -(P_v v + q_v)."""
    lay, qp = problem.layout, problem.qp
    defined = np.arange(lay.m + 2 * lay.n, lay.size)
    lam: np.ndarray = -(qp.P.diagonal()[defined] * x[defined] + qp.q[defined])
    return lam


def multiplier_range(*, problem: Problem, bounds: Bounds) -> tuple[np.ndarray, np.ndarray]:
    """Where L(lam) is finite: a defined variable with no curvature and no bound on one
    side needs its coefficient q_v + lam_v of the sign that keeps v off that side."""
    lay, qp = problem.layout, problem.qp
    defined = np.arange(lay.m + 2 * lay.n, lay.size)
    flat = qp.P.diagonal()[defined] <= _FLAT
    q = qp.q[defined]
    low = np.where(flat & ~np.isfinite(bounds.x_u[defined]), -q, -np.inf)
    high = np.where(flat & ~np.isfinite(bounds.x_l[defined]), -q, np.inf)
    return low, high


@dataclass(frozen=True)
class _Fixed:
    """What every evaluation of L on one problem and bounds shares: the priced rows, the
    curvatures, the wash groups and the blocks' bounds (made once per ascent)."""

    diag: np.ndarray
    defined: np.ndarray
    coupling: sp.csc_matrix
    security_row: np.ndarray
    in_group: np.ndarray
    a: np.ndarray
    p_u: np.ndarray
    p_b: np.ndarray
    b_ub: np.ndarray
    lot_block: np.ndarray
    p_s: np.ndarray
    s_ub: np.ndarray


def _fixed(*, problem: Problem, bounds: Bounds) -> _Fixed:
    lay, qp = problem.layout, problem.qp
    n = lay.n
    diag = qp.P.diagonal()
    security_row, lot_row = wash_rows(problem=problem)
    s_ub = np.maximum(bounds.x_u[lay.s], 0.0)
    b_ub = np.maximum(bounds.x_u[lay.b], 0.0)
    blocked_loss = (lot_row >= 0) & loss_lots(problem=problem)
    in_group = security_row >= 0
    two = np.concatenate
    security = problem.prep.lot_security
    return _Fixed(
        diag=diag,
        defined=np.arange(lay.m + 2 * n, lay.size),
        coupling=qp.A[n:, :],
        security_row=security_row,
        in_group=in_group,
        a=two([qp.b[:n], qp.b[:n]]),
        p_u=two([diag[lay.u], diag[lay.u]]),
        p_b=two([diag[lay.b], diag[lay.b]]),
        b_ub=two([b_ub, np.where(in_group, 0.0, b_ub)]),
        lot_block=two([security, security + n]),
        p_s=two([diag[lay.s], diag[lay.s]]),
        s_ub=two([np.where(blocked_loss, 0.0, s_ub), s_ub]),
    )


def dual_value(
    *,
    problem: Problem,
    bounds: Bounds,
    lam: np.ndarray,
    start: np.ndarray | None = None,
    fixed: _Fixed | None = None,
) -> Priced:
    """L(lam) with its gradient and the groups' sides (see the module's docstring); the
    blocks' Newton steps start from `start` (an evaluation at nearby prices) when given;
    `fixed` is `_fixed` of this problem and bounds where the caller has it."""
    lay, qp = problem.layout, problem.qp
    n = lay.n
    if fixed is None:
        fixed = _fixed(problem=problem, bounds=bounds)
    diag, defined, coupling = fixed.diag, fixed.defined, fixed.coupling
    c = qp.q + coupling.T @ lam
    v, v_value = _defined(
        curvature=diag[defined], slope=c[defined], low=bounds.x_l[defined], high=bounds.x_u[defined]
    )
    security_row, in_group = fixed.security_row, fixed.in_group
    security = problem.prep.lot_security
    value, u, b, s, mu = block_minima(priced_blocks(problem=problem, fixed=fixed, c=c), start=start)
    buy_value, sell_value = value[:n], value[n:]
    buy = np.bincount(security_row[in_group], weights=buy_value[in_group], minlength=lay.n_wash)
    sell = np.bincount(security_row[in_group], weights=sell_value[in_group], minlength=lay.n_wash)
    selling = np.zeros(n, dtype=bool)
    selling[in_group] = (sell < buy)[security_row[in_group]]
    x = np.zeros(lay.size)
    x[lay.b] = np.where(selling, b[n:], b[:n])
    m = lay.m
    x[lay.s] = np.where(selling[security], s[m:], s[:m])
    x[lay.u] = np.where(selling, u[n:], u[:n])
    x[defined] = v
    total = float(v_value.sum() - lam @ qp.b[n:])
    total += float(buy_value[~in_group].sum() + np.minimum(buy, sell).sum())
    gradient: np.ndarray = coupling @ x - qp.b[n:]
    return Priced(total, gradient, buy, sell, mu)


def _defined(
    *, curvature: np.ndarray, slope: np.ndarray, low: np.ndarray, high: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """argmin and min over [low, high] of 1/2 curvature v^2 + slope v (each defined
    variable on its own; the multiplier range keeps them finite)."""
    curved = curvature > _FLAT
    free = np.where(curved, -slope / np.where(curved, curvature, 1.0), 0.0)
    flat_pick = np.where(slope > 0, low, np.where(slope < 0, high, np.clip(0.0, low, high)))
    v = np.where(curved, np.clip(free, low, high), flat_pick)
    v = np.where(np.isfinite(v), v, 0.0)
    value = 0.5 * curvature * v * v + slope * v
    return v, value


def priced_blocks(*, problem: Problem, fixed: _Fixed, c: np.ndarray) -> _Blocks:
    """The blocks at priced slopes `c` (q + coupling' lam): each security's buy side, then
    its sell side."""
    lay = problem.layout
    two = np.concatenate
    return _Blocks(
        a=fixed.a,
        p_u=fixed.p_u,
        c_u=two([c[lay.u], c[lay.u]]),
        p_b=fixed.p_b,
        c_b=two([c[lay.b], c[lay.b]]),
        b_ub=fixed.b_ub,
        lot_block=fixed.lot_block,
        p_s=fixed.p_s,
        c_s=two([c[lay.s], c[lay.s]]),
        s_ub=fixed.s_ub,
    )


@dataclass(frozen=True)
class _Blocks:
    """Blocks' data: per block its row's right side `a`, curvatures `p_*` and priced
    slopes `c_*` of u and b, the purchase's upper bound; per lot its block, curvature,
    slope and upper bound."""

    a: np.ndarray
    p_u: np.ndarray
    c_u: np.ndarray
    p_b: np.ndarray
    c_b: np.ndarray
    b_ub: np.ndarray
    lot_block: np.ndarray
    p_s: np.ndarray
    c_s: np.ndarray
    s_ub: np.ndarray


def block_minima(
    blocks: _Blocks, *, start: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each block's value and minimizer (u, b, s): the dual function of
    min 1/2 P_u u^2 + c_u u + 1/2 P_b b^2 + c_b b + sum_j (1/2 P_j s_j^2 + c_j s_j)
    s.t. u - b + sum_j s_j = a, 0 <= b <= b_ub, 0 <= s_j <= s_ub_j,
    at a multiplier mu where its slope (piecewise linear and falling in mu) is near zero:
    safeguarded Newton steps from the no-trade point, kept inside a bracket where u alone
    overshoots either way (`_newton`). The trades' curvature (market impact) must be
    positive."""
    lots = blocks.lot_block
    n = len(blocks.a)
    a, p_u, c_u = blocks.a, blocks.p_u, blocks.c_u
    inv_b, c_b, b_ub = 1.0 / blocks.p_b, blocks.c_b, blocks.b_ub
    inv_s, c_s, s_ub = 1.0 / blocks.p_s, blocks.c_s, blocks.s_ub
    sold_max = np.bincount(lots, weights=s_ub, minlength=n)
    curved = p_u > _FLAT
    inv_u = np.where(curved, 1.0 / np.where(curved, p_u, 1.0), 0.0)
    low = np.where(curved, -c_u - p_u * (a + b_ub) - 1e-9, -c_u)
    high = np.where(curved, -c_u - p_u * (a - sold_max) + 1e-9, -c_u)
    mu = np.clip(-c_u - p_u * a if start is None else start, low, high)
    steps = _NEWTON_STEPS if start is None else _WARM_STEPS
    _newton(
        mu,
        _Active(
            blocks=np.arange(n),
            lot_block=lots,
            columns=(a, c_u, inv_u, inv_b, c_b, b_ub, low, high),
            lot_columns=(inv_s, c_s, s_ub),
        ),
        steps=steps,
    )
    mu = np.where(curved, mu, -c_u)
    b = np.clip((mu - c_b) * inv_b, 0.0, b_ub)
    s = np.clip(-(c_s + mu[lots]) * inv_s, 0.0, s_ub)
    sold = np.bincount(lots, weights=s, minlength=n)
    u = np.where(curved, -(c_u + mu) * inv_u, a + b - sold)
    value = 0.5 * b * b / inv_b + (c_b - mu) * b - mu * a - 0.5 * (c_u + mu) ** 2 * inv_u
    value += np.bincount(lots, weights=0.5 * s * s / inv_s + (c_s + mu[lots]) * s, minlength=n)
    return value, u, b, s, mu


@dataclass
class _Active:
    """The blocks still searched for their mu (indices into all blocks), each of their
    lots' position among them, and those blocks' and lots' data:
    (a, c_u, inv_u, inv_b, c_b, b_ub, low, high) and (inv_s, c_s, s_ub)."""

    blocks: np.ndarray
    lot_block: np.ndarray
    columns: tuple[np.ndarray, ...]
    lot_columns: tuple[np.ndarray, ...]

    def kept(self, keep: np.ndarray) -> _Active:
        """The blocks of `keep` (a mask over the active ones) and their lots."""
        lot_keep = keep[self.lot_block]
        position = np.cumsum(keep) - 1
        return _Active(
            blocks=self.blocks[keep],
            lot_block=position[self.lot_block[lot_keep]],
            columns=tuple(column[keep] for column in self.columns),
            lot_columns=tuple(column[lot_keep] for column in self.lot_columns),
        )


def _newton(mu: np.ndarray, active: _Active, *, steps: int) -> None:
    """Safeguarded Newton steps on each block's slope in mu (`mu` updated in place, at
    most `steps` of them): a block whose slope is within `_SETTLED` of zero keeps its mu
    (a bisection would move it off), and once fewer than half the blocks still move, the
    steps go on over those alone."""
    for _ in range(steps):
        a, c_u, inv_u, inv_b, c_b, b_ub, low, high = active.columns
        inv_s, c_s, s_ub = active.lot_columns
        lots, n = active.lot_block, len(a)
        m = mu[active.blocks]
        b = np.minimum(np.maximum((m - c_b) * inv_b, 0.0), b_ub)
        s = np.minimum(np.maximum(-(c_s + m[lots]) * inv_s, 0.0), s_ub)
        slope = -(c_u + m) * inv_u - b + np.bincount(lots, weights=s, minlength=n) - a
        unsettled = np.abs(slope) >= _SETTLED
        count = int(np.count_nonzero(unsettled))
        if not count:
            return
        rising = slope > 0
        low[:] = np.where(rising, m, low)
        high[:] = np.where(rising, high, m)
        moving = inv_u + inv_b * ((b > 0) & (b < b_ub))
        moving += np.bincount(lots, weights=inv_s * ((s > 0) & (s < s_ub)), minlength=n)
        step = m + slope / np.maximum(moving, _FLAT)
        newton = np.where((step > low) & (step < high), step, 0.5 * (low + high))
        mu[active.blocks] = np.where(unsettled, newton, m)
        if 2 * count < n:
            active = active.kept(unsettled)
