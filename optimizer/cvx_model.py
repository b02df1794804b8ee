"""The same QP as `problem.py`, written as a cvxpy model (vectorized expressions).

Used as the readable reference the tests compare the sparse assembly and the Clarabel
relaxation with, and as the "naive" build-and-solve the benchmark measures. The relaxation
(`directions` None) replaces each wash group's specific-risk term by its perspective over
"buy or sell" (see `perspective.py`): with buy share w, gain sales split into gamma (buy
side) and G - gamma (sell side),

    quad_over_lin(sqrt(delta) (w a + b - gamma), w)
        + quad_over_lin(sqrt(delta) ((1 - w) a - L - G + gamma), 1 - w)

and the hull rows b <= w bmax, L <= (1 - w) lmax, gamma <= w gmax, G - gamma <= (1 - w) gmax.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from optimizer.perspective import loss_lots, wash_rows
from optimizer.prepare import IMPACT_WEIGHT, MIN_COST_RATE
from optimizer.problem import Problem
from optimizer.relaxation import BUY, SELL


def cvx_problem(
    *, problem: Problem, directions: np.ndarray | None
) -> tuple[cp.Problem, cp.Variable, cp.Variable]:
    """(model, s, b). `directions` None: the relaxation; else each group's side fixed."""
    prep, lay = problem.prep, problem.layout
    s = cp.Variable(lay.m, nonneg=True)
    b = cp.Variable(lay.n, nonneg=True)
    agg = sp.csr_matrix(
        (np.ones(lay.m), (prep.lot_security, np.arange(lay.m))), shape=(lay.n, lay.m)
    )
    classes = sp.csr_matrix(
        (np.ones(lay.n), (prep.security_class, np.arange(lay.n))), shape=(prep.n_classes, lay.n)
    )
    c = prep.cost_rate
    active = prep.holding + b - agg @ s - prep.target_adjusted
    cash_gap = prep.cash0 + (1 - c) * cp.sum(s) - (1 + c) * cp.sum(b) - prep.target_cash
    security_row, lot_row = wash_rows(problem=problem)
    own = np.where(security_row >= 0, 0.0, prep.idio_weight) if directions is None else None
    tracking = cp.sum(cp.multiply(prep.idio_weight if own is None else own, cp.square(active)))
    if prep.factor_loadings.shape[1]:
        scaled = np.sqrt(prep.factor_weight)[:, None] * prep.factor_loadings.T
        tracking += cp.sum_squares(scaled @ active)
    c_obj = max(c, MIN_COST_RATE)
    objective = (
        tracking
        + prep.lot_objective_tax @ s
        + c_obj * (cp.sum(s) + cp.sum(b))
        + IMPACT_WEIGHT * (cp.sum_squares(s) + cp.sum_squares(b))
    )
    constraints = [
        s <= problem.lot_ub,
        b <= problem.buy_ub,
        cash_gap >= problem.qp.x_l[lay.cash],
    ]
    x_l, x_u = problem.qp.x_l, problem.qp.x_u
    if prep.class_limit is not None:
        constraints += [classes @ active >= x_l[lay.classes], classes @ active <= x_u[lay.classes]]
    if lay.n_sectors:
        known = np.flatnonzero(prep.security_sector >= 0)
        sectors = sp.csr_matrix(
            (np.ones(len(known)), (prep.security_sector[known], known)),
            shape=(lay.n_sectors, lay.n),
        )
        constraints += [sectors @ active >= x_l[lay.sectors], sectors @ active <= x_u[lay.sectors]]
    if prep.max_gain is not None:
        constraints.append(prep.lot_gain_ratio @ s <= prep.max_gain)
    if prep.max_short_gain is not None:
        constraints.append((prep.lot_gain_ratio * prep.lot_is_short) @ s <= prep.max_short_gain)
    loss = loss_lots(problem=problem)
    if lay.n_wash and directions is not None:
        selling = (security_row >= 0) & (directions[security_row] == SELL)
        buying = (lot_row >= 0) & loss & (directions[lot_row] == BUY)
        constraints += [b[np.flatnonzero(selling)] == 0, s[np.flatnonzero(buying)] == 0]
    if lay.n_wash and directions is None:
        objective += _perspective(problem=problem, s=s, b=b, constraints=constraints)
    return cp.Problem(cp.Minimize(objective), constraints), s, b


def _perspective(
    *, problem: Problem, s: cp.Variable, b: cp.Variable, constraints: list[cp.Constraint]
) -> cp.Expression:
    """Each wash group's specific-risk term in perspective form (appends the hull rows)."""
    prep, lay = problem.prep, problem.layout
    security_row, _ = wash_rows(problem=problem)
    loss = loss_lots(problem=problem)
    w = cp.Variable(lay.n_wash)
    gamma = cp.Variable(lay.n, nonneg=True)
    by_security = sp.csr_matrix(
        (np.ones(lay.m), (prep.lot_security, np.arange(lay.m))), shape=(lay.n, lay.m)
    )
    loss_sold = by_security @ sp.diags(loss.astype(float)) @ s
    gain_sold = by_security @ sp.diags((~loss).astype(float)) @ s
    lot_cap = np.where(problem.lot_ub > 0, problem.lot_ub, 0.0)
    lmax = by_security @ (lot_cap * loss)
    gmax = by_security @ (lot_cap * ~loss)
    a = prep.holding - prep.target_adjusted
    members = security_row >= 0
    w_of = cp.Variable(lay.n)  # each member's group's buy share
    root = np.sqrt(prep.idio_weight)
    p = cp.multiply(root, cp.multiply(w_of, a) + b - gamma)
    q = cp.multiply(root, cp.multiply(1 - w_of, a) - loss_sold - gain_sold + gamma)
    spread = sp.csr_matrix(
        (np.ones(int(members.sum())), (np.flatnonzero(members), security_row[members])),
        shape=(lay.n, lay.n_wash),
    )
    t_buy, t_sell = cp.Variable(lay.n_wash), cp.Variable(lay.n_wash)
    order = np.flatnonzero(members)[np.argsort(security_row[members], kind="stable")]
    width = int(np.bincount(security_row[members], minlength=lay.n_wash).max())
    rank = np.arange(len(order)) - np.searchsorted(security_row[order], security_row[order])
    place = sp.csr_matrix(
        (np.ones(len(order)), (rank * lay.n_wash + security_row[order], order)),
        shape=(width * lay.n_wash, lay.n),
    )
    constraints += [
        w >= 0,
        w <= 1,
        gamma <= gain_sold,
        w_of[members] == (spread @ w)[members],
        gamma[np.flatnonzero(~members)] == 0,
        b <= cp.multiply(w_of, problem.buy_ub) + (~members) * problem.buy_ub,
        loss_sold[members] <= cp.multiply(1 - w_of, lmax)[members],
        gamma <= cp.multiply(w_of, gmax),
        (gain_sold - gamma)[members] <= cp.multiply(1 - w_of, gmax)[members],
    ]
    for t, side, share in ((t_buy, p, w), (t_sell, q, 1 - w)):
        body = cp.reshape(place @ side, (width, lay.n_wash), order="C")
        constraints.append(
            cp.SOC(
                t + share,
                cp.vstack([cp.reshape(t - share, (1, lay.n_wash), order="C"), 2 * body]),
                axis=0,
            )
        )
    total: cp.Expression = cp.sum(t_buy) + cp.sum(t_sell)
    return total
